"""Bad input: a one-paragraph message naming the file, key or line and the fix; exit 2; never a
traceback and never a silent pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Repo, run_agentcheck

pytestmark = pytest.mark.e2e


def assert_error(result_code: int, err: str, *fragments: str) -> None:
    assert result_code == 2, err
    assert "Traceback" not in err
    assert err.startswith("agentcheck: error: ")
    assert err.count("\n") == 1, f"one paragraph expected: {err!r}"
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in {err!r}"


POLICY_CASES = [
    ("not toml", "[size\nmax-lines = 1\n", ("agentcheck.toml", "not valid TOML", "line 1")),
    (
        "unknown top key",
        'fail-on = "error"\nfail_on = "x"\n',
        ("agentcheck.toml:2", "fail_on", "Did you mean 'fail-on'"),
    ),
    (
        "unknown nested key",
        "[size]\nmax_lines = 5\n",
        ("agentcheck.toml:2", "size.max_lines", "max-lines"),
    ),
    (
        "wrong type",
        '[size]\nmax-lines = "many"\n',
        ("agentcheck.toml:2", "size.max-lines", "whole number"),
    ),
    ("negative", "[size]\nmax-files = -1\n", ("agentcheck.toml:2", "above 0")),
    ("bool for number", "[size]\nratio = true\n", ("agentcheck.toml:2", "size.ratio")),
    ("bad enum", 'fail-on = "sometimes"\n', ("agentcheck.toml:1", "fail-on", "'error'")),
    ("bad glob", 'exclude = ["vendor/[abc"]\n', ("agentcheck.toml:1", "exclude", "bad glob")),
    (
        "empty glob",
        '[paths]\nprotected = [""]\n',
        ("agentcheck.toml:2", "paths.protected", "empty"),
    ),
    ("string not list", 'exclude = "vendor/**"\n', ("agentcheck.toml:1", 'write ["vendor/**"]')),
    ("table not value", "size = 5\n", ("agentcheck.toml:1", "must be a table")),
    (
        "unknown code",
        '[severity]\nAC999 = "error"\n',
        ("agentcheck.toml", "AC999", "agentcheck rules"),
    ),
    ("bad severity", '[severity]\nAC303 = "fatal"\n', ("agentcheck.toml", "AC303", '"warning"')),
    (
        "bad code point",
        '[unicode]\nallow = ["zero width"]\n',
        ("agentcheck.toml:2", "unicode.allow", "U+200E"),
    ),
    ("not utf-8", b'fail-on = "error" # caf\xe9\n', ("agentcheck.toml", "UTF-8")),
]


@pytest.mark.parametrize(
    ("name", "text", "fragments"), POLICY_CASES, ids=[c[0] for c in POLICY_CASES]
)
def test_bad_policy(repo: Repo, name: str, text: str | bytes, fragments: tuple[str, ...]) -> None:
    repo.commit("base", {"a.txt": "a\n"})
    repo.write("agentcheck.toml", text)
    result = repo.run("diff")
    assert_error(result.code, result.err, *fragments)
    assert result.out == ""


def test_bad_policy_in_pyproject_names_the_table(repo: Repo) -> None:
    repo.commit(
        "base", {"pyproject.toml": '[project]\nname = "x"\n\n[tool.agentcheck]\nfail-on = 3\n'}
    )
    result = repo.run("diff")
    assert_error(result.code, result.err, "pyproject.toml [tool.agentcheck]:5", "fail-on")


TASK_CASES = [
    ("not toml", "paths = [\n", ("task.toml", "not valid TOML")),
    ("unknown key", 'path = ["src/**"]\n', ("task.toml:1", "Did you mean 'paths'")),
    ("wrong type", "expected-lines = 1.5\n", ("task.toml:1", "expected-lines", "whole number")),
    ("bad glob", 'forbid = ["["]\n', ("task.toml:1", "forbid", "bad glob")),
    (
        "bad edge",
        'allow-imports = ["a to b"]\n',
        ("task.toml:1", "allow-imports", "importer -> imported"),
    ),
    ("bad id", "id = 12\n", ("task.toml:1", "id", "string")),
]


@pytest.mark.parametrize(("name", "text", "fragments"), TASK_CASES, ids=[c[0] for c in TASK_CASES])
def test_bad_task(repo: Repo, name: str, text: str, fragments: tuple[str, ...]) -> None:
    repo.commit("base", {"a.txt": "a\n"})
    repo.write(".agentcheck/task.toml", text)
    result = repo.run("diff")
    assert_error(result.code, result.err, *fragments)


def test_missing_files(repo: Repo) -> None:
    repo.commit("base", {"a.txt": "a\n"})
    for args, fragment in (
        (("--config", "nope.toml"), "--config nope.toml: no such file"),
        (("--task", "nope.toml"), "--task nope.toml: cannot be read"),
        (("--patch", "nope.diff"), "--patch nope.diff: cannot be read"),
        (("--context", "nope.json"), "--context nope.json: cannot be read"),
        (("--message", "nope.txt"), "--message nope.txt: cannot be read"),
    ):
        result = repo.run("diff", *args)
        assert_error(result.code, result.err, fragment)


def test_not_a_repository(tmp_path: Path) -> None:
    result = run_agentcheck("diff", cwd=tmp_path)
    assert_error(result.code, result.err, "is not inside a git repository", "--patch")


def test_unknown_revisions(repo: Repo) -> None:
    repo.commit("base", {"a.txt": "a\n"})
    for args, fragment in (
        (("nosuchbranch",), "unknown revision 'nosuchbranch'"),
        (("main..nosuch",), "unknown revision 'nosuch'"),
        (("nosuch...main",), "unknown revision 'nosuch'"),
        (("--base", "origin/main"), "unknown revision 'origin/main'"),
        (("--policy-from", "v9"), "unknown revision 'v9'"),
        (("--upload-pack=x",), "No such option"),
    ):
        result = repo.run("diff", *args)
        assert result.code == 2, (args, result.err)
        assert fragment in result.err, (fragment, result.err)
        assert "Traceback" not in result.err


def test_shallow_clone_without_the_base(repo: Repo, tmp_path: Path) -> None:
    first = repo.commit("one", {"a.txt": "1\n"})
    repo.commit("two", {"b.txt": "2\n"})
    clone = tmp_path / "shallow"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone))
    result = run_agentcheck("diff", f"{first}..HEAD", cwd=clone)
    assert_error(result.code, result.err, "shallow", "fetch-depth: 0")


def test_unrelated_histories(repo: Repo) -> None:
    repo.commit("main", {"a.txt": "1\n"})
    repo.git("checkout", "-q", "--orphan", "other")
    repo.commit("other root", {"b.txt": "2\n"})
    result = repo.run("diff", "main...other")
    assert_error(result.code, result.err, "no merge base", "share no commit")


def test_conflicting_modes(repo: Repo) -> None:
    repo.commit("base", {"a.txt": "a\n"})
    result = repo.run("diff", "--staged", "HEAD")
    assert_error(result.code, result.err, "cannot be combined")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"not a diff at all\n", "holds no unified diff"),
        (b"--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n", "not a unified diff"),
    ],
)
def test_bad_patch(tmp_path: Path, content: bytes, fragment: str) -> None:
    patch = tmp_path / "bad.diff"
    patch.write_bytes(content)
    result = run_agentcheck("diff", "--patch", str(patch), cwd=tmp_path)
    assert_error(result.code, result.err, fragment)


def test_empty_patch_is_an_empty_change(tmp_path: Path) -> None:
    result = run_agentcheck("diff", "--patch", "-", cwd=tmp_path, stdin=b"")
    assert result.code == 0
    assert "0 files" in result.out


@pytest.mark.parametrize(
    ("event", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        (json.dumps({"pull_request": "x"}), "pull_request must be an object"),
        (json.dumps({"pull_request": {"title": 5}}), "pull_request.title must be a string"),
        (json.dumps({"pull_request": {"labels": "bug"}}), "labels must be a list"),
        (json.dumps({"pull_request": {"user": []}}), "pull_request.user must be an object"),
        ("[" * 100000 + "]" * 100000, "not valid JSON"),
    ],
)
def test_hostile_event_json(repo: Repo, tmp_path: Path, event: str, fragment: str) -> None:
    repo.commit("base", {"a.txt": "a\n"})
    path = tmp_path / "event.json"
    path.write_text(event)
    result = repo.run("diff", "--context", str(path))
    assert_error(result.code, result.err, fragment)


def test_bad_pr_body_task_block(repo: Repo, tmp_path: Path) -> None:
    repo.commit("base", {"a.txt": "a\n"})
    event = {"pull_request": {"body": "```agentcheck\npaths = 3\n```\n"}}
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    result = repo.run("diff", "--context", str(path))
    assert_error(result.code, result.err, "the pull request body", "paths")


def test_unknown_select_codes(repo: Repo) -> None:
    repo.commit("base", {"a.txt": "a\n"})
    result = repo.run("diff", "--select", "XYZ1")
    assert_error(result.code, result.err, "--select XYZ1", "agentcheck rules")
    result = repo.run("diff", "--ignore", "AC1,AC9999")
    assert_error(result.code, result.err, "--ignore AC9999")


def test_explain_unknown_code(tmp_path: Path) -> None:
    result = run_agentcheck("explain", "AC000", cwd=tmp_path)
    assert_error(result.code, result.err, "no rule 'AC000'")


def test_usage_errors_exit_2(repo: Repo) -> None:
    result = repo.run("diff", "--format", "yaml")
    assert result.code == 2
    assert "Invalid value for '--format'" in result.err
    result = repo.run("nosuchcommand")
    assert result.code == 2
