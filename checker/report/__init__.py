"""Reporters: each turns a Report into text; none knows which check made a finding."""

from __future__ import annotations

from checker.model.report import Report


def render(report: Report, fmt: str, color: bool = False, quiet: bool = False) -> str:
    """REPORT in the format FMT; QUIET: a text report that found nothing prints nothing."""
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

    if quiet and not report.findings and not report.waived:
        return ""
    return render_text(report, color, concise=fmt == "concise")
