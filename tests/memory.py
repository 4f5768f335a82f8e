"""Changes built in memory, for testing checks in process: two versions of a repository as
dictionaries, the ChangeSet git would read between them (line numbers from difflib's opcodes),
a FileReader over both, and the engine run on them with a policy and task given as TOML text.

The end-to-end tests run the real command on real repositories; these run the same checks
without git or a subprocess, in milliseconds."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from checker.checks import policy_schema
from checker.config import policy as policies
from checker.config import task as tasks
from checker.engine import run as engine
from checker.engine.selection import Selection
from checker.model.authorship import Authorship
from checker.model.change import ChangeSet, Commit, FileChange, Kind, Line, PullRequest, Status
from checker.model.finding import Finding

Files = Mapping[str, str | bytes]


def _bytes(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


class MemoryReader:
    """A FileReader over two dictionaries of path -> contents."""

    def __init__(self, base: Files, head: Files) -> None:
        self._base = {path: _bytes(data) for path, data in base.items()}
        self._head = {path: _bytes(data) for path, data in head.items()}

    def base(self, path: str) -> bytes | None:
        return self._base.get(path)

    def head(self, path: str) -> bytes | None:
        return self._head.get(path)

    def base_paths(self) -> frozenset[str]:
        return frozenset(self._base)

    def head_paths(self) -> frozenset[str]:
        return frozenset(self._head)


def _lines(data: bytes) -> list[str]:
    text = data.decode("utf-8", "replace")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def file_change(
    path: str, old: bytes | None, new: bytes | None, old_path: str | None = None
) -> FileChange:
    """PATH changed from OLD to NEW (None where the file is absent), as git -U0 reads it."""
    status: Status = "added" if old is None else "deleted" if new is None else "modified"
    if old_path is not None and old_path != path:
        status = "renamed"
    if b"\0" in (old or b"")[:8000] or b"\0" in (new or b"")[:8000]:
        return FileChange(
            path,
            old_path or path,
            status,
            binary=True,
            old_mode=None if old is None else "100644",
            new_mode=None if new is None else "100644",
        )
    before, after = _lines(old or b""), _lines(new or b"")
    added: list[Line] = []
    removed: list[Line] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for kind, i1, i2, j1, j2 in matcher.get_opcodes():
        if kind == "equal":
            continue
        removed += [Line(n + 1, before[n]) for n in range(i1, i2)]
        added += [Line(n + 1, after[n]) for n in range(j1, j2)]
    return FileChange(
        path=path,
        old_path=old_path or path,
        status=status,
        added=tuple(added),
        removed=tuple(removed),
        old_mode=None if old is None else "100644",
        new_mode=None if new is None else "100644",
        similarity=90 if status == "renamed" else None,
    )


def change_between(
    base: Files,
    head: Files,
    *,
    renames: Mapping[str, str] | None = None,
    commits: Iterable[Commit] = (),
    pull_request: PullRequest | None = None,
    kind: Kind = "range",
) -> tuple[ChangeSet, MemoryReader]:
    """The change from BASE to HEAD (RENAMES: new path -> old path), and a reader of both."""
    renames = dict(renames or {})
    reader = MemoryReader(base, head)
    moved_from = set(renames.values())
    files = []
    for path in sorted(set(base) | set(head)):
        if path in moved_from and path not in head:
            continue
        old_path = renames.get(path)
        old = reader.base(old_path or path)
        new = reader.head(path)
        if old == new and old_path is None:
            continue
        files.append(file_change(path, old, new, old_path))
    change = ChangeSet(
        tuple(files),
        kind,
        "in-memory change",
        base="base",
        head="head",
        commits=tuple(commits),
        pull_request=pull_request,
    )
    return change, reader


def commit(message: str, author: str = "Dev <dev@example.com>", sha: str = "c0ffee" * 6) -> Commit:
    return Commit(sha + "0" * (40 - len(sha)), author, author, message)


def pull_request(
    body: str = "",
    title: str = "A change",
    author: str = "someone",
    branch: str = "topic",
    labels: tuple[str, ...] = (),
) -> PullRequest:
    return PullRequest(1, title, body, author, branch, "main", labels, None, None)


def load_policy(text: str = "", name: str = "agentcheck.toml") -> policies.Policy:
    """A policy from TOML text as agentcheck.toml (or pyproject.toml) holds it."""
    if not text:
        return policies.defaults()
    found = policies.from_text(text, name, name, name.endswith("pyproject.toml"), policy_schema())
    assert found is not None, "a pyproject.toml without [tool.agentcheck]"
    return found


def load_task(text: str, path: str = ".agentcheck/task.toml") -> tasks.Task:
    return tasks.from_text(text, path, path)


def run(
    change: ChangeSet,
    reader: MemoryReader,
    *,
    policy: str = "",
    task: str | None = None,
    select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
    authorship: Authorship | None = None,
) -> list[Finding]:
    """The findings the engine reports, as `agentcheck diff` would (after severities); with
    AUTHORSHIP None every rule binds."""
    outcome = engine.run(
        change,
        load_policy(policy),
        load_task(task) if task is not None else None,
        reader,
        Selection(select, ignore),
        authorship,
    )
    return outcome.findings


def findings(
    base: Files,
    head: Files,
    *,
    policy: str = "",
    task: str | None = None,
    select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
    **change: Any,
) -> list[Finding]:
    """Shorthand: the findings of the change from BASE to HEAD (CHANGE: change_between's
    keywords), every rule binding."""
    changed, reader = change_between(base, head, **change)
    return run(changed, reader, policy=policy, task=task, select=select, ignore=ignore)


def located(found: Iterable[Finding]) -> list[tuple[str, str | None, int | None]]:
    """(code, path, line) of each finding, in the reporters' order."""
    return [(f.code, f.path, f.line) for f in found]


def codes(found: Iterable[Finding]) -> list[str]:
    return [f.code for f in found]
