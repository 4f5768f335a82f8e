"""Reading a change from a unified diff (`--patch FILE|-`) through unidiff: any tool's diff,
with no file contents beside it (see checker/adapters/gitdiff.py for why git's own output is
read apart)."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchedFile, PatchSet

from checker.adapters.gitdiff import unquote
from checker.model import caps
from checker.model.change import MODE_SUBMODULE, ChangeSet, FileChange, Line, Status
from checker.model.errors import FatalError
from checker.model.reader import NoContentReader

_SIMILARITY = re.compile(r"^similarity index (\d+)%", re.MULTILINE)


def _strip_prefix(path: str, prefix: str) -> str:
    path = unquote(path)
    return path[len(prefix) :] if path.startswith(prefix) else path


def _status(patched: PatchedFile) -> Status:
    info = str(patched.patch_info or "")
    if info.startswith("diff --git "):
        # git names /dev/null for a new or deleted file; an empty file that gains lines (a
        # hunk at -0,0) is modified, whatever unidiff's guess for plain diffs says.
        added = patched.source_file == "/dev/null"
        deleted = patched.target_file == "/dev/null"
    else:
        added, deleted = patched.is_added_file, patched.is_removed_file
    if added:
        return "added"
    if deleted:
        return "deleted"
    if "\ncopy from " in f"\n{info}":
        return "copied"
    if patched.is_rename:
        return "renamed"
    return "modified"


def _text(value: str) -> str:
    return value.removesuffix("\n").removesuffix("\r")


BATCH_CHARS = 1 << 20  # unidiff's objects take ~20x the text: parse ~1 MiB at a time


def _batches(text: str) -> Iterator[str]:
    """The patch in pieces of about BATCH_CHARS, cut only before a `diff --git` line, where
    unidiff starts afresh; a patch without such lines is one piece."""
    start = 0
    while start < len(text):
        cut = text.find("\ndiff --git ", start + BATCH_CHARS)
        end = len(text) if cut < 0 else cut + 1
        yield text[start:end]
        start = end


# Two places where the names might part: unidiff takes the last, git meant one of them.
_AMBIGUOUS = re.compile(r'^diff --git [^\n]* "?b/[^\n]* "?b/', re.MULTILINE)


def _disambiguate(text: str) -> str:
    """unidiff cuts `diff --git a/P b/P` at its last " b/", which is wrong where P holds " b/"
    itself (a folder named "a b"). Such a header and its ---/+++ lines are rewritten C-quoted,
    with the names git meant: the rename or copy lines, or the two equal halves."""
    if not _AMBIGUOUS.search(text):
        return text
    lines = text.split("\n")
    for at, line in enumerate(lines):
        if not _AMBIGUOUS.match(line):
            continue
        names = _header_names(lines, at)
        if names is None:
            continue
        old, new = _quote("a/" + names[0]), _quote("b/" + names[1])
        lines[at] = f"diff --git {old} {new}"
        for below in range(at + 1, len(lines)):
            if lines[below].startswith(("@@", "diff --git ")):
                break
            if lines[below].startswith(("--- a/", '--- "a/')):
                lines[below] = f"--- {old}"
            elif lines[below].startswith(("+++ b/", '+++ "b/')):
                lines[below] = f"+++ {new}"
    return "\n".join(lines)


def _quote(name: str) -> str:
    """C-quoted with every space escaped too, so one space is left where two names part."""
    out = []
    for char in name:
        if char in '"\\':
            out.append("\\" + char)
        elif char == " " or ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):03o}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _header_names(lines: list[str], at: int) -> tuple[str, str] | None:
    """The two names of an ambiguous header: from the rename or copy lines below it, else
    its two halves when they name the same file."""
    old = new = None
    for line in lines[at + 1 : at + 8]:
        if line.startswith(("@@", "diff --git ")):
            break
        if line.startswith(("rename from ", "copy from ")):
            old = unquote(line.split(" from ", 1)[1])
        elif line.startswith(("rename to ", "copy to ")):
            new = unquote(line.split(" to ", 1)[1])
    if old is not None and new is not None:
        return old, new
    rest = lines[at][len("diff --git ") :]
    middle = len(rest) // 2
    if len(rest) % 2 == 0 or rest[middle] != " ":
        return None
    left, right = unquote(rest[:middle]), unquote(rest[middle + 1 :])
    if left.startswith("a/") and right.startswith("b/") and left[2:] == right[2:]:
        return left[2:], right[2:]
    return None


def parse_patch(data: bytes, label: str) -> list[FileChange]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", "replace")
    text = _disambiguate(text)
    files: list[FileChange] = []
    for batch in _batches(text):
        try:
            patch = PatchSet(batch)
        except UnidiffParseError as exc:
            detail = " ".join(str(exc).split())
            if len(detail) > 200:
                detail = detail[:200] + "..."
            raise FatalError(
                f"{label}: not a unified diff agentcheck can read: {detail}. Produce it with "
                "`git diff` (or `diff -u`) and pass it unchanged."
            ) from None
        files.extend(_changes(patch))
    if not files and text.strip():
        raise FatalError(
            f"{label}: holds no unified diff (no '--- a/file' / '+++ b/file' headers or "
            "'diff --git' lines were found). Pass the output of `git diff`."
        )
    return files


def _changes(patch: PatchSet) -> Iterator[FileChange]:
    for patched in patch:
        status = _status(patched)
        source = _strip_prefix(patched.source_file, "a/")
        target = _strip_prefix(patched.target_file, "b/")
        info = str(patched.patch_info or "")
        if status in ("renamed", "copied"):
            for header in info.splitlines():
                if header.startswith(("rename from ", "copy from ")):
                    source = unquote(header.split(" from ", 1)[1])
                elif header.startswith(("rename to ", "copy to ")):
                    target = unquote(header.split(" to ", 1)[1])
        path = source if status == "deleted" else target
        old_path = source if status in ("renamed", "copied") else path
        added: list[Line] = []
        removed: list[Line] = []
        for hunk in patched:
            for line in hunk:
                if line.is_added and line.target_line_no is not None:
                    added.append(Line(line.target_line_no, _text(line.value)))
                elif line.is_removed and line.source_line_no is not None:
                    removed.append(Line(line.source_line_no, _text(line.value)))
        similarity = _SIMILARITY.search(info)
        old_mode = getattr(patched, "source_mode", None)
        new_mode = getattr(patched, "target_mode", None)
        if status != "added" and old_mode is None:
            old_mode = new_mode or "100644"
        if status != "deleted" and new_mode is None:
            new_mode = old_mode or "100644"
        if status == "added":
            old_mode = None
        if status == "deleted":
            new_mode = None
        change = FileChange(
            path=path,
            old_path=old_path,
            status=status,
            added=tuple(added),
            removed=tuple(removed),
            binary=bool(patched.is_binary_file),
            old_mode=old_mode,
            new_mode=new_mode,
            similarity=int(similarity.group(1)) if similarity else None,
            undecodable=any("\ufffd" in line.text for line in (*added, *removed)),
        )
        if MODE_SUBMODULE in (old_mode, new_mode):
            change = change._replace(added=(), removed=())
        yield change


def from_patch(source: str) -> tuple[ChangeSet, NoContentReader]:
    if source == "-":
        data = sys.stdin.buffer.read(caps.MAX_PATCH_BYTES + 1)
        label = "standard input"
    else:
        try:
            with open(source, "rb") as handle:
                data = handle.read(caps.MAX_PATCH_BYTES + 1)
        except OSError as exc:
            raise FatalError(
                f"--patch {source}: cannot be read: {exc.strerror}. Pass an existing "
                "unified diff file, or - for standard input."
            ) from None
        label = source
    if len(data) > caps.MAX_PATCH_BYTES:
        raise FatalError(
            f"--patch {source}: the patch is over agentcheck's "
            f"{caps.size_text(caps.MAX_PATCH_BYTES)} limit for a patch file. Check the "
            "change from git instead (`agentcheck diff BASE..HEAD`), or split the patch."
        )
    files = parse_patch(data, label)
    return ChangeSet(tuple(files), "patch", f"patch: {label}"), NoContentReader()
