"""What every reporter renders: the findings of one run and what they were judged against."""

from __future__ import annotations

from typing import Any, NamedTuple

from checker.model.finding import Finding


class Report(NamedTuple):
    findings: list[Finding]  # sorted: errors first, then by place
    waived: list[Finding]  # allowed by a maintainer's agentcheck:allow-CODE label
    files: int  # files in the change after `exclude`
    source: str  # how the change was read
    policy: str  # where the policy came from
    task: str | None  # the task's id and source, when there is one
    agent: dict[str, Any] | None = None  # agent detection, when a PR or its commits are known

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)
