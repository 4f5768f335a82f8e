"""The agent hook's memory between stops: how many times in a row it has blocked the same
findings, so a model that cannot fix them is let go. It lives in the user's cache folder,
never in the repository; a cache that cannot be read or written is no memory at all (the hook
then blocks at most once per turn)."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import NamedTuple

# A stop more than this long after the last block starts afresh (a new prompt, not a retry).
STALE_SECONDS = 30 * 60


class Streak(NamedTuple):
    fingerprint: str  # the findings that were blocked
    same: int  # blocks in a row for those findings
    blocks: int  # blocks in a row, whatever the findings
    at: float  # when the last block was given
    said: str = ""  # the final message that block judged, as "CHARS:SHA256" ("" when none)


def cache_folder() -> Path:
    """Where the hook keeps its streaks."""
    return user_cache() / "hooks"


def user_cache() -> Path:
    """Where agentcheck may keep state: the platform's user cache folder."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "agentcheck"


def said(text: str | None) -> str:
    """A final message as a streak keeps it: its length and digest, never its words."""
    if not text:
        return ""
    digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
    return f"{len(text)}:{digest}"


def _path(key: str) -> Path:
    name = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()
    return cache_folder() / f"{name}.json"


def load(key: str) -> Streak | None:
    """The streak kept under KEY, or None (none kept, stale, or unreadable)."""
    try:
        data = json.loads(_path(key).read_text(encoding="utf-8"))
        streak = Streak(
            str(data["fingerprint"]),
            int(data["same"]),
            int(data["blocks"]),
            float(data["at"]),
            str(data.get("said", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return None if time.time() - streak.at > STALE_SECONDS else streak


def save(key: str, streak: Streak | None) -> bool:
    """Keep STREAK under KEY (None forgets it); False when the cache cannot be written."""
    path = _path(key)
    try:
        if streak is None:
            path.unlink(missing_ok=True)
            return True
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(streak._asdict()), encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        return False
    return True
