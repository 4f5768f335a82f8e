"""The change model: what a change is, independent of where it was read from."""

from __future__ import annotations

from typing import Literal, NamedTuple

Status = Literal["added", "modified", "deleted", "renamed", "copied", "typechange", "unmerged"]

MODE_SYMLINK = "120000"
MODE_SUBMODULE = "160000"


class Line(NamedTuple):
    """One added or removed line: its 1-based number (head side for added, base side for
    removed) and its text without the line ending."""

    number: int
    text: str


class FileChange(NamedTuple):
    path: str  # the path at head; for a deleted file, the path it had at base
    old_path: str  # the path at base; equals path unless renamed or copied
    status: Status
    added: tuple[Line, ...] = ()
    removed: tuple[Line, ...] = ()
    binary: bool = False
    old_mode: str | None = None  # None where the file did not exist on that side
    new_mode: str | None = None
    similarity: int | None = None  # percent, for renamed and copied files
    undecodable: bool = False  # some line was not valid UTF-8 and was decoded with U+FFFD
    # The file's size in bytes where a side is over limits.MAX_FILE_BYTES: its lines were not
    # read, and AC901 says so.
    too_large: int | None = None

    @property
    def lines_changed(self) -> int:
        return len(self.added) + len(self.removed)

    @property
    def is_pure_rename(self) -> bool:
        return self.status == "renamed" and not self.added and not self.removed

    @property
    def is_symlink(self) -> bool:
        return MODE_SYMLINK in (self.old_mode, self.new_mode)

    @property
    def is_submodule(self) -> bool:
        return MODE_SUBMODULE in (self.old_mode, self.new_mode)

    @property
    def mode_changed(self) -> bool:
        return (
            self.old_mode is not None
            and self.new_mode is not None
            and self.old_mode != self.new_mode
        )

    @property
    def paths(self) -> tuple[str, ...]:
        """Every path the change touches for this file: both sides of a rename; a copy leaves
        its source alone."""
        if self.status == "renamed" and self.old_path != self.path:
            return (self.old_path, self.path)
        return (self.path,)

    @property
    def first_line(self) -> int | None:
        """The first added line, where a finding about the whole file points."""
        return self.added[0].number if self.added else None


# The sha of the commit message a commit-msg hook passes with `--message`: no commit exists yet.
PENDING_COMMIT = "(commit message being written)"


class Commit(NamedTuple):
    sha: str
    author: str  # "Name <email>"
    committer: str
    message: str
    merge: bool = False  # more than one parent


class PullRequest(NamedTuple):
    """What a GitHub event says of the pull request under check."""

    number: int | None
    title: str
    body: str
    author: str
    head_branch: str
    base_branch: str
    labels: tuple[str, ...]
    base_sha: str | None
    head_sha: str | None


Kind = Literal["worktree", "index", "range", "patch"]


class ChangeSet(NamedTuple):
    files: tuple[FileChange, ...]
    kind: Kind  # where the change was read: uncommitted, staged, committed, a patch file
    source: str  # how, for people: "staged changes vs HEAD", "git diff main...HEAD"
    base: str | None = None  # the base revision, where git gave one
    head: str | None = None  # the head revision; None for the index or work tree
    commits: tuple[Commit, ...] = ()
    pull_request: PullRequest | None = None
    final_message: str | None = None  # an agent's last message of its turn (the agent hook)
    by_agent: bool = False  # a known agent wrote it (the engine sets it from the authorship)

    def file(self, path: str) -> FileChange | None:
        for change in self.files:
            if path in change.paths:
                return change
        return None
