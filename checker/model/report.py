"""What every reporter renders: the findings of one run and what they were judged against."""

from __future__ import annotations

from typing import Any, NamedTuple

from checker.model.authorship import Authorship
from checker.model.finding import Finding


class Report(NamedTuple):
    findings: list[Finding]  # sorted: errors first, then by place
    waived: list[Finding]  # allowed by a maintainer's agentcheck:allow-CODE label
    files: int  # files in the change after `exclude`
    source: str  # how the change was read
    policy: str  # where the policy came from
    task: str | None  # the task's id and source, when there is one
    authorship: Authorship | None = None  # who wrote the change, and so how rules bound it
    base: str | None = None  # the revision the change is compared with, where there is one

    @property
    def agent(self) -> dict[str, Any] | None:
        """Agent detection as reports carry it: {"detected": bool, "by": [signals]}."""
        if self.authorship is None:
            return None
        by = list(self.authorship.signals) if self.authorship.agent else []
        return {"detected": bool(by), "by": [s.as_dict() for s in by]}

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)
