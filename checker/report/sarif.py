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


def project_url() -> str | None:
    """The project's source repository, from the installed distribution's metadata
    (pyproject's [project.urls] "Repository" or "Source"); None when it declares none."""
    from importlib import metadata

    try:
        urls = metadata.metadata("agentcheck").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("repository", "source", "source code", "homepage"):
            return url.strip().rstrip("/") or None
    return None


def help_uri(rule: catalog.Rule, repository: str | None) -> str | None:
    """The rule's section of docs/rules.md in REPOSITORY (a GitHub heading anchor)."""
    if not repository:
        return None
    anchor = f"{rule.code} {rule.name}".lower().replace(" ", "-")
    return f"{repository}/blob/main/docs/rules.md#{quote(anchor)}"


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


def _rule(rule: catalog.Rule, repository: str | None) -> dict[str, Any]:
    uri = help_uri(rule, repository)
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


def document(report: Report, repository: str | None = None) -> dict[str, Any]:
    """The SARIF log; REPOSITORY (default: the project's URL from its metadata) gives each
    rule a helpUri into docs/rules.md."""
    repository = repository if repository is not None else project_url()
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
                        "rules": [_rule(rule, repository) for rule in rules],
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


def render(report: Report) -> str:
    # ensure_ascii keeps invisible characters as \\u escapes in the file.
    return json.dumps(document(report), indent=2, ensure_ascii=True) + "\n"
