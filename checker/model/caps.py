"""How much agentcheck reads: caps that keep time and memory bounded whatever a change holds.

A file over MAX_FILE_BYTES is not read (git is told to treat it as binary for the diff, and
the readers return nothing for it); AC901 reports it, so a capped file is never a silent pass.
Pure functions and constants; the readers in checker/adapters apply them.
"""

from __future__ import annotations

import codecs

MAX_FILE_BYTES = 8 * 1024 * 1024  # 8 MiB: bigger files are not read (AC901)
SNIFF_BYTES = 8000  # git's binary test looks for a NUL byte in this many leading bytes
MAX_SNIPPET_CHARS = 1000  # a longer source line is not echoed under a finding
MAX_PATCH_BYTES = 128 * 1024 * 1024  # 128 MiB: a bigger --patch input is refused (exit 2)

_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # UTF-32's marks begin with these


def is_text(start: bytes) -> bool:
    """Whether a file whose first bytes are START is text as agentcheck reads it: no NUL byte
    in git's window, or a UTF-16/UTF-32 byte order mark (wide text is full of NUL bytes)."""
    return b"\0" not in start[:SNIFF_BYTES] or start.startswith(_WIDE_BOMS)


def size_text(size: int) -> str:
    """A byte count for people: "17 bytes", "812.0 KiB", "9.5 MiB", "1.0 GiB"."""
    if size < 1024:
        return f"{size:,} bytes"
    value = size / 1024
    for unit in ("KiB", "MiB"):
        if value < 1024:
            return f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} GiB"
