"""The memo (model/memo.py) on disk: one JSON file per repository in the user's cache folder
(AGENTCHECK_CACHE_DIR where set), never in the repository. A file that cannot be read, or was
written by another version of the code that reads files, is an empty memo; one that cannot be
written is left alone: the memo only saves time. AGENTCHECK_NO_CACHE=1 (or `--no-cache`) keeps
none, and neither does a run in CI (see `enabled`), with --policy-from, or the Action: the gate
that decides a merge reads every file."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from checker.adapters.hookstate import user_cache
from checker.model.memo import Memo

# A saved memo keeps what the run used and, up to this many entries, what it already held.
MAX_ENTRIES = 200_000


def enabled(environ: Mapping[str, str]) -> bool:
    """False where AGENTCHECK_NO_CACHE is set, or in CI (CI set, as GitHub Actions, GitLab CI
    and most others set it): a gate that decides a merge reads every file, since anything that
    ran on a reused runner before it could have written the user's cache folder."""
    if environ.get("AGENTCHECK_NO_CACHE", "") not in ("", "0"):
        return False
    return environ.get("CI", "").lower() in ("", "0", "false")


def _path(root: Path, environ: Mapping[str, str]) -> Path | None:
    """The memo file for the repository at ROOT; None where it would lie inside the
    repository (a relative AGENTCHECK_CACHE_DIR, a home folder under version control):
    agentcheck never writes there."""
    folder = environ.get("AGENTCHECK_CACHE_DIR")
    try:
        base = Path(folder) if folder else user_cache()
    except (RuntimeError, KeyError):  # no home folder to find a cache folder in
        return None
    if not base.is_absolute():
        return None
    repository = root.resolve()
    name = hashlib.sha256(os.fsencode(repository)).hexdigest()[:32]
    path = base.resolve() / "memo" / f"{name}.json"
    return None if path.is_relative_to(repository) else path


def load(root: Path, stamp: Callable[[], str], environ: Mapping[str, str]) -> Memo:
    """The memo kept for the repository at ROOT by the code STAMP names (empty when none
    is), read from disk when a check first asks it."""
    path = _path(root, environ)

    def read() -> dict[str, Any]:
        if path is None:
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("stamp") != stamp():
                return {}
        except (OSError, ValueError, RecursionError, MemoryError):
            return {}  # unreadable, not JSON, nested past Python's depth, or no stamp
        entries = data.get("entries")
        return entries if isinstance(entries, dict) else {}

    return Memo(read)


def save(root: Path, stamp: Callable[[], str], memo: Memo, environ: Mapping[str, str]) -> None:
    """Keep MEMO for the repository at ROOT, when the run added to it."""
    if not memo.added:
        return
    entries = dict(memo.used)
    for key, value in memo.kept.items():
        if len(entries) >= MAX_ENTRIES:
            break
        entries.setdefault(key, value)
    path = _path(root, environ)
    if path is None:
        return
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"stamp": stamp(), "entries": entries})
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
