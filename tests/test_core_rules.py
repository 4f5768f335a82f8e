"""One test (at least) per core rule code: the rules in process on changes built in memory
(tests/memory.py), and end-to-end through the real command on real repositories where the
command, git or the pull request context is what is tested."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.config import catalog
from checker.report.rules import fix_text
from tests.conftest import Repo, diff_findings, event_file, pull_request_event
from tests.memory import codes, findings, located

TASK = """
id = "NOTIF-12"
summary = "Add the notification schema"
paths = ["src/notifications/**", "tests/notifications/**"]
forbid = ["src/notifications/legacy/**"]
"""


def diff_codes(repo: Repo, *args: str) -> list[str]:
    return [f["code"] for f in diff_findings(repo, *args)]


# -- in process --------------------------------------------------------------------------------


def test_ac101_outside_task_paths() -> None:
    base = {"src/billing/invoice.py": "x = 1\n"}
    head = {"src/billing/invoice.py": "x = 2\n", "src/notifications/schema.py": "fields = []\n"}
    found = findings(base, head, task=TASK)
    assert located(found) == [("AC101", "src/billing/invoice.py", 1)]
    assert "NOTIF-12" in found[0].message


def test_ac101_rename_out_of_scope_counts_both_sides() -> None:
    moved = "a = 1\n" * 9
    found = findings(
        {"src/notifications/a.py": moved},
        {"src/other/a.py": moved},
        renames={"src/other/a.py": "src/notifications/a.py"},
        task=TASK,
    )
    assert codes(found) == ["AC101"]
    assert "renamed from src/notifications/a.py" in found[0].message


def test_ac102_forbidden_even_inside_paths() -> None:
    found = findings({}, {"src/notifications/legacy/old.py": "y = 1\n"}, task=TASK)
    assert codes(found) == ["AC102"]
    assert "src/notifications/legacy/**" in found[0].message


def test_ac103_task_required() -> None:
    policy = "require-task = true\n"
    found = findings({}, {"a.py": "a = 1\n"}, policy=policy)
    assert located(found) == [("AC103", "agentcheck.toml", 1)]
    assert findings({}, {"a.py": "a = 1\n"}, policy=policy, task='paths = ["a.py"]\n') == []


def test_ac201_over_expected_lines() -> None:
    task = "expected-lines = 10\n"
    found = findings({}, {"a.py": "x = 1\n" * 31}, task=task)
    assert located(found) == [("AC201", ".agentcheck/task.toml", 1)]
    assert "31 changed lines" in found[0].message
    assert findings({}, {"a.py": "x = 1\n" * 30}, task=task) == []  # exactly 3 x 10 is allowed


def test_ac202_over_max_lines_excluding_lockfiles_generated_and_renames() -> None:
    policy = '[size]\nmax-lines = 20\nignore = ["data/**"]\n'
    base = {".gitattributes": "gen/*.txt linguist-generated\n", "moved.txt": "same\n" * 50}
    head = {
        ".gitattributes": "gen/*.txt linguist-generated\n",
        "renamed.txt": "same\n" * 50,
        "package-lock.json": "{}\n" * 100,
        "data/big.csv": "1\n" * 100,
        "gen/out.txt": "g\n" * 100,
        "vendor/lib.js": "v\n" * 100,
        "app.min.js": "m\n" * 100,
        "src/real.py": "r = 1\n" * 20,
    }
    renames = {"renamed.txt": "moved.txt"}
    assert findings(base, head, policy=policy, renames=renames, select=("AC2",)) == []
    head["src/real.py"] = "r = 1\n" * 21
    found = findings(base, head, policy=policy, renames=renames, select=("AC2",))
    assert located(found) == [("AC202", "agentcheck.toml", 2)]
    assert "21 changed lines" in found[0].message


def test_ac202_default_limit_without_policy() -> None:
    found = findings({"a.txt": "a\n"}, {"a.txt": "a\n", "big.py": "x = 1\n" * 1001})
    assert [(f.code, f.path) for f in found] == [("AC202", None)]


def test_ac203_files_over_max_and_over_expected() -> None:
    policy, task = "[size]\nmax-files = 5\n", "expected-files = 1\n"
    found = findings({}, {f"f{i}.py": f"x = {i}\n" for i in range(4)}, policy=policy, task=task)
    assert codes(found) == ["AC203"]
    assert "expected-files 1" in found[0].message
    found = findings({}, {f"f{i}.py": f"x = {i}\n" for i in range(6)}, policy=policy, task=task)
    messages = sorted(f.message for f in found if f.code == "AC203")
    assert len(messages) == 2
    assert "size.max-files 5" in messages[1] or "size.max-files 5" in messages[0]


def test_ac301_protected_paths_and_task_allowance() -> None:
    base = {"README.md": "r\n"}
    head = {
        **base,
        ".github/workflows/ci.yml": "on: push\n",
        "db/migrations/0001_init.sql": "create table t();\n",
        "poetry.lock": "# lock\n",
        "CODEOWNERS": "* @team\n",
    }
    found = {f.path: f for f in findings(base, head)}
    assert {p for p, f in found.items() if f.code == "AC301"} == {
        ".github/workflows/ci.yml",
        "db/migrations/0001_init.sql",
        "poetry.lock",
        "CODEOWNERS",
    }
    assert ".github/workflows/**" in found[".github/workflows/ci.yml"].message
    task = 'allow-protected = ["db/migrations/**", "poetry.lock"]\n'
    remaining = {f.path for f in findings(base, head, task=task) if f.code == "AC301"}
    assert remaining == {".github/workflows/ci.yml", "CODEOWNERS"}


def test_ac301_policy_adds_and_negates_protected_paths() -> None:
    policy = '[paths]\nprotected = ["deploy/**", "!**/migrations/**"]\n'
    head = {"deploy/prod.yaml": "replicas: 3\n", "app/migrations/0002.py": "ops = []\n"}
    found = findings({}, head, policy=policy)
    assert [(f.code, f.path) for f in found] == [("AC301", "deploy/prod.yaml")]


def test_ac302_policy_file_changed() -> None:
    policy = "[size]\nmax-lines = 100\n"
    loosened = {"agentcheck.toml": "[size]\nmax-lines = 100000\n"}
    assert codes(findings({"agentcheck.toml": policy}, loosened, policy=policy)) == ["AC302"]


def test_ac302_pyproject_only_when_the_agentcheck_table_changes() -> None:
    pyproject = '[project]\nname = "x"\nversion = "1"\n\n[tool.agentcheck]\nfail-on = "error"\n'
    bumped = pyproject.replace('version = "1"', 'version = "2"')
    assert findings({"pyproject.toml": pyproject}, {"pyproject.toml": bumped}) == []
    loosened = bumped + "[tool.agentcheck.size]\nmax-lines = 99999\n"
    found = findings({"pyproject.toml": bumped}, {"pyproject.toml": loosened})
    assert codes(found) == ["AC302"]


def test_ac302_policy_and_task_added_by_uncommitted_work_are_being_set_up() -> None:
    head = {
        ".agentcheck/task.toml": 'paths = ["src/**"]\n',
        "agentcheck.toml": "[size]\nmax-lines = 100\n",
        "src/a.py": "a = 1\n",
    }
    task = 'paths = ["src/**"]\n'
    for kind in ("worktree", "index"):
        assert findings({}, head, task=task, kind=kind) == [], kind
    assert codes(findings({}, head, task=task)) == ["AC302", "AC302"]  # committed


def test_ac303_instruction_file_changed_is_a_warning() -> None:
    head = {
        "AGENTS.md": "Be careful.\n",
        "skills/deploy/SKILL.md": "---\nname: deploy\n---\n",
        ".cursor/rules/style.mdc": "Use tabs.\n",
    }
    found = findings({"README.md": "r\n"}, {"README.md": "r\n", **head})
    assert {(f.code, f.severity, f.path) for f in found} == {
        ("AC303", "warning", "AGENTS.md"),
        ("AC303", "warning", "skills/deploy/SKILL.md"),
        ("AC303", "warning", ".cursor/rules/style.mdc"),
    }


def test_policy_instruction_files_extend_the_list() -> None:
    policy = 'instruction-files = ["docs/agents/*.md"]\n'
    assert codes(findings({}, {"docs/agents/review.md": "Review rules\n"}, policy=policy)) == [
        "AC303"
    ]


def test_severity_override_select_ignore_and_exclude() -> None:
    head = {"CLAUDE.md": "x\n", ".github/workflows/a.yml": "on: push\n"}
    policy = '[severity]\nAC303 = "error"\n'
    assert {(f.code, f.severity) for f in findings({}, head, policy=policy)} == {
        ("AC303", "error"),
        ("AC301", "error"),
    }
    assert codes(findings({}, head, policy=policy, select=("AC3",), ignore=("AC301",))) == ["AC303"]
    assert codes(findings({}, head, policy=policy, select=("AC301",))) == ["AC301"]
    excluded = 'exclude = [".github/**"]\n[severity]\nAC3 = "off"\n'
    assert findings({}, head, policy=excluded) == []


# -- end to end: the command, git and the pull request context ---------------------------------


@pytest.mark.e2e
def test_ac103_task_from_the_pull_request_body(repo: Repo, tmp_path: Path) -> None:
    repo.commit("base", {"agentcheck.toml": "require-task = true\n"})
    repo.write("src/a.py", "a = 1\n")
    repo.write("lib/b.py", "b = 1\n")
    body = 'Adds a.\n\n```agentcheck\nid = "T-1"\npaths = ["src/**"]\n```\n'
    context = event_file(tmp_path, pull_request_event(title="Add a", body=body))
    found = diff_findings(repo, "--context", context)
    assert [(f["code"], f["path"]) for f in found] == [("AC101", "lib/b.py")]


@pytest.mark.e2e
def test_ac302_task_spec_added_while_setting_up_is_not_reported(repo: Repo) -> None:
    repo.commit("base", {"README.md": "r\n"})
    repo.write(".agentcheck/task.toml", 'paths = ["src/**"]\n')
    repo.write("agentcheck.toml", "[size]\nmax-lines = 100\n")
    repo.write("src/a.py", "a = 1\n")
    assert diff_codes(repo) == []
    repo.git("add", "-A")
    assert diff_codes(repo, "--staged") == []
    head = repo.commit("task and work")
    assert diff_codes(repo, head) == ["AC302", "AC302"]  # committed: the edits need review


@pytest.mark.e2e
def test_fail_on_never_and_policy_fail_on(repo: Repo) -> None:
    repo.commit("base", {"README.md": "r\n", "agentcheck.toml": 'enforce = "all"\n'})
    repo.write(".github/workflows/a.yml", "on: push\n")
    assert repo.run("diff").code == 1
    assert repo.run("diff", "--fail-on", "never").code == 0
    repo.write("agentcheck.toml", 'enforce = "all"\nfail-on = "never"\n')
    assert repo.run("diff").code == 0


@pytest.mark.e2e
def test_warnings_fail_only_by_choice_and_a_raised_severity_fails(repo: Repo) -> None:
    repo.commit("base", {"README.md": "r\n", "agentcheck.toml": 'enforce = "all"\n'})
    repo.write("AGENTS.md", "Be careful.\n")
    result = repo.run("diff", "--format", "json")
    assert result.code == 0  # warnings do not fail by default
    assert [(f["code"], f["severity"]) for f in result.json()["findings"]] == [("AC303", "warning")]
    assert repo.run("diff", "--fail-on", "warning").code == 1
    repo.commit("raise", {"agentcheck.toml": 'enforce = "all"\n[severity]\nAC303 = "error"\n'})
    repo.write("AGENTS.md", "Be very careful.\n")
    result = repo.run("diff", "--format", "json")
    assert result.code == 1
    assert [(f["code"], f["severity"]) for f in result.json()["findings"]] == [("AC303", "error")]


@pytest.mark.e2e
def test_select_ignore_and_exclude_through_the_command(repo: Repo) -> None:
    repo.commit("base", {"agentcheck.toml": 'enforce = "all"\n'})
    repo.write("CLAUDE.md", "x\n")
    repo.write(".github/workflows/a.yml", "on: push\n")
    assert sorted(diff_codes(repo)) == ["AC301", "AC303"]
    assert diff_codes(repo, "--select", "AC3", "--ignore", "AC301") == ["AC303"]
    assert diff_codes(repo, "--select", "AC301") == ["AC301"]
    repo.commit("exclude", {"agentcheck.toml": 'enforce = "all"\nexclude = ["CLAUDE.md"]\n'})
    repo.write("CLAUDE.md", "y\n")
    assert diff_codes(repo) == []


@pytest.mark.e2e
def test_pull_request_label_waives_a_code(repo: Repo, tmp_path: Path) -> None:
    base = repo.commit("base", {"README.md": "r\n"})
    head = repo.commit("ci", {".github/workflows/a.yml": "on: push\n"})
    payload = pull_request_event(title="CI", labels=("agentcheck:allow-AC301",))
    context = event_file(tmp_path, payload)
    result = repo.run("diff", f"{base}..{head}", "--context", context, "--format", "json")
    assert result.code == 0
    assert [f["code"] for f in result.json()["summary"]["waived"]] == ["AC301"]


@pytest.mark.e2e
def test_text_output_shape(repo: Repo) -> None:
    base = repo.commit("base", {".agentcheck/task.toml": 'id = "T"\npaths = ["src/**"]\n'})
    repo.write("lib/x.py", "\tvalue = 1\n")
    repo.write("src/y.py", "\tname = 'a\u202eb'\n")
    result = repo.run("diff")
    assert result.code == 1
    about_file, on_a_line, summary = result.out.split("\n\n")
    # A finding about a whole file: no source line, no caret; the rule's way back.
    assert about_file.splitlines() == [
        "lib/x.py:1:1: AC101 lib/x.py is outside the task's paths (task T: src/**)",
        f"help: {fix_text(catalog.rule('AC101').fix, 'lib/x.py', base[:12])} "
        "(`agentcheck explain AC101` says how to allow it)",
    ]
    assert f"git checkout {base[:12]} -- lib/x.py" in about_file
    lines = on_a_line.splitlines()
    assert lines[0].startswith("src/y.py:1:11: AC502 1 bidirectional control character")
    assert lines[1:4] == ["  |", "1 |     name = 'a<U+202E>b'", "  |              ^"]
    assert lines[4].startswith("help: Deleting the bidirectional control characters")
    assert lines[4].endswith("(`agentcheck explain AC502` says how to allow it)")
    assert summary.splitlines()[-1].startswith("Found 2 errors (2 files,")
    assert "\x1b[" not in result.out  # no colour when stdout is not a terminal


@pytest.mark.e2e
def test_concise_and_quiet_text(repo: Repo) -> None:
    repo.commit("base", {".agentcheck/task.toml": 'id = "T"\npaths = ["src/**"]\n'})
    repo.write("lib/x.py", "x = 1\n")
    repo.write("lib/z.py", "z = 1\n")
    full = repo.run("diff")
    for spelling in ("--output-format", "--format"):  # ruff's name and this tool's
        concise = repo.run("diff", spelling, "concise")
        assert concise.code == full.code == 1
        assert concise.out.splitlines()[:2] == [
            line for line in full.out.splitlines() if ": AC101 " in line
        ]
        assert "help:" not in concise.out
        assert concise.out.splitlines()[-1] == full.out.splitlines()[-1]
    assert repo.run("diff", "--quiet").out == full.out  # findings: the whole report
    repo.git("add", "-A")
    repo.git("commit", "-qm", "lib")
    clean = repo.run("diff", "--quiet")
    assert (clean.code, clean.out, clean.err) == (0, "", "")
    assert "All checks passed" in repo.run("diff").out


@pytest.mark.e2e
def test_policy_from_revision(repo: Repo) -> None:
    base = repo.commit("base", {"agentcheck.toml": "[size]\nmax-lines = 5\n"})
    repo.write("agentcheck.toml", "[size]\nmax-lines = 5000\n")
    repo.write("a.py", "x = 1\n" * 10)
    head = repo.commit("loosen and grow")
    loosened = diff_codes(repo, f"{base}..{head}")
    assert "AC202" not in loosened  # the change's own policy would let it pass
    strict = diff_codes(repo, f"{base}..{head}", "--policy-from", base)
    assert sorted(strict) == ["AC202", "AC302"]


@pytest.mark.e2e
def test_runs_from_a_subdirectory_with_root_relative_paths(repo: Repo) -> None:
    repo.commit("base", {".agentcheck/task.toml": 'paths = ["src/**"]\n', "lib/x.py": "x\n"})
    repo.write("lib/x.py", "y\n")
    result = repo.run("diff", "--format", "json", cwd=repo.root / "lib")
    assert result.code == 1
    assert [(f["code"], f["path"]) for f in result.json()["findings"]] == [("AC101", "lib/x.py")]


def _on_terminal(repo: Repo, env: dict[str, str]) -> tuple[int, str]:
    """Run `agentcheck diff` with its output on a pseudo-terminal."""
    import os
    import pty
    import subprocess

    from tests.conftest import COMMAND

    main, secondary = pty.openpty()
    process = subprocess.Popen(
        [*COMMAND, "diff"], cwd=repo.root, stdout=secondary, stderr=secondary, env=env
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(main)
    return process.returncode, b"".join(chunks).decode()


@pytest.mark.e2e
def test_colour_only_on_a_terminal(repo: Repo) -> None:
    from tests.conftest import clean_env

    repo.commit("base", {"a": "a\n", "agentcheck.toml": 'enforce = "all"\n'})
    repo.write(".github/workflows/x.yml", "on: push\n")
    code, shown = _on_terminal(repo, clean_env(TERM="xterm"))
    assert code == 1
    assert "\x1b[" in shown
    assert "AC301" in shown
    assert "\x1b[" not in repo.run("diff").out
    code, plain = _on_terminal(repo, clean_env(TERM="xterm", NO_COLOR="1"))
    assert code == 1
    assert "\x1b[" not in plain
    assert "AC301" in plain
