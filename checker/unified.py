"""Parsing the hunks of one file's section of git's `diff -U0` output."""

from __future__ import annotations

import re
from typing import NamedTuple

from checker.changeset import Line

_HUNK = re.compile(rb"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


class Hunks(NamedTuple):
    added: tuple[Line, ...]
    removed: tuple[Line, ...]
    binary: bool
    undecodable: bool


def _text(raw: bytes) -> tuple[str, bool]:
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace"), True


def parse_section(section: bytes) -> Hunks:
    """Lines of one `diff --git` section; line counts come from the hunk headers, so stray
    lines between sections (such as `* Unmerged path`) are never taken for content."""
    lines = section.split(b"\n")
    added: list[Line] = []
    removed: list[Line] = []
    undecodable = False
    binary = False
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        i += 1
        if not line.startswith(b"@@"):
            if line.startswith((b"Binary files ", b"GIT binary patch")):
                binary = True
            continue
        match = _HUNK.match(line)
        if match is None:
            continue
        old_no, new_no = int(match.group(1)), int(match.group(3))
        old_left = 1 if match.group(2) is None else int(match.group(2))
        new_left = 1 if match.group(4) is None else int(match.group(4))
        while (old_left > 0 or new_left > 0) and i < n:
            body = lines[i]
            i += 1
            kind = body[:1]
            if kind == b"+":
                text, bad = _text(body[1:])
                added.append(Line(new_no, text))
                new_no += 1
                new_left -= 1
            elif kind == b"-":
                text, bad = _text(body[1:])
                removed.append(Line(old_no, text))
                old_no += 1
                old_left -= 1
            elif kind == b" ":
                old_no += 1
                new_no += 1
                old_left -= 1
                new_left -= 1
                continue
            else:  # "\ No newline at end of file"
                continue
            undecodable = undecodable or bad
    return Hunks(tuple(added), tuple(removed), binary, undecodable)
