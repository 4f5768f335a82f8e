"""Reading every shape of change git can produce, through the real command
(`agentcheck diff --show-change` prints the change as agentcheck read it)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Repo, clean_env

pytestmark = pytest.mark.e2e


def show(repo: Repo, *args: str, stdin: bytes | None = None) -> dict[str, Any]:
    result = repo.run("diff", "--show-change", *args, stdin=stdin)
    assert result.code == 0, result.err
    document: dict[str, Any] = json.loads(result.out)
    return document


def files(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["path"]: f for f in document["files"]}


def test_added_modified_deleted_in_a_range(repo: Repo) -> None:
    base = repo.commit("base", {"keep.txt": "one\ntwo\nthree\n", "gone.txt": "bye\n"})
    (repo.root / "gone.txt").unlink()
    repo.write("keep.txt", "one\n2\nthree\nfour\n")
    repo.write("new.txt", "fresh\n")
    head = repo.commit("change")
    seen = files(show(repo, f"{base}..{head}"))
    assert seen["new.txt"]["status"] == "added"
    assert seen["new.txt"]["added"] == [[1, "fresh"]]
    assert seen["gone.txt"]["status"] == "deleted"
    assert seen["gone.txt"]["removed"] == [[1, "bye"]]
    assert seen["keep.txt"]["status"] == "modified"
    assert seen["keep.txt"]["added"] == [[2, "2"], [4, "four"]]
    assert seen["keep.txt"]["removed"] == [[2, "two"]]


def test_rename_with_similarity_and_copy(repo: Repo) -> None:
    body = "".join(f"line {i}\n" for i in range(40))
    other = "".join(f"template {i}\n" for i in range(40))
    repo.commit("base", {"a/original.py": body, "src/template.py": other})
    (repo.root / "b").mkdir()
    repo.git("mv", "a/original.py", "b/moved.py")
    repo.write("b/moved.py", body + "extra\n")
    repo.write("src/template.py", other + "changed\n")
    repo.write("src/copy.py", other)
    repo.git("add", "-A")
    seen = files(show(repo, "--staged"))
    moved = seen["b/moved.py"]
    assert moved["status"] == "renamed"
    assert moved["old_path"] == "a/original.py"
    assert 90 <= moved["similarity"] < 100
    assert moved["added"] == [[41, "extra"]]
    copy = seen["src/copy.py"]
    assert copy["status"] == "copied"
    assert copy["old_path"] == "src/template.py"
    assert copy["similarity"] == 100


def test_pure_rename_has_no_lines(repo: Repo) -> None:
    repo.commit("base", {"old name.txt": "same\n" * 5})
    repo.git("mv", "old name.txt", "new name.txt")
    seen = files(show(repo, "--staged"))
    assert seen["new name.txt"]["status"] == "renamed"
    assert seen["new name.txt"]["similarity"] == 100
    assert seen["new name.txt"]["added"] == []
    assert seen["new name.txt"]["removed"] == []


def test_mode_only_change(repo: Repo) -> None:
    repo.commit("base", {"run.sh": "echo hi\n"})
    os.chmod(repo.root / "run.sh", 0o755)
    seen = files(show(repo))
    assert seen["run.sh"]["status"] == "modified"
    assert (seen["run.sh"]["old_mode"], seen["run.sh"]["new_mode"]) == ("100644", "100755")
    assert seen["run.sh"]["added"] == []


def test_binary_file(repo: Repo) -> None:
    repo.commit("base", {"img.bin": b"\x00\x01\x02binary"})
    repo.write("img.bin", b"\x00\x01\x03changed")
    repo.write("new.bin", b"PNG\x00\x00data")
    seen = files(show(repo))
    assert seen["img.bin"]["binary"] is True
    assert seen["img.bin"]["added"] == []
    assert seen["new.bin"]["binary"] is True  # untracked, read from disk


def test_symlink_and_typechange(repo: Repo) -> None:
    repo.commit("base", {"target.txt": "t\n", "was_file": "content\n"})
    os.symlink("target.txt", repo.root / "link")
    (repo.root / "was_file").unlink()
    os.symlink("target.txt", repo.root / "was_file")
    repo.git("add", "-A")
    seen = files(show(repo, "--staged"))
    assert seen["link"]["new_mode"] == "120000"
    assert seen["link"]["added"] == [[1, "target.txt"]]
    assert seen["was_file"]["status"] == "typechange"
    assert seen["was_file"]["removed"] == [[1, "content"]]
    assert seen["was_file"]["added"] == [[1, "target.txt"]]


def test_submodule_pointer(repo: Repo, tmp_path: Path) -> None:
    sub = Repo(tmp_path / "sub")
    first = sub.commit("one", {"s.txt": "1\n"})
    repo.commit("base", {"README": "r\n"})
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub.root), "lib")
    repo.git("commit", "-qm", "add submodule")
    added = files(show(repo, "HEAD"))
    assert added["lib"]["new_mode"] == "160000"
    assert added["lib"]["added"] == []  # the pointer is not content
    second = sub.commit("two", {"s.txt": "2\n"})
    repo.git("-C", "lib", "fetch", "-q", "origin")
    repo.git("-C", "lib", "checkout", "-q", second)
    repo.git("add", "lib")
    moved = files(show(repo, "--staged"))
    assert moved["lib"]["status"] == "modified"
    assert moved["lib"]["old_mode"] == "160000"
    assert first != second


@pytest.mark.parametrize(
    "name", ["with space.txt", "ünïcødé/файл.txt", "new\nline.txt", "tab\there.txt", 'q"uote']
)
def test_unusual_paths(repo: Repo, name: str) -> None:
    repo.commit("base", {"x": "x\n"})
    repo.write(name, "content\n")
    for args in ((), ("--staged",)):
        if args:
            repo.git("add", "-A")
        seen = files(show(repo, *args))
        assert name in seen, sorted(seen)
        assert seen[name]["added"] == [[1, "content"]]


def test_unusual_paths_in_a_range_and_rename(repo: Repo) -> None:
    base = repo.commit("base", {"plain.txt": "same\n" * 4})
    repo.git("mv", "plain.txt", "ren\name é.txt")
    head = repo.commit("rename")
    seen = files(show(repo, f"{base}..{head}"))
    assert seen["ren\name é.txt"]["old_path"] == "plain.txt"


def test_crlf_and_non_utf8_content(repo: Repo) -> None:
    repo.commit("base", {"win.txt": b"a\r\nb\r\n"})
    repo.write("win.txt", b"a\r\nB\r\n")
    repo.write("latin1.txt", "café\n".encode("latin-1"))
    seen = files(show(repo))
    assert seen["win.txt"]["added"] == [[2, "B"]]
    assert seen["win.txt"]["removed"] == [[2, "b"]]
    assert seen["latin1.txt"]["undecodable"] is True
    assert seen["latin1.txt"]["added"] == [[1, "caf\ufffd"]]
    repo.git("add", "-A")
    staged = files(show(repo, "--staged"))
    assert staged["latin1.txt"]["undecodable"] is True


def test_empty_change(repo: Repo) -> None:
    repo.commit("base", {"a": "a\n"})
    assert show(repo)["files"] == []
    assert show(repo, "--staged")["files"] == []
    result = repo.run("diff")
    assert result.code == 0
    assert "0 files" in result.out


def test_worktree_mode_sees_index_worktree_and_untracked_not_ignored(repo: Repo) -> None:
    repo.commit("base", {".gitignore": "*.log\n", "tracked.txt": "1\n"})
    repo.write("tracked.txt", "2\n")
    repo.write("staged.txt", "s\n")
    repo.git("add", "staged.txt")
    repo.write("untracked.txt", "u\n")
    repo.write("debug.log", "ignored\n")
    seen = files(show(repo))
    assert set(seen) == {"tracked.txt", "staged.txt", "untracked.txt"}
    staged_only = files(show(repo, "--staged"))
    assert set(staged_only) == {"staged.txt"}


def test_staged_respects_git_index_file(repo: Repo, tmp_path: Path) -> None:
    """`git commit -a` runs hooks with GIT_INDEX_FILE pointing at a temporary index."""
    repo.commit("base", {"a.txt": "1\n"})
    other_index = tmp_path / "other-index"
    env = clean_env(GIT_INDEX_FILE=str(other_index))
    repo.write("b.txt", "b\n")
    import subprocess

    subprocess.run(["git", "read-tree", "HEAD"], cwd=repo.root, env=env, check=True)
    subprocess.run(["git", "add", "b.txt"], cwd=repo.root, env=env, check=True)
    result = repo.run("diff", "--staged", "--show-change", env=env)
    assert result.code == 0, result.err
    assert [f["path"] for f in json.loads(result.out)["files"]] == ["b.txt"]


def test_three_dot_range_and_base_use_the_merge_base(repo: Repo) -> None:
    repo.commit("base", {"shared.txt": "s\n"})
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("feature work", {"feature.txt": "f\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main moves on", {"main.txt": "m\n"})
    direct = files(show(repo, "main..feature"))
    assert set(direct) == {"feature.txt", "main.txt"}  # A..B compares the two tips
    merge_base = files(show(repo, "main...feature"))
    assert set(merge_base) == {"feature.txt"}
    repo.git("checkout", "-q", "feature")
    via_base = show(repo, "--base", "main")
    assert set(files(via_base)) == {"feature.txt"}
    assert [c["message"] for c in via_base["commits"]] == ["feature work"]


def test_single_revision_and_root_commit(repo: Repo) -> None:
    root = repo.commit("root commit", {"first.txt": "1\n"})
    second = repo.commit("second", {"second.txt": "2\n"})
    assert set(files(show(repo, root))) == {"first.txt"}  # against the empty tree
    only = show(repo, second)
    assert set(files(only)) == {"second.txt"}
    assert [c["message"] for c in only["commits"]] == ["second"]
    assert only["commits"][0]["author"] == "Test Author <author@example.com>"


def test_merge_commit_is_compared_with_its_first_parent(repo: Repo) -> None:
    repo.commit("base", {"a.txt": "a\n"})
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit("topic", {"topic.txt": "t\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main", {"main.txt": "m\n"})
    repo.git("merge", "-q", "--no-ff", "-m", "merge topic", "topic")
    assert set(files(show(repo, "HEAD"))) == {"topic.txt"}


def test_detached_head(repo: Repo) -> None:
    first = repo.commit("one", {"a.txt": "1\n"})
    repo.commit("two", {"b.txt": "2\n"})
    repo.git("checkout", "-q", "--detach", first)
    repo.write("c.txt", "3\n")
    assert set(files(show(repo))) == {"c.txt"}
    assert set(files(show(repo, "main"))) == {"b.txt"}


def test_repository_with_no_commits(repo: Repo) -> None:
    repo.write("a.txt", "1\n")
    assert set(files(show(repo))) == {"a.txt"}
    repo.git("add", "a.txt")
    assert set(files(show(repo, "--staged"))) == {"a.txt"}
    result = repo.run("diff", "HEAD")
    assert result.code == 2
    assert "no commits yet" in result.err


def test_patch_file_and_stdin(repo: Repo) -> None:
    base = repo.commit("base", {"a.txt": "1\n2\n", "old.txt": "x\n" * 3})
    repo.write("a.txt", "1\nTWO\n")
    (repo.root / "dir with space").mkdir()
    repo.git("mv", "old.txt", "dir with space/new.txt")
    repo.write("bin.dat", b"\x00\x01")
    repo.git("add", "-A")
    patch = repo.git("diff", "--cached", "-M", base).encode()
    patch_path = repo.root.parent / "change.diff"
    patch_path.write_bytes(patch)
    for args, stdin in ((("--patch", str(patch_path)), None), (("--patch", "-"), patch)):
        seen = files(show(repo, *args, stdin=stdin))
        assert seen["a.txt"]["added"] == [[2, "TWO"]]
        assert seen["a.txt"]["removed"] == [[2, "2"]]
        assert seen["dir with space/new.txt"]["status"] == "renamed"
        assert seen["dir with space/new.txt"]["old_path"] == "old.txt"
        assert seen["bin.dat"]["binary"] is True


def test_patch_reads_outside_a_repository(tmp_path: Path) -> None:
    from tests.conftest import run_agentcheck

    patch = b"--- a/x.py\n+++ b/x.py\n@@ -1 +1,2 @@\n-a\n+b\n+c\n"
    result = run_agentcheck("diff", "--show-change", "--patch", "-", cwd=tmp_path, stdin=patch)
    assert result.code == 0, result.err
    seen = files(json.loads(result.out))
    assert seen["x.py"]["added"] == [[1, "b"], [2, "c"]]


def test_conflicted_index(repo: Repo) -> None:
    repo.commit("base", {"f.txt": "a\n"})
    repo.git("checkout", "-q", "-b", "other")
    repo.commit("other", {"f.txt": "b\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main", {"f.txt": "c\n"})
    repo.git("merge", "-q", "other", check=False)
    staged = files(show(repo, "--staged"))
    assert staged["f.txt"]["status"] == "unmerged"
    worktree = files(show(repo))
    assert "<<<<<<< HEAD" in [text for _, text in worktree["f.txt"]["added"]]


def test_touched_but_unchanged_files_are_not_changes(repo: Repo) -> None:
    repo.commit("base", {"same.txt": "same\n", "edited.txt": "1\n"})
    later = 4_000_000_000
    os.utime(repo.root / "same.txt", (later, later))
    repo.write("edited.txt", "2\n")
    assert set(files(show(repo))) == {"edited.txt"}


@pytest.mark.parametrize("name", ["plain name", "new\nline", "tab\tname", "ünï"])
def test_mode_only_and_empty_files_with_unusual_names(repo: Repo, name: str) -> None:
    repo.commit("base", {name: "echo\n"})
    os.chmod(repo.root / name, 0o755)
    repo.write(f"{name}.empty", "")
    repo.git("add", "-A")
    for args in ((), ("--staged",)):
        seen = files(show(repo, *args))
        assert seen[name]["new_mode"] == "100755", args
        assert seen[f"{name}.empty"]["status"] == "added", args
        assert seen[f"{name}.empty"]["added"] == []
