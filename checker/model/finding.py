"""Findings, and the choice of which count: severities, --select/--ignore, --fail-on."""

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


def code_matches(code: str, selectors: tuple[str, ...]) -> bool:
    """True when CODE equals or starts with one of the selectors (AC5, AC501)."""
    return any(code.startswith(s) for s in selectors)


def fails(findings: list[Finding], fail_on: str) -> bool:
    if fail_on == "never":
        return False
    threshold = RANK[fail_on]
    return any(RANK[f.severity or "error"] >= threshold for f in findings)


def sort_key(finding: Finding) -> tuple[int, str, int, int, str]:
    """Errors first, then by place: the order every reporter shows."""
    return (
        -RANK[finding.severity or "error"],
        finding.path or "",
        finding.line or 0,
        finding.column or 0,
        finding.code,
    )
