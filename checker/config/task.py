"""The task spec: what the change is for, where it may go, and how big it should be."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checker.config.globs import Globs
from checker.config.schema import Document, globs, positive_int, strings, text, validate
from checker.config.tomlfile import key_line, parse_toml
from checker.model.errors import FatalError

TASK_FILE = ".agentcheck/task.toml"
_EDGE = re.compile(r"^\s*[\w.*/-]+\s*->\s*[\w.*/-]+\s*$")
_FENCE = re.compile(
    r"^[ \t]*(`{3,}|~{3,})[ \t]*agentcheck[ \t]*\r?\n(.*?)^[ \t]*\1[ \t]*$",
    re.MULTILINE | re.DOTALL,
)


def _edges(value: Any) -> tuple[str, ...]:
    items = strings(value)
    for item in items:
        if not _EDGE.match(item):
            raise ValueError(
                f'{item!r} is not an import edge: write "importer -> imported", '
                'e.g. "app.notifications -> app.db"'
            )
    return items


def names(value: Any) -> tuple[str, ...]:
    """Package or server names, `*` matching any run of characters."""
    items = strings(value)
    for item in items:
        if not item.strip() or any(c.isspace() for c in item):
            raise ValueError(f'{item!r} is not a name: write one name per string, e.g. "requests"')
    return items


SCHEMA: dict[str, Any] = {
    "id": text,
    "summary": text,
    "paths": globs,
    "forbid": globs,
    "expected-lines": positive_int,
    "expected-files": positive_int,
    "allow-protected": globs,
    "allow-imports": _edges,
    "allow-dependencies": names,
}


@dataclasses.dataclass(frozen=True)
class Task:
    source: str  # where it was read: ".agentcheck/task.toml", "the pull request body"
    path: str | None  # repository-relative file, when the task lives in the repository
    values: dict[str, Any]
    document: Document

    @property
    def id(self) -> str:
        return str(self.values.get("id", "")) or self.source

    @functools.cached_property
    def paths(self) -> Globs:
        return Globs(self.values.get("paths", ()))

    @functools.cached_property
    def forbid(self) -> Globs:
        return Globs(self.values.get("forbid", ()))

    @functools.cached_property
    def allow_protected(self) -> Globs:
        return Globs(self.values.get("allow-protected", ()))

    @property
    def expected_lines(self) -> int | None:
        value = self.values.get("expected-lines")
        return int(value) if value is not None else None

    @property
    def expected_files(self) -> int | None:
        value = self.values.get("expected-files")
        return int(value) if value is not None else None

    @property
    def allow_imports(self) -> tuple[str, ...]:
        return tuple(self.values.get("allow-imports", ()))

    def line_of(self, key: str) -> int | None:
        return key_line(self.document.text, self.document.prefix, key)


def from_text(text_: str, label: str, path: str | None) -> Task:
    data = parse_toml(text_, label)
    document = Document(label, text_, data)
    return Task(label, path, validate(document, SCHEMA, data), document)


def from_pr_body(body: str) -> Task | None:
    """The first fenced ```agentcheck block of a pull request's description."""
    match = _FENCE.search(body.replace("\r\n", "\n"))
    if match is None:
        return None
    return from_text(match.group(2), "the pull request body (agentcheck block)", None)


def load(
    root: Path,
    task_file: str | None,
    pr_body: str | None,
    read_at_rev: Callable[[str], str | None] | None = None,
    rev_label: str = "",
) -> Task | None:
    """--task FILE, else .agentcheck/task.toml (in the work tree or at a revision), else an
    agentcheck block in the pull request body, else None."""
    if task_file is not None and read_at_rev is not None:
        # In CI the work tree is the change under review; the task comes from the base.
        found = read_at_rev(task_file)
        if found is None:
            raise FatalError(
                f"--task {task_file}: no such file at {rev_label}. Name a task spec that exists "
                "in that revision, or drop --policy-from."
            )
        return from_text(found, f"{task_file} (at {rev_label})", task_file)
    if task_file is not None:
        path = Path(task_file)
        try:
            body = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
            raise FatalError(
                f"--task {task_file}: cannot be read ({why}). Pass the path of a "
                "task spec TOML file."
            ) from None
        try:
            rel: str | None = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            rel = None
        return from_text(body, task_file, rel)
    if read_at_rev is not None:
        found = read_at_rev(TASK_FILE)
        if found is not None:
            return from_text(found, f"{TASK_FILE} (at {rev_label})", TASK_FILE)
    else:
        default = root / TASK_FILE
        if default.is_file():
            try:
                return from_text(default.read_bytes().decode("utf-8"), TASK_FILE, TASK_FILE)
            except UnicodeDecodeError:
                raise FatalError(f"{TASK_FILE}: not UTF-8; task specs must be UTF-8.") from None
    if pr_body:
        return from_pr_body(pr_body)
    return None
