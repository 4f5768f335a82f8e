"""SARIF 2.1.0 for GitHub code scanning: every rule of the catalog with its descriptions and
help, and one result per finding with a relative location. Ids, rule order and fingerprints
depend only on the findings, so two runs over the same change give the same document."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

from checker import __version__
from checker.config import catalog
from checker.domain.hiddentext.escape import visible
from checker.model.finding import Finding
from checker.model.report import Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/agent-change-check/"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "agentcheckFinding/v1"
AUTOMATION_CATEGORY = "agentcheck"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "info": "recommendation"}


def installed_rules_url() -> str | None:
    """Where the installed distribution's metadata says its rule reference is: the
    Project-URL labelled Repository (or Source) as a GitHub-style repository, whose default
    branch's docs/rules.md (blob/HEAD) is linked, else the one labelled Documentation, as
    declared. None when it declares neither: no link is made up."""
    from importlib import metadata

    names = metadata.packages_distributions().get(__name__.partition(".")[0], [])
    for name in names:
        try:
            entries = metadata.metadata(name).get_all("Project-URL") or []
        except metadata.PackageNotFoundError:
            continue
        return rules_url_from(entries)
    return None


def rules_url_from(entries: list[str]) -> str | None:
    """The rule reference's URL from Project-URL entries ("Label, URL")."""
    urls: dict[str, str] = {}
    for entry in entries:
        label, _, url = entry.partition(",")
        key = label.strip().lower().replace(" ", "").replace("-", "").replace("_", "")
        if url.strip().startswith("https://"):
            urls.setdefault(key, url.strip())
    repository = urls.get("repository") or urls.get("source") or urls.get("sourcecode")
    if repository:
        return f"{repository.rstrip('/').removesuffix('.git')}/blob/HEAD/docs/rules.md"
    return urls.get("documentation")


def anchor(rule: catalog.Rule) -> str:
    """The GitHub anchor of the rule's heading in docs/rules.md ("### AC101 outside-task-paths":
    lower case, spaces to hyphens; codes and names hold nothing else)."""
    return f"{rule.code} {rule.name}".lower().replace(" ", "-")


def help_uri(rule: catalog.Rule, rules_url: str | None) -> str | None:
    """The rule's section of the rule reference at RULES_URL: its heading's anchor when the
    URL is docs/rules.md, else the documentation page itself."""
    if not rules_url:
        return None
    if rules_url.endswith("/rules.md"):
        return f"{rules_url}#{quote(anchor(rule))}"
    return rules_url


def _explain(rule: catalog.Rule) -> str:
    return f"More: `agentcheck explain {rule.code}`."


def _help_markdown(rule: catalog.Rule) -> str:
    parts = [f"**{rule.code} {rule.name}**: {rule.summary}.", "", rule.explanation]
    if rule.example:
        parts += ["", "Example:", "", "~~~", rule.example, "~~~"]
    if rule.allow:
        parts += ["", "How to allow it:", "", rule.allow]
    parts += ["", _explain(rule)]
    return "\n".join(parts)


def _help_text(rule: catalog.Rule) -> str:
    parts = [f"{rule.code} {rule.name}: {rule.summary}.", "", rule.explanation]
    if rule.example:
        parts += ["", "Example:", "", rule.example]
    if rule.allow:
        parts += ["", "How to allow it:", "", rule.allow]
    parts += ["", _explain(rule)]
    return "\n".join(parts)


def _rule(rule: catalog.Rule, rules_url: str | None) -> dict[str, Any]:
    uri = help_uri(rule, rules_url)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": f"{rule.summary}."},
        "fullDescription": {"text": rule.explanation},
        "help": {"text": _help_text(rule), "markdown": _help_markdown(rule)},
        **({"helpUri": uri} if uri else {}),
        "defaultConfiguration": {"level": LEVELS.get(rule.severity, "warning")},
        "properties": {
            "tags": ["agentcheck", rule.family],
            "precision": "very-high",
            "problem.severity": PROBLEM_SEVERITY.get(rule.severity, "warning"),
        },
    }


def artifact_uri(path: str) -> str:
    """A repository path as a relative URI reference: percent-encoded UTF-8, '/' kept."""
    return quote(path, safe="/")


def _fingerprint(finding: Finding, seen: dict[str, int]) -> str:
    """Stable across runs and line shifts: the code, the path and the line's text (or the
    message), plus a count for identical findings so each stays its own alert."""
    anchor = finding.snippet.strip() if finding.snippet is not None else finding.message
    key = f"{finding.code}\0{finding.path or ''}\0{anchor}"
    digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    seen[digest] = seen.get(digest, 0) + 1
    return f"{digest}:{seen[digest]}"


def _result(
    finding: Finding, index: dict[str, int], seen: dict[str, int], waived: bool
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": LEVELS[finding.severity or "error"],
        "message": {"text": visible(finding.message)},
    }
    # A finding about the change as a whole (a size limit) has no place in any file: it gets
    # no location rather than a made-up one (SARIF allows that; code scanning then lists it
    # without a line, and the job summary shows it).
    if finding.path is not None:
        region: dict[str, int] = {"startLine": finding.line or 1}
        if finding.column is not None:
            region["startColumn"] = finding.column
        result["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": {
                        "uri": artifact_uri(finding.path),
                        "uriBaseId": SRCROOT,
                    },
                    "region": region,
                }
            }
        ]
    result.update(
        {
            "partialFingerprints": {FINGERPRINT: _fingerprint(finding, seen)},
        }
    )
    if finding.advice:
        result["properties"] = {"advice": True}
    if waived:
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"allowed by the pull request label "
                f"agentcheck:allow-{finding.code}",
            }
        ]
    return result


def document(report: Report, rules_url: str | None = None) -> dict[str, Any]:
    """The SARIF log. RULES_URL (the Action's docs/rules.md; default: what the installed
    distribution's metadata declares; "" for none) gives each rule a helpUri."""
    rules_url = rules_url if rules_url is not None else installed_rules_url()
    rules = list(catalog.all_rules().values())
    index = {rule.code: i for i, rule in enumerate(rules)}
    seen: dict[str, int] = {}
    results = [_result(f, index, seen, waived=False) for f in report.findings]
    results += [_result(f, index, seen, waived=True) for f in report.waived]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "agentcheck",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(rule, rules_url) for rule in rules],
                    }
                },
                # One category per tool: code scanning keeps agentcheck's alerts apart from
                # other tools' and closes them when a later run no longer reports them.
                "automationDetails": {"id": f"{AUTOMATION_CATEGORY}/"},
                "columnKind": "unicodeCodePoints",
                "results": results,
                **_authorship(report),
            }
        ],
    }


def _authorship(report: Report) -> dict[str, Any]:
    """Who wrote the change and how the rules bound it, as the run's properties."""
    if report.authorship is None:
        return {}
    return {"properties": {"authorship": report.authorship.as_dict()}}


def render(report: Report, rules_url: str | None = None) -> str:
    # ensure_ascii keeps invisible characters as \\u escapes in the file.
    return json.dumps(document(report, rules_url), indent=2, ensure_ascii=True) + "\n"
