"""Whole-file contents at the two sides of a change, so checks never call git themselves."""

from __future__ import annotations

from typing import Protocol


class FileReader(Protocol):
    def base(self, path: str) -> bytes | None:
        """The file's bytes before the change; None where it did not exist or is unknown."""

    def head(self, path: str) -> bytes | None:
        """The file's bytes after the change; None where it does not exist or is unknown."""

    def base_paths(self) -> frozenset[str]:
        """Every file path at the base side (empty where unknown, as for a patch file)."""

    def head_paths(self) -> frozenset[str]:
        """Every file path at the head side (empty where unknown)."""


class NoContentReader:
    """For a change read from a patch file: only the patch's lines are known."""

    def base(self, path: str) -> bytes | None:
        return None

    def head(self, path: str) -> bytes | None:
        return None

    def base_paths(self) -> frozenset[str]:
        return frozenset()

    def head_paths(self) -> frozenset[str]:
        return frozenset()


def looks_binary(data: bytes) -> bool:
    """git's own test: a NUL byte in the first 8,000 bytes."""
    return b"\0" in data[:8000]


def decode_text(data: bytes) -> tuple[str, bool]:
    """UTF-8 text and whether any byte had to be replaced with U+FFFD."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace"), True
