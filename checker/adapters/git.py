"""Every git command agentcheck runs, in one place, with -z output where git offers it.

Each command gets an environment built for it from the process's own, without the GIT_*
variables git sets while running hooks (they point at the outer repository and index), as
pre-commit's `no_git_env` does; os.environ itself is never edited. The repository is found
once per run (`Repository.find`) and handed to whatever reads from it.

Nothing here writes to the repository: only read-only plumbing and porcelain is used, and
GIT_OPTIONAL_LOCKS=0 keeps git from refreshing the index, except `Repository.fetch`, with
which the GitHub Action completes a shallow CI clone.

Git is run with subprocess, not GitPython: GitPython builds each command's environment on
top of os.environ, so the hook variables above could not be left out without editing the
process environment, and importing it runs `git version` twice, about 0.1 s of every run.
"""

from __future__ import annotations

import datetime
import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

from checker.adapters.gitdiff import read_diff
from checker.model import caps
from checker.model.change import Commit, FileChange
from checker.model.errors import FatalError

# Kept from the GIT_* variables: how git reaches remotes and its own programs, and the index
# file, so `--staged` sees what `git commit -a` is about to commit.
_KEEP_ENV = frozenset(
    {
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
)
_EMPTY_TREE = {
    "sha1": "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    "sha256": "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321",
}
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
# Settings for every command: paths as UTF-8 bytes, never quoted; no index refresh.
_CONFIG = ("core.quotepath=false", "diff.autoRefreshIndex=false")


def git_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a git command runs in: ENVIRON (default os.environ) without the
    variables a surrounding git hook set, a relative index file made absolute, English
    messages, and no optional locks."""
    source = os.environ if environ is None else environ
    env = {
        key: value
        for key, value in source.items()
        if not key.startswith("GIT_")
        or key in _KEEP_ENV
        or key.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_"))
    }
    index_file = env.get("GIT_INDEX_FILE")
    if index_file and not os.path.isabs(index_file):
        env["GIT_INDEX_FILE"] = os.path.abspath(index_file)
    env["GIT_OPTIONAL_LOCKS"] = "0"
    env["LC_ALL"] = "C"
    env["LANGUAGE"] = "C"
    return env


def _command(args: tuple[str, ...], config: tuple[str, ...] = ()) -> list[str]:
    settings = [part for item in (*_CONFIG, *config) for part in ("-c", item)]
    return ["git", *settings, *args]


def _failure(args: tuple[str, ...], stderr: bytes) -> FatalError:
    text = stderr.decode("utf-8", "replace")
    detail = " ".join(line.strip() for line in text.splitlines() if line.strip())
    return FatalError(f"git {' '.join(args[:3])} failed: {detail or 'no message'}")


def _not_installed() -> FatalError:
    return FatalError("git is not installed or not on PATH; agentcheck needs git.")


class _Batch:
    """One long-lived `git cat-file --batch` (or --batch-check): objects by name, one line
    each, answered in order."""

    def __init__(self, root: Path, env: dict[str, str], option: str) -> None:
        try:
            self._process = subprocess.Popen(
                _command(("cat-file", option)),
                cwd=root,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except FileNotFoundError:
            raise _not_installed() from None

    @property
    def _stdin(self) -> IO[bytes]:
        assert self._process.stdin is not None
        return self._process.stdin

    @property
    def _stdout(self) -> IO[bytes]:
        assert self._process.stdout is not None
        return self._process.stdout

    def header(self, name: str) -> tuple[str, int] | None:
        """Ask for NAME; (type, size) from git's answer, None when it names no object."""
        self._stdin.write(os.fsencode(name) + b"\n")
        self._stdin.flush()
        answer = self._stdout.readline()
        parts = answer.split(b" ")
        # "<id> <type> <size>"; else "<name> missing", "<name> ambiguous", or git has gone.
        if len(parts) != 3 or len(parts[0]) not in (40, 64) or not parts[2].strip().isdigit():
            return None
        return parts[1].decode(), int(parts[2])

    def body(self, size: int) -> bytes:
        data = self._stdout.read(size)
        self._stdout.read(1)  # the line feed after the contents
        return data

    def close(self) -> None:
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                stream.close()
        self._process.wait()


class Repository:
    """One repository's work tree and git directory; every git command goes through `run`."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self._env = env
        self._contents: _Batch | None = None
        self._headers: _Batch | None = None

    @classmethod
    def find(cls, path: str | os.PathLike[str] = ".") -> Repository:
        """The repository whose work tree holds PATH, or an error that says why none does."""
        where = Path(path)
        if not where.is_dir():
            raise FatalError(f"{path}: no such directory.")
        env = git_env()
        try:
            done = subprocess.run(
                _command(("rev-parse", "--is-bare-repository", "--show-toplevel")),
                cwd=where,
                env=env,
                capture_output=True,
                check=False,
            )
        except FileNotFoundError:
            raise _not_installed() from None
        lines = done.stdout.decode("utf-8", "surrogateescape").splitlines()
        if done.returncode != 0 or not lines:
            stderr = done.stderr.decode("utf-8", "replace")
            if "not a git repository" in stderr:
                raise FatalError(
                    f"{os.path.abspath(path)} is not inside a git repository. Run agentcheck "
                    "in a repository, or pass a unified diff with --patch FILE."
                )
            if (lines and lines[0] == "true") or "must be run in a work tree" in stderr:
                raise FatalError(
                    f"{os.path.abspath(path)} is in a bare repository or a git directory; run "
                    "agentcheck in a work tree."
                )
            raise _failure(("rev-parse",), done.stderr)
        if lines[0] == "true" or len(lines) < 2:
            raise FatalError(
                f"{os.path.abspath(path)} is a bare repository; run agentcheck in a work tree."
            )
        return cls(Path(lines[1]), env)

    def __enter__(self) -> Repository:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """End the long-lived `git cat-file` processes, if any were started."""
        for batch in (self._contents, self._headers):
            if batch is not None:
                batch.close()
        self._contents = self._headers = None

    # -- running git -----------------------------------------------------------------------

    def run(self, *args: str, config: tuple[str, ...] = ()) -> bytes:
        """git ARGS with `-c` settings CONFIG (NAME=VALUE) for this command only."""
        return self._run(None, args, config)

    def run_input(self, data: bytes, *args: str) -> bytes:
        """git ARGS reading DATA on its standard input."""
        return self._run(data, args, ())

    def _run(self, data: bytes | None, args: tuple[str, ...], config: tuple[str, ...]) -> bytes:
        try:
            done = subprocess.run(
                _command(args, config),
                cwd=self.root,
                env=self._env,
                input=data,
                capture_output=True,
                check=False,
            )
        except FileNotFoundError:
            raise _not_installed() from None
        if done.returncode != 0:
            raise _failure(args, done.stderr)
        return done.stdout

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
        found = self.find_merge_base(a, b)
        if found is None:
            hint = (
                " The clone is shallow: deepen it (`git fetch --deepen=N`) or set "
                "`fetch-depth: 0` on actions/checkout."
                if self.is_shallow()
                else " The two histories share no commit."
            )
            raise FatalError(f"no merge base between '{a}' and '{b}'.{hint}")
        return found

    def default_branch_base(self, remote: str = "origin") -> str | None:
        """The merge base of HEAD with REMOTE's default branch (its HEAD, else main or master),
        or None where the clone has no such branch or no common history."""
        if self.head() is None:
            return None
        out = self.try_run("symbolic-ref", "-q", f"refs/remotes/{remote}/HEAD")
        candidates = [out.decode().strip()] if out else []
        candidates += [f"refs/remotes/{remote}/main", f"refs/remotes/{remote}/master"]
        for ref in candidates:
            if self.try_run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"):
                return self.find_merge_base("HEAD", ref)
        return None

    def commits_not_on_remotes(self, head: str) -> frozenset[str]:
        """The commits HEAD reaches that no remote-tracking branch does."""
        out = self.run("rev-list", head, "--not", "--remotes", "--")
        return frozenset(out.decode().split())

    def head_at(self, when: datetime.datetime) -> str | None:
        """The commit HEAD was at WHEN, from its reflog (the oldest entry where the log begins
        later); None without a reflog or a commit."""
        stamp = when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S +0000")
        out = self.try_run("rev-parse", "--verify", "-q", f"HEAD@{{{stamp}}}")
        return out.decode().strip() or None if out else None

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
            "--format=%H %P%x00%an <%ae>%x00%cn <%ce>%x00%B",
            "--end-of-options",
            *spec,
            "--",
        )
        fields = out.decode("utf-8", "replace").split("\0")
        found = []
        for i in range(0, len(fields) - 3, 4):
            shas, author, committer, message = fields[i : i + 4]
            sha, *parents = shas.split()
            found.append(Commit(sha, author, committer, message.rstrip("\n"), len(parents) > 1))
        return tuple(found)

    # -- objects ---------------------------------------------------------------------------

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

    def _header(self, name: str) -> tuple[str, int] | None:
        if self._headers is None:
            self._headers = _Batch(self.root, self._env, "--batch-check")
        return self._headers.header(name)

    def blob(self, name: str, limit: int | None = None) -> bytes | None:
        """An object's bytes by id (or REV:PATH, :PATH for the index), through one long-lived
        `git cat-file`; None when it is not a blob, or is bigger than LIMIT bytes (then it is
        not read). A name with a line break cannot be asked this way: None."""
        if "\n" in name:
            return None
        if limit is not None:
            header = self._header(name)
            if header is None or header[0] != "blob" or header[1] > limit:
                return None
        if self._contents is None:
            self._contents = _Batch(self.root, self._env, "--batch")
        found = self._contents.header(name)
        if found is None:
            return None
        data = self._contents.body(found[1])
        return data if found[0] == "blob" else None

    def blobs(self, ids: Sequence[str], limit: int) -> list[bytes | None]:
        """Many blobs by id, read by one `git cat-file --batch` that is given every id at once
        (one process, no round trip per object): a file's bytes, or None when the id names no
        blob or one bigger than LIMIT bytes."""
        if not ids:
            return []
        wanted = b"".join(os.fsencode(i) + b"\n" for i in ids)
        out = self.run_input(wanted, "cat-file", "--batch")
        found: list[bytes | None] = []
        at = 0
        for _ in ids:
            end = out.find(b"\n", at)
            if end < 0:
                break
            parts = out[at:end].split(b" ")
            at = end + 1
            if len(parts) != 3 or not parts[2].isdigit():
                found.append(None)  # "<id> missing"
                continue
            size = int(parts[2])
            data = out[at : at + size]
            at += size + 1
            found.append(data if parts[1] == b"blob" and size <= limit else None)
        found += [None] * (len(ids) - len(found))
        return found

    def blob_size(self, sha: str) -> int | None:
        header = self._header(sha)
        return None if header is None else header[1]

    def blob_start(self, sha: str, size: int) -> bytes:
        """The first SIZE bytes of a blob, without reading the rest (it may be huge)."""
        process = subprocess.Popen(
            _command(("cat-file", "blob", sha)),
            cwd=self.root,
            env=self._env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        try:
            return process.stdout.read(size) if process.stdout else b""
        finally:
            process.kill()
            process.wait()
            if process.stdout:
                process.stdout.close()

    # -- listings and diffs ------------------------------------------------------------------

    def diff(self, *args: str) -> tuple[list[FileChange], dict[str, str], dict[str, str]]:
        """The changed files, and the blob ids of their base (by old path) and head sides
        (by path; absent where the head is the work tree and git has not hashed it)."""
        # Above the threshold git shows a file as binary without reading it for lines; the
        # readers in checker/adapters/gitchange.py tell such text files apart (AC901).
        threshold = f"core.bigFileThreshold={caps.MAX_FILE_BYTES}"
        return read_diff(self.run("diff", *_DIFF_OPTIONS, *args, config=(threshold,)))

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
        return [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]
