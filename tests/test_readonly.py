"""agentcheck never writes to the repository it checks: index, refs, HEAD, config and work tree
are byte-identical before and after every command (every mode and format of diff, scan, rules,
explain, init --stdout, every hook of .pre-commit-hooks.yaml, `agentcheck hook` for every
agent), on every fixture. The action
fetches what a shallow clone lacks, its one documented write, and writes nothing else."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import Repo, clean_env

pytestmark = pytest.mark.e2e


def busy_repository(repo: Repo) -> None:
    """Staged, unstaged, untracked and ignored changes, with stat data made stale."""
    repo.commit("base", {".gitignore": "*.log\n", "a.py": "a = 1\n", "agentcheck.toml": ""})
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("feature", {"b.py": "b = 1\n", "AGENTS.md": "Be nice.\n"})
    repo.write("a.py", "a = 2\n")
    repo.git("add", "a.py")
    repo.write("a.py", "a = 3\n")
    repo.write("untracked.py", "u = 1\n")
    repo.write("debug.log", "ignored\n")
    later = time.time() + 5
    os.utime(repo.root / "b.py", (later, later))  # a refresh of the index would rewrite it


def conflicted_repository(repo: Repo) -> None:
    repo.commit("base", {"f.txt": "a\n"})
    repo.git("checkout", "-q", "-b", "other")
    repo.commit("other", {"f.txt": "b\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main", {"f.txt": "c\n"})
    repo.git("merge", "-q", "other", check=False)


def empty_repository(repo: Repo) -> None:
    repo.write("new.py", "n = 1\n")
    repo.git("add", "new.py")
    repo.write("other.py", "o = 1\n")


def root_commit_repository(repo: Repo) -> None:
    repo.commit("root", {"a.py": "a = 1\n", "AGENTS.md": "Be brief.\n"})
    repo.write("a.py", "a = 2\n")


def shapes_repository(repo: Repo) -> None:
    """Many shapes at once (each run of every command costs time): a merge commit, a detached
    HEAD, a submodule whose pointer moved, symbolic links (one dangling, one leaving the
    repository, a file turned into one), names with line breaks, quotes and non-ASCII, and
    files over the read cap (a 16 MiB sparse untracked one, a 9 MiB staged one)."""
    names = ["new\nline.txt", 'q"uote', "tab\there", "\u00fcn\u00ef/\u0444.txt", "-dash", "a b/c d"]
    repo.commit(
        "base",
        {"a.py": "a = 1\n", "target.txt": "t\n", "was_file": "x\n", **dict.fromkeys(names, "1\n")},
    )
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit("topic", {"topic.py": "t = 1\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main", {"main.py": "m = 1\n"})
    repo.git("merge", "-q", "--no-ff", "-m", "merge topic", "topic")
    sub = Repo(repo.root.parent / "sub")
    sub.commit("one", {"s.txt": "1\n"})
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub.root), "lib")
    repo.git("commit", "-qm", "add submodule")
    repo.git("checkout", "-q", "--detach", "HEAD")
    second = sub.commit("two", {"s.txt": "2\n"})
    repo.git("-C", "lib", "fetch", "-q", "origin")
    repo.git("-C", "lib", "checkout", "-q", second)
    repo.write("lib/untracked-inside.txt", "x\n")
    os.symlink("target.txt", repo.root / "link")
    os.symlink("../outside-the-repository", repo.root / "escape")
    os.symlink("nowhere", repo.root / "dangling")
    (repo.root / "was_file").unlink()
    os.symlink("target.txt", repo.root / "was_file")
    for name in names:
        repo.write(name, "2\n")
    repo.write("sp ace/\u200bhidden.md", "x\n")
    big = repo.write("dump.sql", b"insert 1;\n" * 900)
    os.truncate(big, 16 << 20)
    repo.write("data.csv", b"1,2\n" * (9 << 18))
    repo.git("add", "link", "was_file", names[0], names[1], "data.csv")
    repo.write("a.py", "a = 2\n")


def shallow_repository(repo: Repo) -> None:
    origin = Repo(repo.root.parent / "origin")
    for i in range(3):
        origin.commit(f"c{i}", {"a.py": f"a = {i}\n"})
    repo.git("remote", "add", "origin", origin.root.as_uri())
    repo.git("fetch", "-q", "--depth", "1", "origin", "main")
    repo.git("checkout", "-q", "-B", "main", "origin/main")
    repo.write("a.py", "a = 9\n")


COMMANDS: list[tuple[str, ...]] = [
    ("diff",),
    ("diff", "--staged"),
    ("diff", "--format", "json"),
    ("diff", "--show-change"),
    ("diff", "HEAD"),
    ("diff", "main..HEAD"),
    ("diff", "main...HEAD"),
    ("diff", "--base", "main"),
    ("diff", "--policy-from", "main"),
    ("rules",),
    ("explain", "AC101"),
    ("init", "--stdout"),
    ("diff", "--format", "sarif"),
    ("diff", "--format", "github"),
    ("diff", "--staged", "--format", "sarif"),
    ("diff", "HEAD", "--format", "github"),
    ("diff", "HEAD", "--format", "json"),
    ("scan",),
    ("scan", "."),
    ("scan", ".", "--format", "json"),
    ("rules", "--format", "json"),
    ("explain", "AC901"),
    ("--version",),
]

# Commands whose git reads are those of another command above (the same mode in another format,
# or no repository read at all): every fixture runs the modes, two run these as well.
SAME_READS: set[tuple[str, ...]] = {
    ("diff", "--format", "json"),
    ("diff", "--format", "sarif"),
    ("diff", "--format", "github"),
    ("diff", "--staged", "--format", "sarif"),
    ("diff", "HEAD", "--format", "github"),
    ("diff", "HEAD", "--format", "json"),
    ("scan", ".", "--format", "json"),
    ("rules",),
    ("rules", "--format", "json"),
    ("explain", "AC101"),
    ("explain", "AC901"),
    ("--version",),
}
EVERY_COMMAND = {"busy", "shapes"}

FIXTURES: dict[str, Callable[[Repo], None]] = {
    "busy": busy_repository,
    "conflicted": conflicted_repository,
    "empty": empty_repository,
    "root-commit": root_commit_repository,
    "shallow": shallow_repository,
    "shapes": shapes_repository,
}
HOOKS = Path(__file__).resolve().parents[1] / ".pre-commit-hooks.yaml"


def hook_commands(repo: Repo, message: Path) -> list[tuple[tuple[str, ...], dict[str, str]]]:
    """Every hook of .pre-commit-hooks.yaml as pre-commit runs it: its entry, the files it is
    passed (every tracked file for those that take files), the commit message file, the refs
    of a push."""
    import yaml

    files = [p for p in repo.git("ls-files", "-z").split("\0") if p]
    commands = []
    for hook in yaml.safe_load(HOOKS.read_text()):
        words = shlex.split(hook["entry"])
        assert words[0] == "agentcheck", hook["id"]
        args = words[1:]
        env = clean_env(PRE_COMMIT="1", PRE_COMMIT_FROM_REF="main", PRE_COMMIT_TO_REF="HEAD")
        if "commit-msg" in hook.get("stages", []):
            args.append(str(message))
        elif hook.get("pass_filenames", True):
            args += files
        commands.append((tuple(args), env))
    return commands


@pytest.mark.parametrize("fixture", sorted(FIXTURES))
def test_no_command_changes_the_repository(repo: Repo, fixture: str, tmp_path: Path) -> None:
    FIXTURES[fixture](repo)
    before = repo.snapshot()
    assert before, "the snapshot must see the repository"
    outside = tmp_path / "outside"
    outside.mkdir()
    patch = outside / "change.diff"
    patch.write_text("--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n")
    message = outside / "COMMIT_EDITMSG"
    message.write_text("Change a.py\n\nTests added.\n")
    event = outside / "event.json"
    event.write_text('{"pull_request": {"title": "t", "body": "b", "labels": [{"name": "x"}]}}')
    every = fixture in EVERY_COMMAND
    runs: list[tuple[tuple[str, ...], dict[str, str] | None]] = [
        (c, None) for c in COMMANDS if every or c not in SAME_READS
    ]
    runs += [
        (("diff", "--patch", str(patch)), None),
        (("diff", "--context", str(event), "--format", "github"), None),
        (("diff", "--staged", "--message", str(message)), None),
        *hook_commands(repo, message),
    ]
    if every:  # reports written to files outside the repository
        runs += [
            (("diff", "--output", str(outside / "report.txt")), None),
            (("diff", "--sarif", str(outside / "report.sarif"), "--format", "json"), None),
            (
                ("diff", "--format", "github"),
                clean_env(GITHUB_STEP_SUMMARY=str(outside / "sum.md")),
            ),
        ]
    # Two at a time: read-only runs side by side are part of the guarantee (and halve the time).
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda run: repo.run(*run[0], env=run[1]), runs))
    for (command, _), result in zip(runs, results, strict=True):
        assert result.code in (0, 1, 2), (command, result.err)
        assert "Traceback" not in result.err, (command, result.err)
    # Every agent's end-of-turn hook, blocking and then let go: its state goes to the cache
    # folder, never into the repository. The agents differ in what they say, not in what the
    # hook reads of git: every one on the two fixtures that run every command, one elsewhere.
    cache = clean_env(XDG_CACHE_HOME=str(outside / "cache"))
    agents = ("claude", "codex", "gemini", "copilot", "cursor") if every else ("codex",)
    for agent in agents:
        for again in (False, True):
            stop = {"cwd": str(repo.root), "session_id": "s", "stop_hook_active": again}
            hooked = repo.run("hook", agent, stdin=json.dumps(stop).encode(), env=cache)
            assert hooked.code == 0, (agent, hooked.err)
            assert repo.snapshot() == before, f"agentcheck hook {agent} wrote"
    if repo.snapshot() != before:
        for command, env in runs:  # name the culprit
            repo.run(*command, env=env)
            assert repo.snapshot() == before, f"agentcheck {shlex.join(command)} wrote"
    assert repo.snapshot() == before
    assert len(runs) >= len(COMMANDS) - len(SAME_READS) + 3 + 4, "every hook of the manifest ran"


def git_state(root: Path) -> dict[str, str]:
    """Every file under .git and the work tree, by content hash."""
    state = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            state[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


@pytest.mark.parametrize("depth", [None, 1])
def test_action_writes_only_the_history_it_fetches(tmp_path: Path, depth: int | None) -> None:
    """A full clone is left byte for byte as it was, .git included; a shallow one gains
    objects, its shallow list and FETCH_HEAD, and nothing else."""
    from tests.test_action import clone, event, origin_with_pr, run_action

    origin, base, head = origin_with_pr(
        tmp_path, "copilot/x", {"src/notifications/schema.py": "FIELDS = ()\n"}
    )
    work = clone(tmp_path, origin, "copilot/x", depth=depth)
    before = git_state(work)
    run = run_action(
        tmp_path, work, event(origin, head_branch="copilot/x", head_sha=head, base_sha=base)
    )
    assert run.code == 0, run.err
    after = git_state(work)
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    fetched = {".git/shallow", ".git/FETCH_HEAD"}
    if depth is None:
        assert changed == set()
    else:
        assert changed, "the shallow clone needed history"
        assert {p for p in changed if not p.startswith(".git/objects/")} <= fetched, changed


def test_snapshot_notices_a_change(repo: Repo) -> None:
    """The guard above can fail: a write to the index or work tree changes the snapshot."""
    busy_repository(repo)
    before = repo.snapshot()
    repo.git("add", "untracked.py")
    assert repo.snapshot() != before
