"""Reading git's own diff output: `git diff --raw -z -p -U0` (the options in
checker/adapters/git.py), raw records first, then the patch.

Why agentcheck reads diffs two ways: git's output is read here, where the -z raw records
name every path, status, mode and similarity exactly (no quoting or " b/" ambiguity) and only
the hunks' line numbers come from the patch text; a patch file given with --patch has no raw
records and may come from any tool (`diff -u`, hg, svn), so checker/adapters/patchfile.py
reads it through unidiff. tests/test_diff_properties.py feeds the same git diffs to both and
requires the same files and lines from each."""

from __future__ import annotations

import re
from typing import NamedTuple

from checker.model.change import FileChange, Line, Status

_STATUS: dict[str, Status] = {
    "A": "added",
    "M": "modified",
    "D": "deleted",
    "R": "renamed",
    "C": "copied",
    "T": "typechange",
    "U": "unmerged",
}
_NULL = re.compile(r"^0+$")
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


class RawEntry(NamedTuple):
    old_mode: str
    new_mode: str
    old_sha: str
    new_sha: str
    status: str
    score: int | None
    path: str
    old_path: str


def read_diff(out: bytes) -> tuple[list[FileChange], dict[str, str], dict[str, str]]:
    """The changed files of `git diff --raw -z -p` output, and the blob ids of their base
    (by old path) and head sides (by path; absent where git has not hashed the head, as for
    the work tree)."""
    entries, patch = _split_raw(out)
    base_ids = {e.old_path: e.old_sha for e in entries if not _NULL.match(e.old_sha)}
    head_ids = {e.path: e.new_sha for e in entries if not _NULL.match(e.new_sha)}
    return _pair(entries, patch), base_ids, head_ids


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
