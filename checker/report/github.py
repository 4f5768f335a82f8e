"""GitHub Actions output: one workflow-command annotation per finding, errors first, and a
Markdown job summary for $GITHUB_STEP_SUMMARY.

Everything that came from the change (paths, messages, branch names) is made visible first,
then escaped: a file name or message can never end the command early or start another one."""

from __future__ import annotations

import html
import re

from checker.config import catalog
from checker.domain.hiddentext.escape import visible
from checker.model.finding import Finding
from checker.model.report import Report

# GitHub shows at most this many annotations of each level per step (and 50 per job).
SHOWN_PER_LEVEL = 10
SUMMARY_ROWS = 300
COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}
# Mid-line, only these start Markdown syntax; "<", ">" and "&" are HTML-escaped first.
_MARKDOWN = re.compile(r"([\\`*_\[\]|~])")


def escape_data(text: str) -> str:
    """A command's message, per the runner's rules: %, CR and LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value: also ':' and ',', which end a property."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _title(finding: Finding) -> str:
    rules = catalog.all_rules()
    rule = rules.get(finding.code)
    return f"{finding.code} {rule.name}" if rule is not None else finding.code


def annotation(finding: Finding) -> str:
    properties = []
    if finding.path is not None:
        properties.append(f"file={escape_property(visible(finding.path))}")
        if finding.line is not None:
            properties.append(f"line={finding.line}")
            if finding.column is not None:
                properties.append(f"col={finding.column}")
    properties.append(f"title={escape_property(_title(finding))}")
    command = COMMANDS[finding.severity or "error"]
    return f"::{command} {','.join(properties)}::{escape_data(visible(finding.message))}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _counts(report: Report) -> str:
    counts = [_plural(report.count(s), s) for s in ("error", "warning", "info") if report.count(s)]
    return ", ".join(counts) if counts else "no findings"


def render(report: Report) -> str:
    """The annotations, in report order (errors first), then one plain line of counts."""
    lines = [annotation(f) for f in report.findings]
    closing = f"agentcheck: {_counts(report)} in {_plural(report.files, 'file')}"
    if report.waived:
        closing += f"; {len(report.waived)} allowed by pull request labels"
    dropped = not_annotated(report.findings)
    if dropped:
        closing += (
            f"; {_plural(len(dropped), 'finding')} not annotated inline (GitHub shows "
            f"{SHOWN_PER_LEVEL} annotations of each level per step): SARIF and `--format json` "
            "carry them all"
        )
    lines.append(visible(closing) + ".")
    return "\n".join(lines) + "\n"


# -- the job summary ------------------------------------------------------------------------


def md(text: str) -> str:
    """Untrusted text as inert Markdown for a table cell or a sentence: invisible characters
    made visible, HTML and Markdown syntax escaped, on one line."""
    shown = html.escape(visible(text), quote=False)
    return _MARKDOWN.sub(r"\\\1", shown)


def _where(finding: Finding) -> str:
    if finding.path is None:
        return "(the change as a whole)"
    place = finding.path
    if finding.line is not None:
        place += f":{finding.line}"
        if finding.column is not None:
            place += f":{finding.column}"
    return md(place)


def _table(findings: list[Finding], limit: int) -> list[str]:
    rows = ["| Severity | Code | Location | Message |", "| --- | --- | --- | --- |"]
    for finding in findings[:limit]:
        rows.append(
            f"| {finding.severity or 'error'} | {md(_title(finding))} | {_where(finding)} "
            f"| {md(finding.message)} |"
        )
    if len(findings) > limit:
        rows += ["", f"… and {len(findings) - limit} more (`--format json` lists them all)."]
    return rows


def not_annotated(findings: list[Finding]) -> list[Finding]:
    """The findings past the first SHOWN_PER_LEVEL of their level, which GitHub drops."""
    seen: dict[str, int] = {}
    dropped = []
    for finding in findings:
        level = finding.severity or "error"
        seen[level] = seen.get(level, 0) + 1
        if seen[level] > SHOWN_PER_LEVEL:
            dropped.append(finding)
    return dropped


def _authorship_line(report: Report) -> str:
    if report.authorship is None:
        return "Judged as: no pull request or commits to look at; every rule binds."
    return f"Judged as: **{md(report.authorship.reason())}**."


def summary(report: Report) -> str:
    """The job summary: counts, who wrote the change (and so how the rules bound it), policy
    and task, every finding, what was not annotated inline, and what pull request labels
    allowed."""
    out = ["## agentcheck", ""]
    checked = f"{_plural(report.files, 'file')} checked ({md(report.source)})"
    verdict = (
        f"**{_counts(report)}** in {checked}."
        if report.findings
        else f"**All checks passed**: {checked}."
    )
    out += [verdict, ""]
    out.append(f"Policy: {md(report.policy)}.")
    out.append(f"Task: {md(report.task) if report.task else 'none'}.")
    out.append(_authorship_line(report))
    if report.findings:
        out += ["", "### Findings", "", *_table(report.findings, SUMMARY_ROWS)]
        dropped = not_annotated(report.findings)
        if dropped:
            out += [
                "",
                "### Not annotated inline",
                "",
                f"GitHub shows at most {SHOWN_PER_LEVEL} annotations of each level per step "
                f"(and 50 per job), so these {len(dropped)} appear only in this table: "
                + ", ".join(f"{md(f.code)} at {_where(f)}" for f in dropped[:SUMMARY_ROWS])
                + ".",
            ]
    if report.waived:
        out += [
            "",
            "### Allowed by pull request labels",
            "",
            "A maintainer's `agentcheck:allow-CODE` label waived these findings:",
            "",
            *_table(report.waived, SUMMARY_ROWS),
        ]
    return "\n".join(out) + "\n"
