"""Reading a change from a unified diff (`--patch FILE|-`) through unidiff."""

from __future__ import annotations

import re
from collections.abc import Iterator

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchedFile, PatchSet

from checker.changeset import MODE_SUBMODULE, FileChange, Line, Status
from checker.errors import FatalError
from checker.unified import unquote

_SIMILARITY = re.compile(r"^similarity index (\d+)%", re.MULTILINE)


def _strip_prefix(path: str, prefix: str) -> str:
    path = unquote(path)
    return path[len(prefix) :] if path.startswith(prefix) else path


def _status(patched: PatchedFile) -> Status:
    info = str(patched.patch_info or "")
    if patched.is_added_file:
        return "added"
    if patched.is_removed_file:
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


def parse_patch(data: bytes, label: str) -> list[FileChange]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", "replace")
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
