"""What pre-commit tells hooks through the environment (see .pre-commit-hooks.yaml)."""

from __future__ import annotations

import os

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
