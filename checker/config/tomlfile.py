"""TOML reading with errors that name the file and line, for policy, task and rules files."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from checker.model.errors import FatalError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


def parse_toml(text: str, label: str) -> dict[str, Any]:
    """Parse TOML text; LABEL names where it came from in the error message."""
    try:
        document: dict[str, Any] = tomllib.loads(text)
        return document
    except tomllib.TOMLDecodeError as exc:
        raise FatalError(
            f"{label}: not valid TOML: {exc}. Fix the syntax at that line "
            "(https://toml.io describes the format)."
        ) from None


def load_toml(path: Path, label: str | None = None) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FatalError(f"{label or path}: cannot be read: {exc.strerror}.") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FatalError(
            f"{label or path}: not UTF-8 (byte {exc.start}); TOML files must be UTF-8."
        ) from None
    return parse_toml(text, label or str(path))


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""")


def key_line(text: str, table: tuple[str, ...], key: str | None) -> int | None:
    """The 1-based line where KEY is set inside TABLE (or where TABLE starts when KEY is None).

    tomllib reports no positions for valid documents, so this scans the text the way a reader
    would; it finds plain `[a.b]` headers and `key =` lines, which covers hand-written files.
    """
    current: tuple[str, ...] = ()
    want = ".".join(table)
    as_table = None  # KEY written as a table of its own: [table.key]
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            current = tuple(p.strip().strip("\"'") for p in header.group(1).split("."))
            if key is None and ".".join(current) == want:
                return number
            if key is not None and as_table is None and current == (*table, key):
                as_table = number
            continue
        match = _KEY.match(line)
        if match and key is not None:
            name = match.group(1).strip("\"'")
            full = ".".join((*current, *name.split(".")))
            if full == ".".join((*table, key)):
                return number
    return as_table


def entry_line(text: str, table: tuple[str, ...], index: int, key: str | None) -> int | None:
    """The line of KEY in the INDEX-th (0-based) `[[table]]` entry, or of that entry's header
    when KEY is None or not written there."""
    want = ".".join(table)
    seen = -1
    header_line: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            name = ".".join(p.strip().strip("\"'") for p in header.group(1).split("."))
            if header_line is not None:
                break  # the entry ended without KEY
            if line.strip().startswith("[[") and name == want:
                seen += 1
                if seen == index:
                    header_line = number
            continue
        if header_line is not None and key is not None:
            match = _KEY.match(line)
            if match and match.group(1).strip("\"'") == key:
                return number
    return header_line
