"""agentcheck never writes to the repository it checks: index, refs, HEAD, config and work tree
are byte-identical before and after every command."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Repo


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
]

FIXTURES: dict[str, Callable[[Repo], None]] = {
    "busy": busy_repository,
    "conflicted": conflicted_repository,
    "empty": empty_repository,
}


@pytest.mark.parametrize("fixture", sorted(FIXTURES))
def test_no_command_changes_the_repository(repo: Repo, fixture: str, tmp_path: Path) -> None:
    FIXTURES[fixture](repo)
    before = repo.snapshot()
    assert before, "the snapshot must see the repository"
    patch = tmp_path / "change.diff"
    patch.write_text("--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n")
    ran = 0
    for command in [*COMMANDS, ("diff", "--patch", str(patch))]:
        result = repo.run(*command)
        assert result.code in (0, 1, 2), (command, result.err)
        assert "Traceback" not in result.err
        ran += 1
        assert repo.snapshot() == before, f"agentcheck {' '.join(command)} changed the repository"
    assert ran == len(COMMANDS) + 1


def test_snapshot_notices_a_change(repo: Repo) -> None:
    """The guard above can fail: a write to the index or work tree changes the snapshot."""
    busy_repository(repo)
    before = repo.snapshot()
    repo.git("add", "untracked.py")
    assert repo.snapshot() != before
