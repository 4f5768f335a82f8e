"""Every git call agentcheck makes, through GitPython, with -z output where git offers it.

Nothing here writes to the repository: only read-only plumbing and porcelain is used, except
`Repository.fetch`, with which the GitHub Action completes a shallow CI clone.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal, NamedTuple

from checker.adapters.gitdiff import parse_section, section_path
from checker.model import caps as limits
from checker.model.change import Commit, FileChange, Status
from checker.model.errors import FatalError

# The variables git sets while running hooks point at the outer repository; like pre-commit we
# drop them, but keep the index file so `--staged` sees what `git commit -a` is about to commit.
_KEEP_ENV = {
    "GIT_EXEC_PATH",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_SSL_CAINFO",
    "GIT_SSL_NO_VERIFY",
    "GIT_CONFIG_COUNT",
    "GIT_HTTP_PROXY_AUTHMETHOD",
    "GIT_ALLOW_PROTOCOL",
    "GIT_ASKPASS",
    "GIT_INDEX_FILE",
    "GIT_CEILING_DIRECTORIES",
}


def _scrub_environment() -> None:
    index_file = os.environ.get("GIT_INDEX_FILE")
    if index_file and not os.path.isabs(index_file):
        os.environ["GIT_INDEX_FILE"] = os.path.abspath(index_file)
    for key in list(os.environ):
        if (
            key.startswith("GIT_")
            and key not in _KEEP_ENV
            and not key.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_"))
        ):
            del os.environ[key]
    # GitPython must not ask for git's location interactively or refresh on import.
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
    # Git must not refresh the index behind our back: agentcheck never writes the repository.
    os.environ["GIT_OPTIONAL_LOCKS"] = "0"


_scrub_environment()

import git as gitpython  # noqa: E402  (after the environment is scrubbed)

_STATUS: dict[str, Status] = {
    "A": "added",
    "M": "modified",
    "D": "deleted",
    "R": "renamed",
    "C": "copied",
    "T": "typechange",
    "U": "unmerged",
}
_EMPTY_TREE = {
    "sha1": "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    "sha256": "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321",
}
_NULL = re.compile(r"^0+$")
_DIFF_OPTIONS = (
    "--raw",
    "-z",
    "-p",
    "-U0",
    "-M",
    "-C",
    "--no-abbrev",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--submodule=short",
    "--ignore-submodules=none",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)

Side = Literal["tree", "index", "worktree"]


class RawEntry(NamedTuple):
    old_mode: str
    new_mode: str
    old_sha: str
    new_sha: str
    status: str
    score: int | None
    path: str
    old_path: str


class Repository:
    """One repository, opened once; all git commands go through `run`."""

    def __init__(self, path: str | os.PathLike[str] = ".") -> None:
        try:
            self._repo = gitpython.Repo(path, search_parent_directories=True)
        except gitpython.NoSuchPathError:
            raise FatalError(f"{path}: no such directory.") from None
        except gitpython.InvalidGitRepositoryError:
            raise FatalError(
                f"{os.path.abspath(path)} is not inside a git repository. Run agentcheck in a "
                "repository, or pass a unified diff with --patch FILE."
            ) from None
        except gitpython.GitCommandNotFound:
            raise FatalError("git is not installed or not on PATH; agentcheck needs git.") from None
        if self._repo.bare or self._repo.working_tree_dir is None:
            raise FatalError(f"{self._repo.git_dir} is a bare repository; run in a work tree.")
        self.root = Path(self._repo.working_tree_dir)
        self._git = self._repo.git

    # -- running git -----------------------------------------------------------------------

    def run(self, *args: str, config: tuple[str, ...] = ()) -> bytes:
        """git ARGS with `-c` settings CONFIG (NAME=VALUE) for this command only."""
        settings = [part for item in config for part in ("-c", item)]
        try:
            out = self._git.execute(
                [
                    "git",
                    "-c",
                    "core.quotepath=false",
                    "-c",
                    "diff.autoRefreshIndex=false",
                    *settings,
                    *args,
                ],
                stdout_as_string=False,
                strip_newline_in_stdout=False,
            )
        except gitpython.GitCommandError as exc:
            stderr = exc.stderr if isinstance(exc.stderr, str) else str(exc.stderr or "")
            detail = stderr.strip().removeprefix("stderr:").strip().strip("'").strip()
            detail = " ".join(line.strip() for line in detail.splitlines() if line.strip())
            raise FatalError(f"git {' '.join(args[:3])} failed: {detail or exc}") from None
        except gitpython.GitCommandNotFound:
            raise FatalError("git is not installed or not on PATH; agentcheck needs git.") from None
        assert isinstance(out, bytes)
        return out

    def try_run(self, *args: str) -> bytes | None:
        try:
            return self.run(*args)
        except FatalError:
            return None

    # -- revisions ---------------------------------------------------------------------------

    def head(self) -> str | None:
        """The commit HEAD names, or None in a repository with no commits yet."""
        out = self.try_run("rev-parse", "--verify", "--quiet", "HEAD^{commit}")
        return out.decode().strip() if out else None

    def resolve(self, rev: str) -> str:
        """The full commit id REV names, or an error that says why it names none."""
        if rev.startswith("-"):
            raise FatalError(f"'{rev}' is not a revision (it starts with '-').")
        out = self.try_run(
            "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"
        )
        if out:
            return out.decode().strip()
        hint = ""
        if self.is_shallow():
            hint = (
                " This clone is shallow, so older commits may be missing: fetch them with "
                "`git fetch --unshallow` (in GitHub Actions, set `fetch-depth: 0` on "
                "actions/checkout)."
            )
        elif rev == "HEAD":
            hint = " The repository has no commits yet; check the uncommitted change instead."
        raise FatalError(f"unknown revision '{rev}': git cannot find that commit.{hint}")

    def is_shallow(self) -> bool:
        out = self.try_run("rev-parse", "--is-shallow-repository")
        return out is not None and out.strip() == b"true"

    def has_commit(self, sha: str) -> bool:
        """Whether the commit is in the clone (a shallow CI clone may lack it)."""
        if sha.startswith("-"):
            return False
        return self.try_run("cat-file", "-e", f"{sha}^{{commit}}") is not None

    def find_merge_base(self, a: str, b: str) -> str | None:
        out = self.try_run("merge-base", a, b)
        return out.decode().split()[0] if out and out.strip() else None

    def fetch(
        self, remote: str, shas: tuple[str, ...], *, depth: int | None = None, deepen: int = 0
    ) -> None:
        """Fetch commits by id into the object store, deeper by DEEPEN commits or to DEPTH.

        The one git command agentcheck runs that writes to a repository: the GitHub Action
        completes a shallow CI clone with it. It adds objects and the shallow list and writes
        no branch or tag (only FETCH_HEAD)."""
        options = ["--quiet", "--no-tags", "--no-recurse-submodules"]
        if deepen:
            options.append(f"--deepen={deepen}")
        elif depth is not None:
            options.append(f"--depth={depth}")
        self.run("fetch", *options, "--end-of-options", remote, *shas)

    def empty_tree(self) -> str:
        out = self.try_run("rev-parse", "--show-object-format")
        return _EMPTY_TREE.get((out or b"sha1").decode().strip(), _EMPTY_TREE["sha1"])

    def merge_base(self, a: str, b: str) -> str:
        out = self.try_run("merge-base", a, b)
        if not out:
            hint = (
                " The clone is shallow: deepen it (`git fetch --deepen=N`) or set "
                "`fetch-depth: 0` on actions/checkout."
                if self.is_shallow()
                else " The two histories share no commit."
            )
            raise FatalError(f"no merge base between '{a}' and '{b}'.{hint}")
        return out.decode().split()[0]

    def parents(self, sha: str) -> list[str]:
        out = self.run("rev-list", "--parents", "-n", "1", sha).decode().split()
        return out[1:]

    def commits(
        self, exclude: str | None, include: str, limit: int | None = None
    ) -> tuple[Commit, ...]:
        spec = [include] if exclude is None else [f"^{exclude}", include]
        count = [] if limit is None else [f"--max-count={limit}"]
        out = self.run(
            "log",
            "-z",
            "--no-color",
            *count,
            "--format=%H%x00%an <%ae>%x00%cn <%ce>%x00%B",
            "--end-of-options",
            *spec,
            "--",
        )
        fields = out.decode("utf-8", "replace").split("\0")
        found = []
        for i in range(0, len(fields) - 3, 4):
            sha, author, committer, message = fields[i : i + 4]
            found.append(Commit(sha.strip(), author, committer, message.rstrip("\n")))
        return tuple(found)

    def show_file(self, rev: str, path: str) -> bytes | None:
        """A file's bytes at REV, or None when REV has no such file."""
        out = self.try_run("ls-tree", "-z", "--full-tree", rev, "--", path)
        if not out:
            return None
        meta, _, name = out.split(b"\0")[0].partition(b"\t")
        _, kind, sha = meta.decode().split()
        if kind != "blob" or name.decode("utf-8", "surrogateescape") != path:
            return None
        return self.blob(sha)

    def blob(self, ref: str, limit: int | None = None) -> bytes | None:
        """An object's bytes by id (or REV:PATH), through one long-lived `git cat-file`; None
        when it is not a blob, or is bigger than LIMIT bytes (then it is not read)."""
        try:
            if limit is not None and self._git.get_object_header(ref)[2] > limit:
                return None
            _, kind, _, data = self._git.get_object_data(ref)
        except (ValueError, gitpython.GitCommandError):
            return None
        return data if kind in {b"blob", "blob"} else None

    def blob_size(self, sha: str) -> int | None:
        try:
            return self._git.get_object_header(sha)[2]
        except (ValueError, gitpython.GitCommandError):
            return None

    def blob_start(self, sha: str, size: int) -> bytes:
        """The first SIZE bytes of a blob, without reading the rest (it may be huge)."""
        process = self._git.execute(["git", "cat-file", "blob", sha], as_process=True)
        try:
            data: bytes = process.stdout.read(size) if process.stdout else b""
        finally:
            if process.proc is not None:
                process.proc.kill()
                process.proc.wait()
            for stream in (process.stdout, process.stderr):
                if stream:
                    stream.close()
        return data

    # -- diffs -------------------------------------------------------------------------------

    def diff(self, *args: str) -> tuple[list[FileChange], dict[str, str], dict[str, str]]:
        """The changed files, and the blob ids of their base (by old path) and head sides
        (by path; absent where the head is the work tree and git has not hashed it)."""
        # Above the threshold git shows a file as binary without reading it for lines; the
        # readers in checker/changes.py tell such text files apart (AC901).
        threshold = f"core.bigFileThreshold={limits.MAX_FILE_BYTES}"
        out = self.run("diff", *_DIFF_OPTIONS, *args, config=(threshold,))
        entries, patch = _split_raw(out)
        base_ids = {e.old_path: e.old_sha for e in entries if not _NULL.match(e.old_sha)}
        head_ids = {e.path: e.new_sha for e in entries if not _NULL.match(e.new_sha)}
        return _pair(entries, patch), base_ids, head_ids

    def tree_files(self, rev: str) -> dict[str, str]:
        """path -> blob id for every file at REV."""
        out = self.run("ls-tree", "-r", "-z", "--full-tree", rev)
        files = {}
        for record in out.split(b"\0"):
            if record:
                meta, _, name = record.partition(b"\t")
                _, kind, sha = meta.split(b" ")
                if kind == b"blob":
                    files[name.decode("utf-8", "surrogateescape")] = sha.decode()
        return files

    def index_files(self) -> dict[str, str]:
        """path -> blob id for every file in the index (stage 0 or the first stage seen)."""
        out = self.run("ls-files", "-s", "-z")
        files: dict[str, str] = {}
        for record in out.split(b"\0"):
            if record:
                meta, _, name = record.partition(b"\t")
                mode, sha, _ = meta.split(b" ")
                if mode != b"160000":
                    files.setdefault(name.decode("utf-8", "surrogateescape"), sha.decode())
        return files

    def untracked(self) -> list[str]:
        out = self.run("ls-files", "-z", "--others", "--exclude-standard")
        return _z_paths(out)


def _z_paths(out: bytes) -> list[str]:
    return [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]


def _split_raw(out: bytes) -> tuple[list[RawEntry], bytes]:
    """The -z raw records at the start of `git diff --raw -p -z`, and the patch after them."""
    entries: list[RawEntry] = []
    pos, n = 0, len(out)
    while pos < n and out[pos : pos + 1] == b":":
        end = out.index(b"\0", pos)
        meta = out[pos + 1 : end].decode().split(" ")
        old_mode, new_mode, old_sha, new_sha, status = meta[:5]
        pos = end + 1
        end = out.index(b"\0", pos)
        first = out[pos:end].decode("utf-8", "surrogateescape")
        pos = end + 1
        path = old_path = first
        if status[0] in "RC":
            end = out.index(b"\0", pos)
            path = out[pos:end].decode("utf-8", "surrogateescape")
            pos = end + 1
        entries.append(
            RawEntry(
                old_mode,
                new_mode,
                old_sha,
                new_sha,
                status[0],
                int(status[1:]) if status[1:] else None,
                path,
                old_path,
            )
        )
    while pos < n and out[pos : pos + 1] == b"\0":
        pos += 1
    return entries, out[pos:]


def _sections(patch: bytes) -> dict[str, list[bytes]]:
    """The patch's `diff --git` sections by path, in order (a type change has two)."""
    found: dict[str, list[bytes]] = {}
    if not patch:
        return found
    parts = patch.split(b"\ndiff --git ")
    if parts[0].startswith(b"diff --git "):
        parts[0] = parts[0][len(b"diff --git ") :]
    for part in parts:
        found.setdefault(section_path(part), []).append(part)
    return found


def _mode(mode: str) -> str | None:
    return None if mode == "000000" else mode


def _pair(entries: list[RawEntry], patch: bytes) -> list[FileChange]:
    sections = _sections(patch)
    files: list[FileChange] = []
    for entry in entries:
        status = _STATUS.get(entry.status, "modified")
        if status == "unmerged":
            files.append(FileChange(entry.path, entry.old_path, status))
            continue
        mine = sections.get(entry.path, [])
        if not mine and entry.old_mode == entry.new_mode and _NULL.match(entry.new_sha):
            continue  # only the work tree file's stat data changed; its content did not
        hunks = parse_section(mine.pop(0) if mine else b"")
        added, removed, binary = hunks.added, hunks.removed, hunks.binary
        undecodable = hunks.undecodable
        if status == "typechange" and mine:  # git shows it as a deletion and a creation
            second = parse_section(mine.pop(0))
            added, binary = second.added, binary or second.binary
            undecodable = undecodable or second.undecodable
        change = FileChange(
            path=entry.path,
            old_path=entry.old_path if status in ("renamed", "copied") else entry.path,
            status=status,
            added=added,
            removed=removed,
            binary=binary,
            old_mode=_mode(entry.old_mode),
            new_mode=_mode(entry.new_mode),
            similarity=entry.score if status in ("renamed", "copied") else None,
            undecodable=undecodable,
        )
        if change.is_submodule:  # "Subproject commit" lines are pointers, not content
            change = change._replace(added=(), removed=())
        files.append(change)
    return files
