"""`--format github`: workflow-command annotations escaped per the runner's rules, errors first,
exactly one command per finding whatever the file names say, and the Markdown job summary."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from checker.domain.hiddentext.escape import visible
from checker.report.github import escape_data, escape_property
from tests.conftest import Repo, clean_env

COMMAND = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")
HOSTILE = [
    "src/::error file=x::forged.py",
    "src/%0A::warning::forged.py",
    "src/%0D%25::notice::x.py",
    "src/new\nline::error::forged.py",
    "src/carriage\rreturn.py",
    "src/bidi\u202eyp.txt\u202c.py",
    "src/isolate\u2067x\u2069.py",
    "src/comma,colon:.py",
    "src/tag\U000e0041\U000e0042.py",
]


def unescape(text: str) -> str:
    return (
        text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command as the runner splits it: name, properties, message."""
    match = COMMAND.match(line)
    assert match, line
    properties = dict(p.split("=", 1) for p in match.group(2).split(","))
    return match.group(1), {k: unescape(v) for k, v in properties.items()}, unescape(match.group(3))


def github(repo: Repo, *args: str, summary: Path | None = None) -> tuple[int, str, str]:
    env = clean_env(GITHUB_STEP_SUMMARY=str(summary)) if summary else None
    done = repo.run("diff", "--staged", "--format", "github", *args, env=env)
    return done.code, done.out, done.err


def commands(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.lstrip().startswith("::")]


def test_escaping_follows_the_runner_rules() -> None:
    assert escape_data("100% done\r\nnext::line") == "100%25 done%0D%0Anext::line"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"
    assert escape_data("%0A") == "%250A"  # a literal %0A stays literal
    for text in ("x%0A:,\r\n%", "::error::x", "plain"):
        assert unescape(escape_property(text)) == text
        assert unescape(escape_data(text)) == text


@pytest.mark.e2e
def test_hostile_names_give_exactly_one_command_per_finding(repo: Repo) -> None:
    repo.commit("Start", {".agentcheck/task.toml": 'paths = ["lib/**"]\n'})
    for name in HOSTILE:
        repo.write(name, "X = 1\n")
    repo.git("add", "-A")
    expected = repo.run("diff", "--staged", "--format", "json").json()["findings"]
    assert len(expected) == len(HOSTILE)

    code, out, err = github(repo)
    assert code == 1
    found = commands(out)
    assert len(found) == len(expected)
    assert not commands(err)
    # Every line is a command or the closing line; no raw control or bidi character anywhere.
    for line in out.splitlines():
        assert line.startswith("::error file=") or line.startswith("agentcheck: "), line
    assert visible(out.replace("\n", "")) == out.replace("\n", "")
    # Each command carries exactly its finding: the visible path and message, nothing more.
    parsed = sorted((parse(line) for line in found), key=lambda c: c[1]["file"])
    wanted = sorted(expected, key=lambda f: visible(f["path"]))
    for (name, properties, message), finding in zip(parsed, wanted, strict=True):
        assert name == "error"
        assert set(properties) == {"file", "line", "col", "title"}
        assert properties["file"] == visible(finding["path"])
        assert properties["title"] == "AC101 outside-task-paths"
        assert message == visible(finding["message"])


@pytest.mark.e2e
def test_errors_come_first_and_levels_map_to_commands(repo: Repo) -> None:
    repo.commit("Start", {".agentcheck/task.toml": 'paths = ["AGENTS.md", "docs/**"]\n'})
    repo.write("AGENTS.md", "Be brief.\n")  # AC303, a warning, sorts before z/
    repo.write("z/out.py", "X = 1\n")  # AC101, an error
    repo.git("add", "-A")
    code, out, _ = github(repo)
    assert code == 1
    levels = [parse(line)[0] for line in commands(out)]
    assert levels == ["error", "warning"]
    code, out, _ = github(repo, "--fail-on", "never")
    assert code == 0
    assert [parse(line)[0] for line in commands(out)] == ["error", "warning"]


@pytest.mark.e2e
def test_summary_lists_everything_and_what_was_not_annotated(repo: Repo, tmp_path: Path) -> None:
    repo.commit("Start", {".agentcheck/task.toml": 'id = "T-7"\npaths = ["lib/**"]\n'})
    names = [f"out/file{i:02}.py" for i in range(12)]
    for name in names:
        repo.write(name, "X = 1\n")
    repo.write("out/a|b<img src=x onerror=alert(1)>`*_[x](y).py", "X = 1\n")
    repo.git("add", "-A")
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    code, out, _ = github(repo, summary=summary)
    assert code == 1
    assert len(commands(out)) == 13
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## agentcheck"), "appended, not overwritten"
    assert "**13 errors** in 13 files checked" in text
    assert "Policy: built-in defaults." in text
    assert "Task: T-7 (.agentcheck/task.toml)." in text
    rows = [line for line in text.splitlines() if line.startswith("| error |")]
    assert len(rows) == 13
    for row in rows:  # a hostile name cannot add or break a cell
        assert len(re.findall(r"(?<!\\)\|", row)) == 5, row
    assert "<img" not in text
    assert "&lt;img" in text
    # GitHub shows 10 errors per step: the last 3 (in report order) are listed as not shown.
    section = text.split("### Not annotated inline", 1)[1]
    assert "these 3 appear only in this table" in section
    for name in names[-3:]:
        assert name in section
    assert names[0] not in section


@pytest.mark.e2e
def test_summary_is_skipped_without_the_variable(repo: Repo) -> None:
    repo.commit("Start", {"a.py": ""})
    repo.write("b.py", "B = 1\n")
    repo.git("add", "-A")
    code, out, _ = github(repo)
    assert code == 0
    assert commands(out) == []
    assert out.startswith("agentcheck: no findings in 1 file")


@pytest.mark.e2e
def test_summary_shows_waived_findings_and_agent_detection(repo: Repo, tmp_path: Path) -> None:
    repo.commit("Start", {".agentcheck/task.toml": 'paths = ["lib/**"]\n'})
    base = repo.git("rev-parse", "HEAD").strip()
    repo.git("checkout", "-q", "-b", "codex/widget")
    repo.write("app/widget.py", "W = 1\n")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "Add widget\n\nCo-authored-by: Codex <noreply@openai.com>")
    head = repo.git("rev-parse", "HEAD").strip()
    event = {
        "pull_request": {
            "number": 3,
            "title": "Add widget",
            "body": "",
            "user": {"login": "octocat"},
            "head": {"ref": "codex/widget", "sha": head},
            "base": {"ref": "main", "sha": base},
            "labels": [{"name": "agentcheck:allow-AC101"}],
        }
    }
    event_file = tmp_path / "event.json"
    event_file.write_text(json.dumps(event), encoding="utf-8")
    summary = tmp_path / "summary.md"
    done = repo.run(
        "diff",
        f"{base}...{head}",
        "--context",
        str(event_file),
        "--format",
        "github",
        env=clean_env(GITHUB_STEP_SUMMARY=str(summary)),
    )
    assert done.code == 0
    assert commands(done.out) == []
    text = summary.read_text(encoding="utf-8")
    assert "**All checks passed**" in text
    assert "### Allowed by pull request labels" in text
    assert "app/widget.py" in text.split("### Allowed by pull request labels", 1)[1]
    assert "agent change (OpenAI Codex: branch codex/widget" in text
    assert "OpenAI Codex: Co-authored-by trailer Codex &lt;noreply@openai.com&gt;" in text


@pytest.mark.e2e
@pytest.mark.parametrize("fmt", ["github", "sarif", "json", "text"])
def test_every_format_is_accepted(repo: Repo, fmt: str) -> None:
    repo.commit("Start", {"a.py": ""})
    done = repo.run("diff", "--format", fmt)
    assert done.code == 0, done.err
    assert done.out


@pytest.mark.e2e
def test_outside_actions_it_claims_no_job_summary(repo: Repo) -> None:
    """`--format github` with no $GITHUB_STEP_SUMMARY writes no summary, so it says none."""
    repo.commit("Start", {".agentcheck/task.toml": 'paths = ["lib/**"]\n'})
    repo.write("out/a.py", "X = 1\n")
    repo.git("add", "-A")
    code, out, _ = github(repo)
    assert code == 1
    assert "job summary" not in out
    assert out.splitlines()[-1] == "agentcheck: 1 error in 1 file."


@pytest.mark.e2e
def test_past_the_annotation_cap_the_closing_line_says_how_many_were_not_shown(
    repo: Repo,
) -> None:
    repo.commit("Start", {".agentcheck/task.toml": 'paths = ["lib/**"]\n'})
    for i in range(12):
        repo.write(f"out/file{i:02}.py", "X = 1\n")
    repo.git("add", "-A")
    code, out, _ = github(repo)
    assert code == 1
    assert len(commands(out)) == 12, "every finding is still printed"
    assert "2 findings not annotated inline" in out.splitlines()[-1]


@pytest.mark.e2e
def test_one_revision_is_labelled_as_that_commit_not_git_diff_rev(
    repo: Repo, tmp_path: Path
) -> None:
    """`agentcheck diff REV` checks REV's own change; `git diff REV` would mean REV against
    the work tree, so the label says what was compared."""
    repo.commit("Start", {"a.py": ""})
    repo.commit("Add b", {"b.py": "B = 1\n"})
    summary = tmp_path / "summary.md"
    done = repo.run(
        "diff", "HEAD", "--format", "github", env=clean_env(GITHUB_STEP_SUMMARY=str(summary))
    )
    assert done.code == 0, done.err
    text = summary.read_text(encoding="utf-8")
    assert "commit HEAD vs its first parent" in text
    assert "git diff HEAD" not in text
    json_out = repo.run("diff", "HEAD", "--format", "json")
    assert "git diff HEAD" not in json_out.out
