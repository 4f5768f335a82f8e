"""Parsing the hunks of one file's section of git's `diff -U0` output."""

from __future__ import annotations

import re
from typing import NamedTuple

from checker.model.change import Line

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


_ESCAPES = {
    "n": "\n",
    "t": "\t",
    '"': '"',
    "\\": "\\",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "r": "\r",
    "v": "\v",
}


def unquote(path: str) -> str:
    """Undo git's C-style quoting of unusual file names ("new\\nline", octal UTF-8 bytes)."""
    if not (len(path) >= 2 and path.startswith('"') and path.endswith('"')):
        return path
    body, out, i = path[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in "01234567" and re.match(r"[0-7]{3}", body[i + 1 : i + 4]):
                out.append(int(body[i + 1 : i + 4], 8))
                i += 4
                continue
            out += _ESCAPES.get(nxt, nxt).encode("utf-8", "surrogateescape")
            i += 2
            continue
        out += char.encode("utf-8", "surrogateescape")  # a name that is not UTF-8 stays whole
        i += 1
    return out.decode("utf-8", "surrogateescape")


def section_path(section: bytes) -> str:
    """The head-side path of one `diff --git` section (the old path for a deletion), read from
    the lines git writes unambiguously: rename/copy headers, then ---/+++ lines, then the
    `a/P b/P` line whose two halves are equal."""
    lines = section.split(b"\n", 12)
    first = lines[0].decode("utf-8", "surrogateescape")
    old: str | None = None
    for raw in lines[1:]:
        line = raw.decode("utf-8", "surrogateescape")
        if line.startswith(("rename to ", "copy to ")):
            return unquote(line.split(" to ", 1)[1])
        if line.startswith("--- "):
            old = unquote(line[4:].rstrip("\t")).removeprefix("a/")
        elif line.startswith("+++ "):
            new = unquote(line[4:].rstrip("\t"))
            return old or "" if new == "/dev/null" else new.removeprefix("b/")
        elif line.startswith(("@@", "Binary files", "GIT binary patch")):
            break
    if first.startswith('"'):
        i = 1
        while i < len(first) and first[i] != '"':
            i += 2 if first[i] == "\\" else 1
        return unquote(first[i + 1 :].strip()).removeprefix("b/")
    half = (len(first) - 5) // 2
    return first[2 : 2 + half]
