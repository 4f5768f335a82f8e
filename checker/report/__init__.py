"""Reporters: each turns a Report into text; none knows which check made a finding."""

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


def render(report: Report, fmt: str, color: bool = False) -> str:
    if fmt == "json":
        from checker.report.json import render as render_json

        return render_json(report)
    if fmt == "sarif":
        from checker.report.sarif import render as render_sarif

        return render_sarif(report)
    if fmt == "github":
        from checker.report.github import render as render_github

        return render_github(report)
    from checker.report.text import render as render_text

    return render_text(report, color)
