"""The table of hidden characters (rules/unicode.toml): which code points editors do not
show, the rule each belongs to, the contexts that make some legitimate, and their names for
messages. Pure data access; the scanners build on it."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

from checker.config import catalog


class Hidden(NamedTuple):
    """One row of the table: a range of hidden code points and how they are reported."""

    first: int
    last: int
    kind: str  # the class, e.g. "zero-width"
    code: str
    severity: str  # outside instruction files
    instruction_severity: str  # in agent instruction files


class Tables(NamedTuple):
    version: str
    hidden: tuple[Hidden, ...]
    contexts: dict[str, tuple[tuple[int, int], ...]]
    nouns: dict[str, str]
    control_names: dict[int, str]


def parse_range(text: str) -> tuple[int, int]:
    """ "U+200B" or "U+FE00..U+FE0F" as (first, last); ValueError when malformed."""
    first, sep, last = text.partition("..")
    low = _point(first)
    high = _point(last) if sep else low
    if high < low:
        raise ValueError(f"{text!r}: the range ends before it starts")
    return low, high


def _point(text: str) -> int:
    body = text.strip().upper()
    if not body.startswith("U+"):
        raise ValueError(f'{text!r} is not a code point: write it as "U+200E"')
    try:
        point = int(body[2:], 16)
    except ValueError:
        raise ValueError(f'{text!r} is not a code point: write it as "U+200E"') from None
    if not 0 <= point <= 0x10FFFF:
        raise ValueError(f"{text!r} is beyond U+10FFFF")
    return point


@functools.cache
def tables() -> Tables:
    data = catalog.table("unicode")
    hidden = []
    for row in data["hidden"]["ranges"]:
        first, last = parse_range(row["range"])
        severity = row["severity"]
        hidden.append(
            Hidden(
                first,
                last,
                row["class"],
                row["code"],
                severity,
                row.get("instruction-files", severity),
            )
        )
    names = data["control-names"]
    control_names = dict(enumerate(names["c0"]))
    control_names[0x7F] = names["del"]
    control_names.update({0x80 + i: name for i, name in enumerate(names["c1"])})
    return Tables(
        version=data["unicode-version"],
        hidden=tuple(sorted(hidden)),
        contexts={
            name: tuple(parse_range(item) for item in items)
            for name, items in data["contexts"].items()
        },
        nouns=dict(data["nouns"]),
        control_names=control_names,
    )


@functools.cache
def _row_of() -> dict[int, Hidden]:
    return {point: row for row in tables().hidden for point in range(row.first, row.last + 1)}


def row_of(point: int) -> Hidden | None:
    """The table row of a hidden code point; None for an ordinary one."""
    return _row_of().get(point)


def _escape(point: int) -> str:
    return f"\\U{point:08x}"


def char_class(ranges: Iterable[tuple[int, int]], without: frozenset[int] = frozenset()) -> str:
    """The inside of a regular-expression bracket expression matching RANGES. Adjacent ranges
    are merged: the regex engine tests ranges above U+FFFF one by one."""
    merged: list[list[int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    parts = []
    for first, last in merged:
        low = first
        for point in sorted(p for p in without if first <= p <= last):
            if low < point:
                parts.append(_span(low, point - 1))
            low = point + 1
        if low <= last:
            parts.append(_span(low, last))
    return "".join(parts)


def _span(first: int, last: int) -> str:
    return _escape(first) if first == last else f"{_escape(first)}-{_escape(last)}"


def hidden_class(without: frozenset[int] = frozenset()) -> str:
    return char_class(((row.first, row.last) for row in tables().hidden), without)


def name(point: int) -> str:
    """A code point's name for messages: the Unicode name, a control's abbreviation, or its
    class in the table."""
    found = unicodedata.name(chr(point), "") or tables().control_names.get(point)
    if found:
        return found
    row = row_of(point)
    return f"unassigned {row.kind}" if row else "unnamed"


def describe(points: tuple[int, ...]) -> str:
    """The code points of a run, for people: each with its name when there are few."""
    distinct = list(dict.fromkeys(points))
    if len(distinct) > 3:
        return f"U+{min(distinct):04X}..U+{max(distinct):04X}, {len(distinct)} distinct"
    parts = []
    for point in distinct:
        count = points.count(point)
        parts.append(f"U+{point:04X} {name(point)}" + (f" x{count}" if count > 1 else ""))
    return ", ".join(parts)
