"""AC201-AC203: is the change about as big as the task said it would be?"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Iterator
from typing import Any

from checker.config import catalog
from checker.config.globs import BadGlob, Globs
from checker.config.policy import Policy
from checker.config.schema import globs, positive_int, positive_number
from checker.config.task import Task
from checker.model.change import ChangeSet, FileChange
from checker.model.finding import Finding
from checker.model.reader import FileReader, decode_text

CODES = ("AC201", "AC202", "AC203")
SCHEMA: dict[str, Any] = {
    "size": {
        "max-lines": positive_int,
        "max-files": positive_int,
        "ratio": positive_number,
        "ignore": globs,
    }
}
DEFAULT_MAX_LINES = 1000
DEFAULT_MAX_FILES = 50
DEFAULT_RATIO = 3.0
_ATTRIBUTES = ("linguist-generated", "linguist-vendored")


@dataclasses.dataclass(frozen=True)
class Settings:
    max_lines: int
    max_files: int
    ratio: float
    not_counted: Globs  # lockfiles, generated and vendored presets, and size.ignore
    policy_path: str | None
    max_lines_line: int | None  # where the policy sets the limit, for the finding to point
    max_files_line: int | None


def settings(policy: Policy) -> Settings:
    size = policy.table("size")
    built_in = catalog.table("paths")
    return Settings(
        max_lines=int(size.get("max-lines", DEFAULT_MAX_LINES)),
        max_files=int(size.get("max-files", DEFAULT_MAX_FILES)),
        ratio=float(size.get("ratio", DEFAULT_RATIO)),
        not_counted=Globs(
            tuple(built_in["lockfiles"]["globs"])
            + tuple(built_in["generated"]["globs"])
            + tuple(built_in["generated"]["vendored"])
            + tuple(size.get("ignore", ()))
        ),
        policy_path=policy.path,
        max_lines_line=policy.line_of("size", "max-lines"),
        max_files_line=policy.line_of("size", "max-files"),
    )


def _attribute_rules(reader: FileReader, paths: set[str]) -> list[tuple[Globs, bool]]:
    """(pattern, marked) from every .gitattributes above the changed files, outermost first,
    for the linguist-generated and linguist-vendored attributes. Read at the base: a change
    that marks its own files generated or vendored is still counted by the rules it came to."""
    folders = {""}
    for path in paths:
        folder = posixpath.dirname(path)
        while folder:
            folders.add(folder)
            folder = posixpath.dirname(folder)
    rules: list[tuple[Globs, bool]] = []
    for folder in sorted(folders, key=lambda f: (f.count("/") + bool(f), f)):
        name = posixpath.join(folder, ".gitattributes") if folder else ".gitattributes"
        data = reader.base(name)
        if data is None:
            continue
        text, _ = decode_text(data)
        for raw in text.splitlines():
            parts = raw.split()
            if not parts or parts[0].startswith("#"):
                continue
            pattern, attrs = parts[0], parts[1:]
            value: bool | None = None
            for attr in attrs:
                name_, _, setting = attr.lstrip("-!").partition("=")
                if name_ in _ATTRIBUTES:
                    value = not attr.startswith(("-", "!")) and setting not in ("false", "0")
            if value is None:
                continue
            anchored = pattern.strip("/") if "/" in pattern.rstrip("/") else f"**/{pattern}"
            glob = f"{folder}/{anchored}" if folder else anchored
            try:
                rules.append((Globs((glob,)), value))
            except BadGlob:
                continue  # git ignores patterns it cannot read; so do we
    return rules


def counted(change: ChangeSet, not_counted: Globs, reader: FileReader) -> list[FileChange]:
    """The files that count toward size: not pure renames, lockfiles, generated or vendored."""
    candidates = [
        f for f in change.files if not f.is_pure_rename and not not_counted.match(f.path)
    ]
    rules = _attribute_rules(reader, {f.path for f in candidates})
    if not rules:
        return candidates
    kept = []
    for file in candidates:
        marked = False
        for glob, value in rules:
            if glob.match(file.path):
                marked = value
        if not marked:
            kept.append(file)
    return kept


def _largest(files: list[FileChange]) -> str:
    top = sorted(files, key=lambda f: -f.lines_changed)[:3]
    return ", ".join(f"{f.path} ({f.lines_changed:,})" for f in top if f.lines_changed)


def check(
    change: ChangeSet, settings: Settings, task: Task | None, reader: FileReader
) -> Iterator[Finding]:
    if not change.files:
        return
    files = counted(change, settings.not_counted, reader)
    lines = sum(f.lines_changed for f in files)
    ratio = settings.ratio
    biggest = _largest(files)
    detail = f"; largest: {biggest}" if biggest else ""
    task_where = (task.path, None, None) if task is not None else (None, None, None)
    if task is not None and task.expected_lines is not None:
        limit = task.expected_lines * ratio
        if lines > limit:
            line = task.line_of("expected-lines") if task.path else None
            yield Finding(
                "AC201",
                f"{lines:,} changed lines, over {ratio:g} x the task's expected-lines "
                f"{task.expected_lines:,} (= {limit:,.0f}){detail}",
                task_where[0],
                line,
                1 if line else None,
            )
    if lines > settings.max_lines:
        line = settings.max_lines_line
        yield Finding(
            "AC202",
            f"{lines:,} changed lines, over size.max-lines {settings.max_lines:,}{detail}",
            settings.policy_path if line else None,
            line,
            1 if line else None,
        )
    if task is not None and task.expected_files is not None:
        limit = task.expected_files * ratio
        if len(files) > limit:
            line = task.line_of("expected-files") if task.path else None
            yield Finding(
                "AC203",
                f"{len(files):,} changed files, over {ratio:g} x the task's expected-files "
                f"{task.expected_files:,} (= {limit:,.0f})",
                task_where[0],
                line,
                1 if line else None,
            )
    if len(files) > settings.max_files:
        line = settings.max_files_line
        yield Finding(
            "AC203",
            f"{len(files):,} changed files, over size.max-files {settings.max_files:,}",
            settings.policy_path if line else None,
            line,
            1 if line else None,
        )
