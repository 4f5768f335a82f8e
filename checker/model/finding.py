"""A finding: one rule's report about the change, a pure value that knows nothing of how it
will be printed."""

from __future__ import annotations

from typing import Literal, NamedTuple

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[str, ...] = ("error", "warning", "info", "off")  # "off" turns a rule off
RANK = {"info": 0, "warning": 1, "error": 2}


class Finding(NamedTuple):
    code: str
    message: str
    path: str | None = None  # None for a finding about the change as a whole
    line: int | None = None
    column: int | None = None
    severity: Severity | None = None  # None: the rule's severity after policy
    snippet: str | None = None  # the source line the finding points at, when known
    # A process rule's finding on a change no agent is known to have written: reported, as a
    # warning, and never fails the run (see model/authorship.py).
    advice: bool = False


def sort_key(finding: Finding) -> tuple[int, str, int, int, str]:
    """Errors first, then by place: the order every reporter shows."""
    return (
        -RANK[finding.severity or "error"],
        finding.path or "",
        finding.line or 0,
        finding.column or 0,
        finding.code,
    )
