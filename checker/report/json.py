"""JSON output: {"version": 1, "findings": [...], "summary": {...}, "agent": {...},
"authorship": {...}}."""

from __future__ import annotations

import json
from typing import Any

from checker.config import catalog
from checker.model.finding import Finding
from checker.model.report import Report


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "severity": finding.severity,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "message": finding.message,
        "rule": catalog.rule(finding.code).name,
        "advice": finding.advice,
    }


def render(report: Report) -> str:
    document = {
        "version": 1,
        "findings": [_finding(f) for f in report.findings],
        "summary": {
            "errors": report.count("error"),
            "warnings": report.count("warning"),
            "info": report.count("info"),
            "files": report.files,
            "source": report.source,
            "policy": report.policy,
            "task": report.task,
            "waived": [_finding(f) for f in report.waived],
        },
        "agent": report.agent,
        "authorship": report.authorship.as_dict() if report.authorship is not None else None,
    }
    # ensure_ascii keeps invisible characters as \\u escapes in the file.
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"
