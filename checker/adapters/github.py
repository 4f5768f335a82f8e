"""GitHub Actions' files: the event that triggered the run (--context FILE, or
$GITHUB_EVENT_PATH), the job summary ($GITHUB_STEP_SUMMARY) and the step outputs
($GITHUB_OUTPUT)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from checker.model.change import PullRequest
from checker.model.errors import FatalError


def default_event_path() -> str | None:
    """Under GitHub Actions, the event that triggered the run."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        return os.environ.get("GITHUB_EVENT_PATH") or None
    return None


def _text(value: Any, where: str, label: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FatalError(
            f"{label}: {where} must be a string in a GitHub event, not "
            f"{type(value).__name__}. Pass the event JSON GitHub wrote."
        )
    return value


def load_payload(path: str) -> dict[str, Any]:
    """The event file as a JSON object (any event: pull_request, merge_group, push, ...)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise FatalError(
            f"--context {path}: cannot be read: {exc.strerror}. Pass the path of "
            "a GitHub event JSON file ($GITHUB_EVENT_PATH)."
        ) from None
    import json  # loaded only by a run given an event

    try:
        event = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise FatalError(
            f"--context {path}: not valid JSON ({exc}). Pass the event JSON "
            "GitHub wrote ($GITHUB_EVENT_PATH)."
        ) from None
    if not isinstance(event, dict):
        raise FatalError(
            f"--context {path}: a GitHub event is a JSON object, not {type(event).__name__}."
        )
    return event


def text_at(event: dict[str, Any], dotted: str, path: str) -> str:
    """The string at DOTTED (a.b.c) in EVENT, "" when absent; an error when not a string."""
    value: Any = event
    for key in dotted.split("."):
        if not isinstance(value, dict):
            return ""
        value = value.get(key)
    return _text(value, dotted, f"--context {path}")


def load_event(path: str) -> PullRequest | None:
    """The pull request of an event file; None for events without one (a push)."""
    return pull_request_of(load_payload(path), path)


def pull_request_of(event: dict[str, Any], path: str) -> PullRequest | None:
    """The pull request an event carries; None for events without one (a push)."""
    pr = event.get("pull_request")
    if pr is None:
        return None
    if not isinstance(pr, dict):
        raise FatalError(f"--context {path}: pull_request must be an object.")
    user, head, base = ({} if pr.get(k) is None else pr[k] for k in ("user", "head", "base"))
    for part_name, part in (("user", user), ("head", head), ("base", base)):
        if not isinstance(part, dict):
            raise FatalError(f"--context {path}: pull_request.{part_name} must be an object.")
    labels_raw = [] if pr.get("labels") is None else pr["labels"]
    if not isinstance(labels_raw, list):
        raise FatalError(f"--context {path}: pull_request.labels must be a list.")
    labels = []
    for label in labels_raw:
        name: Any = label.get("name") if isinstance(label, dict) else label
        labels.append(_text(name, "pull_request.labels[].name", f"--context {path}"))
    number = pr.get("number", event.get("number"))
    if number is not None and (isinstance(number, bool) or not isinstance(number, int)):
        raise FatalError(f"--context {path}: pull_request.number must be a number.")
    label = f"--context {path}"
    return PullRequest(
        number=number,
        title=_text(pr.get("title"), "pull_request.title", label),
        body=_text(pr.get("body"), "pull_request.body", label),
        author=_text(user.get("login"), "pull_request.user.login", label),
        head_branch=_text(head.get("ref"), "pull_request.head.ref", label),
        base_branch=_text(base.get("ref"), "pull_request.base.ref", label),
        labels=tuple(labels),
        base_sha=_text(base.get("sha"), "pull_request.base.sha", label) or None,
        head_sha=_text(head.get("sha"), "pull_request.head.sha", label) or None,
    )


def append_summary(text: str) -> str | None:
    """Append TEXT to the job summary when $GITHUB_STEP_SUMMARY is set; the path, or None."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return None
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise FatalError(
            f"$GITHUB_STEP_SUMMARY {path}: cannot be written: {exc.strerror}."
        ) from None
    return path


def write_outputs(values: dict[str, str]) -> None:
    """Step outputs, in the multi-line form so no value can forge another."""
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as handle:
            for name, value in values.items():
                delimiter = f"agentcheck_{uuid.uuid4().hex}"
                handle.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    except OSError as exc:
        raise FatalError(f"$GITHUB_OUTPUT {path}: cannot be written: {exc.strerror}.") from None
