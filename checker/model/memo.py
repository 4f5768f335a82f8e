"""What the checks found reading files, kept between runs (the import graph's edges, by blob
id), so a run on a tree much like the last one's reads only the files that changed.

The checks look entries up and add them; the use case gives the run a memo and saves what the
run used after it (adapters/memofile), outside the repository. A memo holds what reading a
blob gives, never a decision, and is read from disk only when a check first asks it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Memo:
    def __init__(self, load: Callable[[], dict[str, Any]] = dict) -> None:
        self._load = load
        self._kept: dict[str, Any] | None = None
        self.used: dict[str, Any] = {}  # what this run looked up or added: what is saved
        self.added = 0

    @property
    def kept(self) -> dict[str, Any]:
        """What earlier runs kept, read on first need."""
        if self._kept is None:
            self._kept = self._load()
        return self._kept

    def get(self, key: str) -> Any | None:
        value = self.kept.get(key)
        if value is not None:
            self.used[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        self.used[key] = value
        self.added += 1
