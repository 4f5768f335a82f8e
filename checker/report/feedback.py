"""Findings written for a model to act on: the feedback `agentcheck hook` hands back to a coding
agent. One entry per finding: where, the code, what the change did, and the way back (the
rule's `fix` in rules/, with the path and base filled in) or how a person allows it. Plain
facts, invisible characters shown as <U+XXXX>, and no more than the agent takes: past that,
the rest is summarised by code."""

from __future__ import annotations

from collections import Counter

from checker.config import catalog
from checker.domain.hiddentext.escape import visible
from checker.model.finding import Finding
from checker.model.report import Report
from checker.report.rules import fix_text

_TAIL_ROOM = 400  # kept for the summary of what did not fit


def _where(finding: Finding) -> str:
    if finding.path is None:
        return ""
    place = visible(finding.path)
    if finding.line is not None:
        place += f":{finding.line}"
    return place + " "


def entry(number: int, finding: Finding, base: str) -> str:
    rule = catalog.rule(finding.code)
    message = visible(finding.message)
    head = f"{number}. {_where(finding)}{finding.code} ({finding.severity}) {message}"
    if not rule.fix:
        return head
    way = fix_text(rule.fix, visible(finding.path) if finding.path else None, base)
    return f"{head}\n   Way back: {visible(way)}"


def render(report: Report, base: str, limit: int) -> str:
    """The feedback for REPORT's findings, compared with BASE, in at most LIMIT characters."""
    findings = report.findings
    count = len(findings)
    lines = [
        f"agentcheck found {count} problem{'' if count == 1 else 's'} in the change of this "
        f"turn ({visible(report.source)}; policy: {visible(report.policy)}"
        + (f"; task: {visible(report.task)}" if report.task else "")
        + "). Each entry says what the change did and how to undo it.",
        "",
    ]
    used = sum(len(line) + 1 for line in lines)
    shown = 0
    for number, finding in enumerate(findings, 1):
        text = entry(number, finding, base)
        if used + len(text) + 1 > limit - _TAIL_ROOM:
            break
        lines.append(text)
        used += len(text) + 1
        shown += 1
    rest = findings[shown:]
    if rest:
        by_code = Counter(f.code for f in rest)
        codes = ", ".join(f"{code} x{n}" for code, n in sorted(by_code.items()))
        lines.append(
            f"... and {len(rest)} more ({codes}); `agentcheck diff --base {base}` lists them all."
        )
    lines += [
        "",
        "These findings also stand at the commit and pull-request checks. A finding that the "
        "task itself calls for is for a person to allow, not for the agent to work around.",
    ]
    return "\n".join(lines)[:limit]
