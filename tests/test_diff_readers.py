"""The two diff readers (checker/adapters/gitdiff.py for git's own -z output, patchfile.py for
a patch file through unidiff) read the same change of a real repository, written once by git
with raw records and once as a plain patch, to the same files and lines."""

from __future__ import annotations

import subprocess

import pytest

from checker.adapters.git import Repository
from checker.adapters.patchfile import parse_patch
from checker.model.change import FileChange
from tests.conftest import Repo, clean_env

pytestmark = pytest.mark.e2e


def _seen(change: FileChange) -> tuple[object, ...]:
    return (
        change.path,
        change.old_path,
        change.status,
        tuple((line.number, line.text) for line in change.added),
        tuple((line.number, line.text) for line in change.removed),
        change.binary,
    )


def test_git_output_and_the_same_patch_read_alike(repo: Repo) -> None:
    lines = "".join(f"line {n}\n" for n in range(1, 41))
    base = repo.commit(
        "base",
        {
            "edit.py": "a = 1\nb = 2\nc = 3\n",
            "gone.txt": "bye\n",
            "moved/old_name.md": lines,
            "caf\u00e9/men\u00fc.txt": "eins\nzwei\n",
            "tool.sh": "echo hi\n",
            "data.bin": b"\x00\x01\x02",
            "crlf.txt": "one\r\ntwo\r\n",
        },
    )
    repo.write("edit.py", "a = 1\nb = 20\nc = 3\nd = 4\n")
    (repo.root / "gone.txt").unlink()
    repo.git("mv", "moved/old_name.md", "moved/new name.md")
    repo.write("moved/new name.md", lines.replace("line 20\n", "line twenty\n"))
    repo.write("caf\u00e9/men\u00fc.txt", "eins\nzwei\ndrei\n")
    repo.write("new/file.py", "print('new')\n")
    repo.write("data.bin", b"\x00\x01\x03")
    repo.write("crlf.txt", "one\r\nTWO\r\n")
    (repo.root / "tool.sh").chmod(0o755)
    head = repo.commit("change")

    with Repository.find(repo.root) as git:
        from_git, _, _ = git.diff(base, head)
    patch = subprocess.run(
        ["git", "diff", "-M", "-U0", "--no-color", "--no-ext-diff", base, head],
        cwd=repo.root,
        env=clean_env(),
        capture_output=True,
        check=True,
    ).stdout
    from_patch = parse_patch(patch, "change.diff")

    by_git = sorted(_seen(c) for c in from_git)
    by_patch = sorted(_seen(c) for c in from_patch)
    assert by_git == by_patch
    assert {c[2] for c in by_git} >= {"added", "deleted", "modified", "renamed"}
    assert len(by_git) == 8
