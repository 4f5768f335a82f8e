"""What pre-commit gives its hooks (see .pre-commit-hooks.yaml): the refs of a push in the
environment, and the commit message file of the commit-msg stage."""

from __future__ import annotations

import os
from pathlib import Path

from checker.model.change import PENDING_COMMIT, Commit
from checker.model.errors import FatalError


def push_range() -> str | None:
    """FROM...TO for the pre-push stage, from the refs pre-commit sets; None when pre-commit
    runs the stage without them (the push creates a history with its root commit)."""
    from_ref = os.environ.get("PRE_COMMIT_FROM_REF") or os.environ.get("PRE_COMMIT_ORIGIN")
    to_ref = os.environ.get("PRE_COMMIT_TO_REF") or os.environ.get("PRE_COMMIT_SOURCE")
    if from_ref and to_ref:
        return f"{from_ref}...{to_ref}"
    if os.environ.get("PRE_COMMIT") == "1":
        return None
    raise FatalError(
        "--pre-push: $PRE_COMMIT_FROM_REF and $PRE_COMMIT_TO_REF are not set. The agentcheck-push "
        "hook of pre-commit sets them; by hand, check a range instead: `agentcheck diff "
        "origin/main...HEAD`."
    )


def message_commit(path: str) -> Commit:
    """The commit message a commit-msg hook is given, as git will record it: comment lines and
    everything below the scissors line dropped."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise FatalError(
            f"--message {path}: cannot be read: {exc.strerror}. Pass the commit message file "
            "(the commit-msg hook passes .git/COMMIT_EDITMSG)."
        ) from None
    text = raw.decode("utf-8", "replace")
    kept = []
    for line in text.splitlines():
        if line.startswith("# ------------------------ >8 ------------------------"):
            break
        if not line.startswith("#"):
            kept.append(line)
    return Commit(PENDING_COMMIT, "", "", "\n".join(kept).strip("\n"))
