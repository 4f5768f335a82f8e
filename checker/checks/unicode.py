"""AC501-AC505: hidden Unicode in the lines a change adds, and in the pull request's title and
body and the commit messages, which agents read too.

Findings in a message have no path: the message says where ("pull request body, line 3,
column 5: ..."). Per-path allowances and `scan = "instruction-files"` apply to files only.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from checker.config import catalog
from checker.config.globs import Globs
from checker.config.policy import Policy
from checker.config.schema import Entries, EntryError, globs, one_of, strings
from checker.config.task import Task
from checker.domain.hiddentext import scanner
from checker.domain.hiddentext.filescan import decode_wide
from checker.model.change import PENDING_COMMIT, ChangeSet, FileChange
from checker.model.finding import Finding, Severity
from checker.model.reader import FileReader

CODES = ("AC501", "AC502", "AC503", "AC504", "AC505")


def _codepoints(value: Any) -> frozenset[int]:
    found: set[int] = set()
    for item in strings(value):
        found.update(_codepoint_range(item))
    return frozenset(found)


def _codepoint_range(item: str) -> range:
    """ "U+200E", or a range such as "U+FE00..U+FE0F"."""
    first, dots, last = item.partition("..")
    points = []
    for text in (first, last) if dots else (first,):
        try:
            point = int(text.strip().upper().removeprefix("U+"), 16)
        except ValueError:
            raise ValueError(
                f'{item!r} is not a code point: write it as "U+200E" or "U+FE00..U+FE0F"'
            ) from None
        if not 0 <= point <= 0x10FFFF:
            raise ValueError(f"{item!r} is beyond U+10FFFF")
        points.append(point)
    if points[-1] < points[0]:
        raise ValueError(f"{item!r}: the range ends before it starts")
    return range(points[0], points[-1] + 1)


def _unicode_path_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """One [[unicode.paths]] entry: `paths` (globs) and what to `allow` there: code points,
    ranges or whole rules; as {"paths", "points", "codes"}."""
    for key in entry:
        if key not in ("paths", "allow"):
            raise EntryError(key, "unknown key; an entry has `paths` and `allow`")
    for key in ("paths", "allow"):
        if key not in entry:
            raise EntryError(
                None,
                f"`{key}` is missing; an entry has `paths` (globs) and `allow` (code points such "
                'as "U+200C", ranges such as "U+FE00..U+FE0F", or codes AC501-AC505)',
            )
    try:
        patterns = globs(entry["paths"])
    except ValueError as exc:
        raise EntryError("paths", str(exc)) from None
    try:
        allowed = strings(entry["allow"])
        codes = frozenset(a.upper() for a in allowed if a.upper() in CODES)
        points = frozenset(
            p for a in allowed if a.upper() not in CODES for p in _codepoint_range(a)
        )
    except ValueError as exc:
        raise EntryError("allow", f"{exc}, or a code AC501-AC505") from None
    return {"paths": patterns, "points": points, "codes": codes}


SCHEMA: dict[str, Any] = {
    "unicode": {
        "allow": _codepoints,
        "scan": one_of("all", "instruction-files"),
        "paths": Entries(_unicode_path_entry),
    }
}


class Allowance(NamedTuple):
    points: frozenset[int]  # code points never reported
    codes: frozenset[str]  # rules never reported


class Allowances:
    """The policy's `[unicode] allow` and its `[[unicode.paths]]` entries."""

    def __init__(self, table: dict[str, Any]) -> None:
        self.everywhere = frozenset(table.get("allow", frozenset()))
        self._paths = [
            (Globs(entry["paths"]), entry["points"], entry["codes"])
            for entry in table.get("paths", ())
        ]

    def at(self, path: str | None) -> Allowance:
        points, codes = set(self.everywhere), set()
        if path is not None:
            for globs, more_points, more_codes in self._paths:
                if globs.match(path):
                    points |= more_points
                    codes |= more_codes
        return Allowance(frozenset(points), frozenset(codes))


@dataclasses.dataclass(frozen=True)
class Settings:
    allowances: Allowances
    only_instruction_files: bool  # `scan = "instruction-files"`
    instruction_files: Globs


def settings(policy: Policy) -> Settings:
    table = policy.table("unicode")
    return Settings(
        Allowances(table),
        table.get("scan", "all") == "instruction-files",
        policy.instruction_files,
    )


def finding(hit: scanner.Hit, path: str | None, instruction: bool, where: str = "") -> Finding:
    """A hit as a finding; its severity is set only where it differs from the rule's."""
    level = hit.instruction_severity if instruction else hit.severity
    severity: Severity | None = None
    if level != catalog.rule(hit.code).severity:
        severity = level  # type: ignore[assignment]
    if path is None:
        return Finding(hit.code, f"{where}: {hit.message}", severity=severity)
    return Finding(hit.code, hit.message, path, hit.line, hit.column, severity, hit.snippet)


def check(
    change: ChangeSet, settings: Settings, task: Task | None, reader: FileReader
) -> Iterator[Finding]:
    allowances = settings.allowances
    only_instructions = settings.only_instruction_files
    for file in change.files:
        if file.status == "deleted" or file.is_submodule:
            continue
        instruction = any(settings.instruction_files.match(p) for p in file.paths)
        if only_instructions and not instruction:
            continue
        allowed = allowances.at(file.path)
        for hit in _file_hits(file, reader, allowed.points):
            if hit.code not in allowed.codes:
                yield finding(hit, file.path, instruction)
    everywhere = allowances.at(None).points
    for where, text, one_line in _messages(change):
        for hit in scanner.scan_text(text, everywhere):
            line = "" if one_line else f", line {hit.line}"
            yield finding(hit, None, False, f"{where}{line}, column {hit.column}")


def _file_hits(file: FileChange, reader: FileReader, allow: frozenset[int]) -> list[scanner.Hit]:
    if file.binary:
        return _wide_file_hits(file, reader, allow)
    if not file.added:
        return []
    # One scan of the added lines joined: hidden characters never span a line break, so line
    # k of the joined text is the k-th added line.
    joined = "\n".join(line.text for line in file.added)
    hits = scanner.scan_text(joined, allow, file_start=file.added[0].number == 1)
    numbers = [line.number for line in file.added]
    found = [hit._replace(line=numbers[hit.line - 1]) for hit in hits]
    if file.undecodable:
        found.append(_undecodable_note(file))
    return found


def _undecodable_note(file: FileChange) -> scanner.Hit:
    at = next((line for line in file.added if "\ufffd" in line.text), file.added[0])
    column = at.text.find("\ufffd") + 1 or 1
    return scanner.undecodable_hit(
        at.number,
        column,
        "added lines are not valid UTF-8; the bad bytes were read as U+FFFD and the rest was "
        "checked",
        at.text,
    )


def _wide_file_hits(
    file: FileChange, reader: FileReader, allow: frozenset[int]
) -> list[scanner.Hit]:
    """git calls UTF-16 and UTF-32 text binary (it has NUL bytes); with a byte order mark it is
    text all the same. Only the lines the base does not have are reported."""
    head = reader.head(file.path)
    decoded = decode_wide(head) if head else None
    if decoded is None:
        return []  # truly binary, or the contents are unknown (a patch file)
    text, _ = decoded
    base = reader.base(file.old_path) if file.status != "added" else None
    old = decode_wide(base) if base else None
    if old is None and base:
        old = (base.decode("utf-8", "replace"), "utf-8")
    hits = scanner.scan_text(text, allow, file_start=False)
    if old is None:
        return hits
    new_lines = _new_lines(old[0].split("\n"), text.split("\n"))
    return [hit for hit in hits if hit.line in new_lines]


def _new_lines(base: list[str], head: list[str]) -> set[int]:
    """Head line numbers whose text the base does not hold (each base line matches once)."""
    left = Counter(line.removesuffix("\r") for line in base)
    new = set()
    for number, line in enumerate(head, 1):
        key = line.removesuffix("\r")
        if left[key] > 0:
            left[key] -= 1
        else:
            new.add(number)
    return new


def _messages(change: ChangeSet) -> Iterable[tuple[str, str, bool]]:
    """(where, text, whether it is one line) for every message the change carries."""

    pr = change.pull_request
    if pr is not None:
        yield "pull request title", pr.title, True
        yield "pull request body", pr.body, False
    for commit in change.commits:
        if commit.sha == PENDING_COMMIT:
            yield "the commit message being written", commit.message, False
        else:
            yield f"commit {commit.sha[:12]} message", commit.message, False
