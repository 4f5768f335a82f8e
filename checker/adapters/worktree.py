"""The work tree: files read from disk as agentcheck reads them, within its read caps, and
untracked files seen as git would show them once added."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from checker.model import caps
from checker.model.change import FileChange, Line
from checker.model.errors import FatalError
from checker.model.reader import decode_text, looks_binary


def read_capped(path: Path) -> tuple[bytes, int | None]:
    """(the file's bytes, None), or, for a file over caps.MAX_FILE_BYTES, (its first SNIFF_BYTES,
    its size): a big file is never read whole. OSError propagates."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > caps.MAX_FILE_BYTES:
            return handle.read(caps.SNIFF_BYTES), size
        data = handle.read(caps.MAX_FILE_BYTES + 1)  # it may have grown since
        if len(data) > caps.MAX_FILE_BYTES:
            return data[:caps.SNIFF_BYTES], max(size, len(data))
        return data, None


def read_file(root: Path, path: str) -> bytes | None:
    full = root / path
    try:
        if full.is_symlink():
            return os.fsencode(os.readlink(full))
        if not full.is_file():
            return None
        data, too_large = read_capped(full)
    except OSError:
        return None
    return None if too_large is not None else data


def untracked_change(root: Path, path: str) -> FileChange | None:
    """An untracked file as git would show it once added: every line is new. None when it
    is gone by the time it is read."""
    full = root / path
    if path.endswith("/"):  # a nested repository git will not descend into
        return FileChange(path.rstrip("/"), path.rstrip("/"), "added", new_mode="160000")
    try:
        if full.is_symlink():
            target = os.readlink(full)
            return FileChange(path, path, "added", (Line(1, target),), new_mode="120000")
        if not full.is_file():
            return None
        data, too_large = read_capped(full)
    except FileNotFoundError:
        return None
    except OSError as exc:
        # Unreadable is not empty: git would fail to add it, and its lines cannot be checked.
        raise FatalError(
            f"{path}: cannot be read: {exc.strerror}. agentcheck checks every untracked file "
            "that is not ignored: make it readable, or add it to .gitignore."
        ) from None
    mode = "100755" if os.access(full, os.X_OK) and sys.platform != "win32" else "100644"
    if too_large is not None and caps.is_text(data):
        return FileChange(path, path, "added", new_mode=mode, too_large=too_large)
    if looks_binary(data):
        return FileChange(path, path, "added", binary=True, new_mode=mode)
    text, undecodable = decode_text(data)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    added = tuple(Line(i, s.removesuffix("\r")) for i, s in enumerate(lines, start=1))
    return FileChange(path, path, "added", added, new_mode=mode, undecodable=undecodable)


def text_over_cap(full: Path) -> int | None:
    try:
        if full.is_symlink() or not full.is_file():
            return None
        start, size = read_capped(full)
    except OSError:
        return None
    return size if size is not None and caps.is_text(start) else None
