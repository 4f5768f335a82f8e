"""Running the checks on a change and deciding which findings count, at what severity."""

from __future__ import annotations

from typing import NamedTuple

from checker.checks import registry
from checker.config import catalog
from checker.config.policy import Policy
from checker.config.task import Task
from checker.model import caps
from checker.model.change import ChangeSet, FileChange
from checker.model.finding import Finding, Severity, code_matches, sort_key
from checker.model.reader import FileReader

ALLOW_LABEL = "agentcheck:allow-"


class Selection(NamedTuple):
    select: tuple[str, ...] = ()  # empty: every rule
    ignore: tuple[str, ...] = ()

    def wants(self, code: str) -> bool:
        if self.select and not code_matches(code, self.select):
            return False
        return not code_matches(code, self.ignore)


class Outcome(NamedTuple):
    findings: list[Finding]
    waived: list[Finding]  # findings a maintainer's PR label allowed


def without_excluded(change: ChangeSet, policy: Policy) -> ChangeSet:
    if not policy.exclude:
        return change
    kept = tuple(f for f in change.files if not all(policy.exclude.match(p) for p in f.paths))
    return change._replace(files=kept)


def _severity(finding: Finding, policy: Policy) -> str:
    overrides = policy.severity
    # The most specific override wins: AC503 over AC5.
    for length in range(len(finding.code), 0, -1):
        level = overrides.get(finding.code[:length])
        if level is not None:
            return level
    return finding.severity or catalog.rule(finding.code).severity


class _AddedLines:
    """The change's added lines by path and number, indexed on first use, for snippets."""

    def __init__(self, change: ChangeSet) -> None:
        self._change = change
        self._files: dict[str, FileChange] | None = None
        self._lines: dict[str, dict[int, str]] = {}

    def snippet(self, finding: Finding) -> str | None:
        if finding.snippet is not None or finding.path is None or finding.line is None:
            return finding.snippet
        if self._files is None:
            self._files = {f.path: f for f in self._change.files}
        lines = self._lines.get(finding.path)
        if lines is None:
            file = self._files.get(finding.path)
            lines = {line.number: line.text for line in file.added} if file else {}
            self._lines[finding.path] = lines
        text = lines.get(finding.line)
        # A minified bundle's one line is not echoed whole under every finding.
        return text if text is None or len(text) <= caps.MAX_SNIPPET_CHARS else None


def run(
    change: ChangeSet,
    policy: Policy,
    task: Task | None,
    reader: FileReader,
    selection: Selection | None = None,
) -> Outcome:
    selection = selection or Selection()
    change = without_excluded(change, policy)
    labels = change.pull_request.labels if change.pull_request else ()
    allowed = tuple(
        label[len(ALLOW_LABEL) :].upper() for label in labels if label.startswith(ALLOW_LABEL)
    )
    findings: list[Finding] = []
    waived: list[Finding] = []
    added = _AddedLines(change)
    for check in registry():
        if not any(selection.wants(code) for code in check.codes):
            continue
        for found in check.run(change, policy, task, reader):
            if not selection.wants(found.code):
                continue
            level = _severity(found, policy)
            if level == "off":
                continue
            severity: Severity = level  # type: ignore[assignment]
            finding = found._replace(severity=severity, snippet=added.snippet(found))
            if allowed and code_matches(finding.code, allowed):
                waived.append(finding)
            else:
                findings.append(finding)
    findings.sort(key=sort_key)
    return Outcome(findings, waived)


def settle(found: list[Finding], policy: Policy, selection: Selection) -> list[Finding]:
    """Findings made outside run() (the whole-file `scan`): the selection, the policy's
    severities and the reporters' order, as run() applies them."""
    findings: list[Finding] = []
    for finding in found:
        if not selection.wants(finding.code):
            continue
        level = _severity(finding, policy)
        if level != "off":
            severity: Severity = level  # type: ignore[assignment]
            findings.append(finding._replace(severity=severity))
    findings.sort(key=sort_key)
    return findings
