"""Text output in the shape of ruff and flake8: `path:line:col: CODE message`, the source line
and a caret (not for a finding about a whole file), and a `help:` line with the rule's way
back; or, concise, one line per finding. Colour only on a terminal."""

from __future__ import annotations

from checker.config import catalog
from checker.domain.hiddentext.escape import visible
from checker.model.finding import Finding
from checker.model.report import Report

_COLORS = {"error": "red", "warning": "yellow", "info": "blue"}


def _paint(color: bool, name: str, text: str) -> str:
    if not color:
        return text
    from pygments.console import colorize

    return colorize(name, text)


def _location(finding: Finding) -> str:
    if finding.path is None:
        return ""
    parts = [visible(finding.path)]
    if finding.line is not None:
        parts.append(str(finding.line))
        if finding.column is not None:
            parts.append(str(finding.column))
    return ":".join(parts) + ": "


def _help(finding: Finding, base: str | None) -> str:
    from checker.report.rules import fix_text

    if base is not None and len(base) == 40 and all(c in "0123456789abcdef" for c in base):
        base = base[:12]  # a commit id, as git log --oneline shortens it
    rule = catalog.all_rules().get(finding.code)
    explain = f"`agentcheck explain {finding.code}` says how to allow it"
    if rule is None or not rule.fix:
        return explain
    path = visible(finding.path) if finding.path else None
    return f"{visible(fix_text(rule.fix, path, base))} ({explain})"


def _headline(finding: Finding, color: bool) -> str:
    severity = finding.severity or "error"
    code = _paint(color, _COLORS[severity], finding.code)
    where = _paint(color, "bold", _location(finding)) if finding.path else ""
    advice = " (advice)" if finding.advice else ""
    return f"{where}{code}{advice} {visible(finding.message)}"


def _finding(finding: Finding, color: bool, base: str | None) -> list[str]:
    severity = finding.severity or "error"
    lines = [_headline(finding, color)]
    rule = catalog.all_rules().get(finding.code)
    about_file = rule is not None and rule.about_file
    if finding.snippet is not None and finding.line is not None and not about_file:
        shown = visible(finding.snippet.expandtabs(4))
        gutter = " " * len(str(finding.line))
        column = finding.column or 1
        # The caret sits under the character at `column`, counted after escaping.
        prefix = visible(finding.snippet[: column - 1].expandtabs(4))
        lines.append(f"{gutter} |")
        lines.append(f"{finding.line} | {shown}")
        lines.append(f"{gutter} | {' ' * len(prefix)}{_paint(color, _COLORS[severity], '^')}")
    lines.append(f"{_paint(color, 'bold', 'help:')} {_help(finding, base)}")
    return lines


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render(report: Report, color: bool = False, concise: bool = False) -> str:
    """The report; CONCISE: one line per finding (no source, no help) and the summary."""
    out: list[str] = []
    for finding in report.findings:
        if concise:
            out.append(_headline(finding, color))
            continue
        out.extend(_finding(finding, color, report.base))
        out.append("")
    context = f"{_plural(report.files, 'file')}, {report.source}; policy: {report.policy}"
    if report.task:
        context += f"; task: {report.task}"
    if report.findings:
        counts = [
            _plural(report.count(s), s) for s in ("error", "warning", "info") if report.count(s)
        ]
        advice = sum(1 for f in report.findings if f.advice)
        if advice:
            counts.append(f"{advice} of them advice that does not fail")
    if report.authorship is not None:
        out.append(f"Judged as: {visible(report.authorship.reason())}.")
    if report.findings:
        out.append(f"Found {', '.join(counts)} ({visible(context)}).")
    else:
        out.append(f"All checks passed ({visible(context)}).")
    if report.waived:
        codes = sorted({f.code for f in report.waived})
        out.append(
            f"Allowed by pull request labels: {len(report.waived)} "
            f"finding(s) of {', '.join(codes)}."
        )
    return "\n".join(out) + "\n"
