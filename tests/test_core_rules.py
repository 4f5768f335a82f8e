"""One test (at least) per core rule code, on real repositories through the real command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from checker.config import catalog
from checker.report.rules import fix_text
from tests.conftest import Repo, diff_findings

TASK = """
id = "NOTIF-12"
summary = "Add the notification schema"
paths = ["src/notifications/**", "tests/notifications/**"]
forbid = ["src/notifications/legacy/**"]
"""


def findings(repo: Repo, *args: str) -> list[dict[str, Any]]:
    return diff_findings(repo, *args)


def codes(repo: Repo, *args: str) -> list[str]:
    return [f["code"] for f in findings(repo, *args)]


def test_ac101_outside_task_paths(repo: Repo) -> None:
    repo.commit("base", {".agentcheck/task.toml": TASK, "src/billing/invoice.py": "x = 1\n"})
    repo.write("src/notifications/schema.py", "fields = []\n")
    repo.write("src/billing/invoice.py", "x = 2\n")
    found = findings(repo)
    assert [(f["code"], f["path"], f["line"]) for f in found] == [
        ("AC101", "src/billing/invoice.py", 1)
    ]
    assert "NOTIF-12" in found[0]["message"]


def test_ac101_rename_out_of_scope_counts_both_sides(repo: Repo) -> None:
    repo.commit("base", {".agentcheck/task.toml": TASK, "src/notifications/a.py": "a = 1\n" * 9})
    (repo.root / "src/other").mkdir(parents=True)
    repo.git("mv", "src/notifications/a.py", "src/other/a.py")
    found = findings(repo)
    assert [f["code"] for f in found] == ["AC101"]
    assert "renamed from src/notifications/a.py" in found[0]["message"]


def test_ac102_forbidden_even_inside_paths(repo: Repo) -> None:
    repo.commit("base", {".agentcheck/task.toml": TASK})
    repo.write("src/notifications/legacy/old.py", "y = 1\n")
    found = findings(repo)
    assert [f["code"] for f in found] == ["AC102"]
    assert "src/notifications/legacy/**" in found[0]["message"]


def test_ac103_task_required(repo: Repo) -> None:
    repo.commit("base", {"agentcheck.toml": "require-task = true\n"})
    repo.write("a.py", "a = 1\n")
    found = findings(repo)
    assert [(f["code"], f["path"], f["line"]) for f in found] == [("AC103", "agentcheck.toml", 1)]
    repo.write(".agentcheck/task.toml", 'paths = ["a.py"]\n')
    assert codes(repo) == []


def test_ac103_task_from_the_pull_request_body(repo: Repo, tmp_path: Path) -> None:
    repo.commit("base", {"agentcheck.toml": "require-task = true\n"})
    repo.write("src/a.py", "a = 1\n")
    repo.write("lib/b.py", "b = 1\n")
    event = {
        "pull_request": {
            "number": 7,
            "title": "Add a",
            "body": 'Adds a.\n\n```agentcheck\nid = "T-1"\npaths = ["src/**"]\n```\n',
            "user": {"login": "someone"},
            "head": {"ref": "feature", "sha": "0" * 40},
            "base": {"ref": "main", "sha": "1" * 40},
            "labels": [],
        }
    }
    event_path = tmp_path / "event.json"
    event_path.write_text(json.dumps(event))
    found = findings(repo, "--context", str(event_path))
    assert [(f["code"], f["path"]) for f in found] == [("AC101", "lib/b.py")]


def test_ac201_over_expected_lines(repo: Repo) -> None:
    repo.commit("base", {".agentcheck/task.toml": "expected-lines = 10\n"})
    repo.write("a.py", "x = 1\n" * 31)
    found = findings(repo)
    assert [(f["code"], f["path"], f["line"]) for f in found] == [
        ("AC201", ".agentcheck/task.toml", 1)
    ]
    assert "31 changed lines" in found[0]["message"]
    repo.write("a.py", "x = 1\n" * 30)  # exactly 3 x 10 is allowed
    assert codes(repo) == []


def test_ac202_over_max_lines_excluding_lockfiles_generated_and_renames(repo: Repo) -> None:
    repo.commit(
        "base",
        {
            "agentcheck.toml": '[size]\nmax-lines = 20\nignore = ["data/**"]\n',
            ".gitattributes": "gen/*.txt linguist-generated\n",
            "moved.txt": "same\n" * 50,
        },
    )
    repo.git("mv", "moved.txt", "renamed.txt")
    repo.write("package-lock.json", "{}\n" * 100)
    repo.write("data/big.csv", "1\n" * 100)
    repo.write("gen/out.txt", "g\n" * 100)
    repo.write("vendor/lib.js", "v\n" * 100)
    repo.write("app.min.js", "m\n" * 100)
    repo.write("src/real.py", "r = 1\n" * 20)
    assert codes(repo, "--select", "AC2") == []
    repo.write("src/real.py", "r = 1\n" * 21)
    found = findings(repo, "--select", "AC2")
    assert [(f["code"], f["path"], f["line"]) for f in found] == [("AC202", "agentcheck.toml", 2)]
    assert "21 changed lines" in found[0]["message"]


def test_ac202_default_limit_without_policy(repo: Repo) -> None:
    repo.commit("base", {"a.txt": "a\n"})
    repo.write("big.py", "x = 1\n" * 1001)
    found = findings(repo)
    assert [(f["code"], f["path"]) for f in found] == [("AC202", None)]


def test_ac203_files_over_max_and_over_expected(repo: Repo) -> None:
    repo.commit(
        "base",
        {
            "agentcheck.toml": "[size]\nmax-files = 5\n",
            ".agentcheck/task.toml": "expected-files = 1\n",
        },
    )
    for i in range(4):
        repo.write(f"f{i}.py", f"x = {i}\n")
    found = findings(repo)
    assert [f["code"] for f in found] == ["AC203"]
    assert "expected-files 1" in found[0]["message"]
    for i in range(6):
        repo.write(f"f{i}.py", f"x = {i}\n")
    messages = sorted(f["message"] for f in findings(repo) if f["code"] == "AC203")
    assert len(messages) == 2
    assert "size.max-files 5" in messages[1] or "size.max-files 5" in messages[0]


def test_ac301_protected_paths_and_task_allowance(repo: Repo) -> None:
    repo.commit("base", {"README.md": "r\n"})
    repo.write(".github/workflows/ci.yml", "on: push\n")
    repo.write("db/migrations/0001_init.sql", "create table t();\n")
    repo.write("poetry.lock", "# lock\n")
    repo.write("CODEOWNERS", "* @team\n")
    found = {f["path"]: f for f in findings(repo)}
    assert {p for p, f in found.items() if f["code"] == "AC301"} == {
        ".github/workflows/ci.yml",
        "db/migrations/0001_init.sql",
        "poetry.lock",
        "CODEOWNERS",
    }
    assert ".github/workflows/**" in found[".github/workflows/ci.yml"]["message"]
    repo.write(".agentcheck/task.toml", 'allow-protected = ["db/migrations/**", "poetry.lock"]\n')
    remaining = {f["path"] for f in findings(repo) if f["code"] == "AC301"}
    assert remaining == {".github/workflows/ci.yml", "CODEOWNERS"}


def test_ac301_policy_adds_and_negates_protected_paths(repo: Repo) -> None:
    policy = '[paths]\nprotected = ["deploy/**", "!**/migrations/**"]\n'
    repo.commit("base", {"agentcheck.toml": policy})
    repo.write("deploy/prod.yaml", "replicas: 3\n")
    repo.write("app/migrations/0002.py", "ops = []\n")
    assert [(f["code"], f["path"]) for f in findings(repo)] == [("AC301", "deploy/prod.yaml")]


def test_ac302_policy_file_changed(repo: Repo) -> None:
    base = repo.commit("base", {"agentcheck.toml": "[size]\nmax-lines = 100\n"})
    repo.write("agentcheck.toml", "[size]\nmax-lines = 100000\n")
    head = repo.commit("loosen")
    assert codes(repo, f"{base}..{head}") == ["AC302"]


def test_ac302_pyproject_only_when_the_agentcheck_table_changes(repo: Repo) -> None:
    pyproject = '[project]\nname = "x"\nversion = "1"\n\n[tool.agentcheck]\nfail-on = "error"\n'
    base = repo.commit("base", {"pyproject.toml": pyproject})
    repo.write("pyproject.toml", pyproject.replace('version = "1"', 'version = "2"'))
    head = repo.commit("bump")
    assert codes(repo, f"{base}..{head}") == []
    repo.write("pyproject.toml", pyproject + "[tool.agentcheck.size]\nmax-lines = 99999\n")
    loosen = repo.commit("loosen")
    assert codes(repo, f"{head}..{loosen}") == ["AC302"]


def test_ac302_task_spec_added_while_setting_up_is_not_reported(repo: Repo) -> None:
    repo.commit("base", {"README.md": "r\n"})
    repo.write(".agentcheck/task.toml", 'paths = ["src/**"]\n')
    repo.write("agentcheck.toml", "[size]\nmax-lines = 100\n")
    repo.write("src/a.py", "a = 1\n")
    assert codes(repo) == []
    repo.git("add", "-A")
    assert codes(repo, "--staged") == []
    head = repo.commit("task and work")
    assert codes(repo, head) == ["AC302", "AC302"]  # committed: the edits need review


def test_ac303_instruction_file_changed_is_a_warning(repo: Repo) -> None:
    repo.commit("base", {"README.md": "r\n", "agentcheck.toml": 'enforce = "all"\n'})
    repo.write("AGENTS.md", "Be careful.\n")
    repo.write("skills/deploy/SKILL.md", "---\nname: deploy\n---\n")
    repo.write(".cursor/rules/style.mdc", "Use tabs.\n")
    result = repo.run("diff", "--format", "json")
    assert result.code == 0  # warnings do not fail by default
    found = result.json()["findings"]
    assert {(f["code"], f["severity"], f["path"]) for f in found} == {
        ("AC303", "warning", "AGENTS.md"),
        ("AC303", "warning", "skills/deploy/SKILL.md"),
        ("AC303", "warning", ".cursor/rules/style.mdc"),
    }
    assert repo.run("diff", "--fail-on", "warning").code == 1


def test_policy_instruction_files_extend_the_list(repo: Repo) -> None:
    repo.commit("base", {"agentcheck.toml": 'instruction-files = ["docs/agents/*.md"]\n'})
    repo.write("docs/agents/review.md", "Review rules\n")
    assert codes(repo) == ["AC303"]


def test_severity_override_select_ignore_and_exclude(repo: Repo) -> None:
    repo.commit("base", {"agentcheck.toml": 'enforce = "all"\n[severity]\nAC303 = "error"\n'})
    repo.write("CLAUDE.md", "x\n")
    repo.write(".github/workflows/a.yml", "on: push\n")
    result = repo.run("diff", "--format", "json")
    assert result.code == 1
    assert {(f["code"], f["severity"]) for f in result.json()["findings"]} == {
        ("AC303", "error"),
        ("AC301", "error"),
    }
    assert codes(repo, "--select", "AC3", "--ignore", "AC301") == ["AC303"]
    assert codes(repo, "--select", "AC301") == ["AC301"]
    repo.write("agentcheck.toml", 'exclude = [".github/**"]\n[severity]\nAC3 = "off"\n')
    assert codes(repo) == []


def test_fail_on_never_and_policy_fail_on(repo: Repo) -> None:
    repo.commit("base", {"README.md": "r\n", "agentcheck.toml": 'enforce = "all"\n'})
    repo.write(".github/workflows/a.yml", "on: push\n")
    assert repo.run("diff").code == 1
    assert repo.run("diff", "--fail-on", "never").code == 0
    repo.write("agentcheck.toml", 'enforce = "all"\nfail-on = "never"\n')
    assert repo.run("diff").code == 0


def test_pull_request_label_waives_a_code(repo: Repo, tmp_path: Path) -> None:
    base = repo.commit("base", {"README.md": "r\n"})
    head = repo.commit("ci", {".github/workflows/a.yml": "on: push\n"})
    event = {
        "pull_request": {
            "title": "CI",
            "body": "",
            "user": {"login": "dev"},
            "head": {"ref": "ci"},
            "base": {"ref": "main"},
            "labels": [{"name": "agentcheck:allow-AC301"}],
        }
    }
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    result = repo.run("diff", f"{base}..{head}", "--context", str(path), "--format", "json")
    assert result.code == 0
    assert [f["code"] for f in result.json()["summary"]["waived"]] == ["AC301"]


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


def test_policy_from_revision(repo: Repo) -> None:
    base = repo.commit("base", {"agentcheck.toml": "[size]\nmax-lines = 5\n"})
    repo.write("agentcheck.toml", "[size]\nmax-lines = 5000\n")
    repo.write("a.py", "x = 1\n" * 10)
    head = repo.commit("loosen and grow")
    loosened = codes(repo, f"{base}..{head}")
    assert "AC202" not in loosened  # the change's own policy would let it pass
    strict = codes(repo, f"{base}..{head}", "--policy-from", base)
    assert sorted(strict) == ["AC202", "AC302"]


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
