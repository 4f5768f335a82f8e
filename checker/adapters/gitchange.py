"""Reading a change from git: uncommitted work, the index, a range or one commit, with a
reader of its files at both sides."""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable, Sequence
from typing import Literal

from checker.adapters import worktree
from checker.adapters.git import Repository
from checker.model import caps
from checker.model.change import ChangeSet, Commit, FileChange
from checker.model.memo import Memo

HeadSide = Literal["tree", "index", "worktree"]


class GitReader:
    """File contents at base (a tree) and head (a tree, the index or the work tree)."""

    def __init__(
        self,
        repo: Repository,
        base: str,
        head: str | None,
        head_side: HeadSide,
        base_ids: dict[str, str],
        head_ids: dict[str, str],
    ) -> None:
        self._repo = repo
        self._base = base
        self._head = head
        self._head_side = head_side
        self._base_ids = base_ids
        self._head_ids = head_ids
        self.memo: Memo | None = None  # what reading files found in earlier runs
        self._hashed: dict[str, bytes | None] = {}  # work tree files head_ids read

    # A file over caps.MAX_FILE_BYTES reads as None, contents unknown, as in a patch file.
    def base(self, path: str) -> bytes | None:
        sha = self._base_ids.get(path)
        if sha is None:
            return self._unchanged(self._base, path, self._base_files)
        return self._repo.blob(sha, caps.MAX_FILE_BYTES)

    def head(self, path: str) -> bytes | None:
        if self._head_side == "worktree":
            return worktree.read_file(self._repo.root, path)
        sha = self._head_ids.get(path)
        if sha is None:
            tree = "" if self._head_side == "index" else (self._head or "")
            return self._unchanged(tree, path, self._head_files)
        return self._repo.blob(sha, caps.MAX_FILE_BYTES)

    def heads(self, paths: Sequence[str]) -> dict[str, bytes | None]:
        """Many files at the head at once: blobs by id through one `git cat-file --batch` (the
        work tree's files from disk)."""
        if self._head_side == "worktree":
            return {
                path: self._hashed.pop(path)
                if path in self._hashed
                else worktree.read_file(self._repo.root, path)
                for path in paths
            }
        listing = self._head_files()
        ids = [self._head_ids.get(path) or listing.get(path) for path in paths]
        asked = [(path, sha) for path, sha in zip(paths, ids, strict=True) if sha]
        data = self._repo.blobs([sha for _, sha in asked], caps.MAX_FILE_BYTES)
        found: dict[str, bytes | None] = dict.fromkeys(paths)
        found.update(zip([path for path, _ in asked], data, strict=True))
        return found

    def head_ids(self, paths: Sequence[str]) -> dict[str, str]:
        """The git blob ids of files at the head, by path, those git lists (a tree, the index)
        or, for the work tree, hashed from the files on disk as git would."""
        if self._head_side == "worktree":
            found = {}
            for path in paths:
                data = worktree.read_file(self._repo.root, path)
                # Kept for heads(): the bytes read are the ones the id names, even where the
                # file changes on disk between the two calls.
                self._hashed[path] = data
                if data is not None:
                    header = b"blob %d\0" % len(data)
                    found[path] = hashlib.sha1(header + data, usedforsecurity=False).hexdigest()
            return found
        listing = self._head_files()
        ids = ((path, self._head_ids.get(path) or listing.get(path)) for path in paths)
        return {path: sha for path, sha in ids if sha}

    def base_ids(self, paths: Sequence[str]) -> dict[str, str]:
        """The git blob ids of files at the base, by path."""
        listing = self._base_files() if any(p not in self._base_ids for p in paths) else {}
        ids = ((path, self._base_ids.get(path) or listing.get(path)) for path in paths)
        return {path: sha for path, sha in ids if sha}

    def _unchanged(
        self, tree: str, path: str, listing: Callable[[], dict[str, str]]
    ) -> bytes | None:
        """A file the change does not touch: asked of git by name ("TREE:PATH", ":PATH" for
        the index), which spares listing a whole tree for the one .gitattributes a check
        wants; a name git's batch input cannot carry falls back to the listing."""
        if "\n" in path or "\r" in path:
            sha = listing().get(path)
            return self._repo.blob(sha, caps.MAX_FILE_BYTES) if sha else None
        return self._repo.blob(f"{tree}:{path}", caps.MAX_FILE_BYTES)

    def base_paths(self) -> frozenset[str]:
        return frozenset(self._base_files())

    def head_paths(self) -> frozenset[str]:
        if self._head_side == "worktree":
            return self._worktree_paths()
        return frozenset(self._head_files())

    @functools.cache  # noqa: B019  (one reader per run; the cache dies with it)
    def _base_files(self) -> dict[str, str]:
        return self._repo.tree_files(self._base)

    @functools.cache  # noqa: B019
    def _head_files(self) -> dict[str, str]:
        if self._head_side == "index":
            return self._repo.index_files()
        assert self._head is not None
        return self._repo.tree_files(self._head)

    @functools.cache  # noqa: B019
    def _worktree_paths(self) -> frozenset[str]:
        tracked = self._repo.index_files()
        root = self._repo.root
        present = {p for p in tracked if os.path.lexists(root / p)}
        return frozenset(present.union(self._repo.untracked()))


def _text_over_cap(
    repo: Repository,
    files: list[FileChange],
    base_ids: dict[str, str],
    head_ids: dict[str, str],
    on_disk: bool,
) -> list[FileChange]:
    """git shows a file over the cap as binary without reading its lines; where a side over
    the cap is text by git's own test, the file is marked too large (AC901), not binary."""
    marked = []
    for change in files:
        size = None
        if change.binary and not change.is_submodule:
            size = _largest_text_side(repo, change, base_ids, head_ids, on_disk)
        marked.append(change if size is None else change._replace(binary=False, too_large=size))
    return marked


def _largest_text_side(
    repo: Repository,
    change: FileChange,
    base_ids: dict[str, str],
    head_ids: dict[str, str],
    on_disk: bool,
) -> int | None:
    sizes = []
    if change.status != "added" and change.old_path in base_ids:
        sizes.append(_blob_over_cap(repo, base_ids[change.old_path]))
    if change.status != "deleted":
        if on_disk:
            sizes.append(worktree.text_over_cap(repo.root / change.path))
        elif change.path in head_ids:
            sizes.append(_blob_over_cap(repo, head_ids[change.path]))
    return max((size for size in sizes if size is not None), default=None)


def _blob_over_cap(repo: Repository, sha: str) -> int | None:
    """The blob's size when it is over the cap and text; None otherwise."""
    size = repo.blob_size(sha)
    if size is None or size <= caps.MAX_FILE_BYTES:
        return None
    return size if caps.is_text(repo.blob_start(sha, caps.SNIFF_BYTES)) else None


def _base_of_worktree(repo: Repository) -> tuple[str, str | None]:
    """The tree an uncommitted change is compared with: HEAD, or the empty tree."""
    head = repo.head()
    return (head, "HEAD") if head is not None else (repo.empty_tree(), None)


def from_worktree(repo: Repository, since: str | None = None) -> tuple[ChangeSet, GitReader]:
    """Everything uncommitted: index, work tree and untracked files not ignored, vs HEAD; or,
    with SINCE (a revision), vs that commit: the commits made since it and everything
    uncommitted, as an agent's run left them (a commit never hides its change)."""
    commits: tuple[Commit, ...] = ()
    if since is None:
        base, label = _base_of_worktree(repo)
        source = f"uncommitted changes vs {label or 'an empty repository'}"
    else:
        base = repo.resolve(since)
        head = repo.head()
        commits = repo.commits(base, head) if head is not None and head != base else ()
        made = f"{len(commits)} commit{'' if len(commits) == 1 else 's'} and " if commits else ""
        source = f"{made}uncommitted changes since {since}"
    files, base_ids, head_ids = repo.diff(base)
    # The work tree side of `git diff <tree>` has no blob ids for files changed on disk.
    head_ids = {}
    files = _text_over_cap(repo, files, base_ids, {}, on_disk=True)
    for path in repo.untracked():
        untracked = worktree.untracked_change(repo.root, path)
        if untracked is not None:
            files.append(untracked)
    change = ChangeSet(tuple(files), "worktree", source, base=base, commits=commits)
    return change, GitReader(repo, base, None, "worktree", base_ids, head_ids)


def from_index(repo: Repository) -> tuple[ChangeSet, GitReader]:
    """What is staged: the index vs HEAD (what `git commit` would record)."""
    base, label = _base_of_worktree(repo)
    files, base_ids, head_ids = repo.diff("--cached", base)
    files = _text_over_cap(repo, files, base_ids, head_ids, on_disk=False)
    change = ChangeSet(
        tuple(files), "index", f"staged changes vs {label or 'an empty repository'}", base=base
    )
    return change, GitReader(repo, base, None, "index", base_ids, head_ids)


def from_range(
    repo: Repository, spec: str, merge_base: str | None = None
) -> tuple[ChangeSet, GitReader]:
    """A..B (direct), A...B (from the merge base: MERGE_BASE where the caller has found it),
    or one REV (that commit's own change)."""
    if "..." in spec:
        left, _, right = spec.partition("...")
        a, b = repo.resolve(left or "HEAD"), repo.resolve(right or "HEAD")
        base, head, exclude = merge_base or repo.merge_base(a, b), b, a
    elif ".." in spec:
        left, _, right = spec.partition("..")
        base, head = repo.resolve(left or "HEAD"), repo.resolve(right or "HEAD")
        exclude = base
    else:
        head = repo.resolve(spec)
        parents = repo.parents(head)
        # A merge is compared with its first parent: what it brought into the branch.
        base = parents[0] if parents else repo.empty_tree()
        exclude = None
        label = f"commit {spec} vs {'its first parent' if parents else 'the empty tree'}"
        # A merge brings its branch's commits: who wrote them is who wrote the change.
        merge = len(parents) > 1
        commits = repo.commits(base, head) if merge else repo.commits(None, head, limit=1)
    if exclude is not None:
        commits = repo.commits(exclude, head)
        label = f"git diff {spec}"
    files, base_ids, head_ids = repo.diff(base, head)
    files = _text_over_cap(repo, files, base_ids, head_ids, on_disk=False)
    change = ChangeSet(tuple(files), "range", label, base=base, head=head, commits=commits)
    return change, GitReader(repo, base, head, "tree", base_ids, head_ids)
