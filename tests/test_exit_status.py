"""Exit statuses mean the same in every command and format: 0 no finding at or above the
threshold; 1 findings, and they are printed; 2 the check could not run, one line on stderr and
no finding printed, even when the error comes after the findings were known (a report file
that cannot be written)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Repo, Result, clean_env

pytestmark = pytest.mark.e2e

DIFF_FORMATS = ["text", "json", "sarif", "github"]
FINDING_LINE = re.compile(r"^(?:\S.*?: )?AC\d{3} ")  # path:line:col: CODE, or CODE alone
SCAN_FORMATS = ["text", "json"]


def findings_printed(out: str, fmt: str) -> int:
    """How many findings the output shows, read the way its reader reads it."""
    if fmt == "text":
        return sum(1 for line in out.splitlines() if FINDING_LINE.match(line))
    if fmt == "json":
        findings: list[Any] = json.loads(out)["findings"]
        return len(findings)
    if fmt == "sarif":
        results: list[Any] = json.loads(out)["runs"][0]["results"]
        return len(results)
    return sum(
        1
        for line in out.splitlines()
        if line.startswith(("::error ", "::warning "))
        and "title=agentcheck could not run" not in line
    )


def check_status(result: Result, fmt: str, expected: int) -> None:
    assert result.code == expected, (result.code, result.err, result.out)
    assert "Traceback" not in result.err
    if expected == 2:
        assert result.out == "", "exit 2 printed a report"
        assert result.err.startswith("agentcheck: error: ")
        assert result.err.count("\n") == 1
        return
    assert result.err == ""
    printed = findings_printed(result.out, fmt)
    if expected == 1:
        assert printed >= 1, f"exit 1 printed no finding:\n{result.out}"
    else:
        assert printed == 0, f"exit 0 printed findings:\n{result.out}"


@pytest.fixture
def project(repo: Repo) -> Repo:
    repo.commit("base", {"src/a.py": "a = 1\n", "AGENTS.md": "Be brief.\n", "docs/x.md": "x\n"})
    return repo


def clean(repo: Repo) -> None:
    repo.write("src/a.py", "a = 2\n")


def dirty(repo: Repo) -> None:
    repo.write("src/a.py", "a = 2\n")
    repo.write("AGENTS.md", "Be brief.\u200b\u202e\n")
    repo.write(".agentcheck/task.toml", 'paths = ["src/**"]\n')
    repo.write("lib/out.py", "o = 1\n")


@pytest.mark.parametrize("fmt", DIFF_FORMATS)
def test_diff(project: Repo, fmt: str, tmp_path: Path) -> None:
    clean(project)
    check_status(project.run("diff", "--format", fmt), fmt, 0)
    dirty(project)
    check_status(project.run("diff", "--format", fmt), fmt, 1)
    never = project.run("diff", "--format", fmt, "--fail-on", "never")
    assert (never.code, findings_printed(never.out, fmt) > 0) == (0, True)
    # Errors before and after the findings are known.
    check_status(project.run("diff", "nosuchrevision", "--format", fmt), fmt, 2)
    check_status(project.run("diff", "--format", fmt, "--select", "XY1"), fmt, 2)
    unwritable = str(tmp_path / "missing-folder" / "report")
    check_status(project.run("diff", "--format", fmt, "--sarif", unwritable), fmt, 2)
    check_status(project.run("diff", "--format", fmt, "--output", unwritable), fmt, 2)
    project.write("agentcheck.toml", "[size]\nmax-lines = 0\n")
    check_status(project.run("diff", "--format", fmt), fmt, 2)


def test_fail_on_never_still_prints_what_it_found(project: Repo) -> None:
    dirty(project)
    result = project.run("diff", "--format", "json", "--fail-on", "never")
    assert result.code == 0
    assert result.codes, "the findings are printed, they just do not fail"


def test_github_summary_that_cannot_be_written(project: Repo, tmp_path: Path) -> None:
    dirty(project)
    env = clean_env(GITHUB_STEP_SUMMARY=str(tmp_path / "missing-folder" / "summary.md"))
    check_status(project.run("diff", "--format", "github", env=env), "github", 2)


def test_output_file_holds_the_findings(project: Repo, tmp_path: Path) -> None:
    dirty(project)
    for fmt in DIFF_FORMATS:
        target = tmp_path / f"report.{fmt}"
        result = project.run("diff", "--format", fmt, "--output", str(target))
        assert (result.code, result.out) == (1, "")
        assert findings_printed(target.read_text(), fmt) >= 1


@pytest.mark.parametrize("fmt", SCAN_FORMATS)
def test_scan(project: Repo, fmt: str) -> None:
    check_status(project.run("scan", "--format", fmt), fmt, 0)
    dirty(project)
    check_status(project.run("scan", "--format", fmt), fmt, 1)
    check_status(project.run("scan", "docs", "--format", fmt), fmt, 0)
    check_status(project.run("scan", "no-such-file", "--format", fmt), fmt, 2)
    check_status(project.run("scan", "--format", fmt, "--ignore", "XY1"), fmt, 2)
    project.write("agentcheck.toml", "fail-on = 3\n")
    check_status(project.run("scan", "--format", fmt), fmt, 2)


def test_rules_and_explain(tmp_path: Path) -> None:
    from tests.conftest import run_agentcheck

    assert run_agentcheck("rules", cwd=tmp_path).code == 0
    assert run_agentcheck("explain", "AC901", cwd=tmp_path).code == 0
    check_status(run_agentcheck("explain", "AC000", cwd=tmp_path), "text", 2)


def test_action(tmp_path: Path) -> None:
    """The action prints annotations for 0 and 1; on 2, only the one that says why it could
    not run, whatever failed after the findings were known."""
    from tests.test_action import clone, event, origin_with_pr, run_action

    origin, base, head = origin_with_pr(
        tmp_path, "copilot/x", {"src/notifications/a.py": "A = 1\n", "src/email/b.py": "B = 1\n"}
    )
    work = clone(tmp_path, origin, "copilot/x")
    payload = event(origin, head_branch="copilot/x", head_sha=head, base_sha=base)
    found = run_action(tmp_path, work, payload)
    assert found.code == 1, found.err
    assert findings_printed(found.out, "github") >= 1
    unwritable = str(tmp_path / "missing-folder" / "out.sarif")
    failed = run_action(tmp_path, work, payload, "--sarif", unwritable)
    assert failed.code == 2
    assert failed.out.startswith("::error title=agentcheck could not run::")
    assert failed.out.count("\n") == 1, failed.out
    assert findings_printed(failed.out, "github") == 0
