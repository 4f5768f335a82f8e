"""Running the checks on a change and deciding which findings count, at what severity."""

from __future__ import annotations

from typing import NamedTuple

from checker.checks import registry
from checker.config import catalog
from checker.config.policy import Policy
from checker.config.task import Task
from checker.engine.selection import OFF, Decision, Selection
from checker.model import caps
from checker.model.authorship import Authorship
from checker.model.change import ChangeSet, FileChange
from checker.model.finding import Finding, Severity, sort_key
from checker.model.reader import FileReader

ALLOW_LABEL = "agentcheck:allow-"


class Outcome(NamedTuple):
    findings: list[Finding]
    waived: list[Finding]  # findings a maintainer's PR label allowed
    files: int  # files in the change after the policy's `exclude`


def without_excluded(change: ChangeSet, policy: Policy) -> ChangeSet:
    if not policy.exclude:
        return change
    kept = tuple(f for f in change.files if not all(policy.exclude.match(p) for p in f.paths))
    return change._replace(files=kept)


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


def _settled(finding: Finding, decision: Decision, binds: bool = True) -> Finding | None:
    """FINDING at the severity the decision gives it, or None when its code does not run;
    advice (a warning that never fails) where the change is not bound by its rule."""
    if not decision.selected(finding.code):
        return None
    rule = catalog.rule(finding.code)
    level = decision.level(finding.code, finding.severity, rule.severity)
    if level == OFF:
        return None
    severity: Severity = level  # type: ignore[assignment]
    if binds or rule.binds_everyone:
        return finding._replace(severity=severity)
    return finding._replace(severity="warning" if severity == "error" else severity, advice=True)


def run(
    change: ChangeSet,
    policy: Policy,
    task: Task | None,
    reader: FileReader,
    selection: Selection | None = None,
    authorship: Authorship | None = None,
) -> Outcome:
    """The findings of every check that runs, settled: selection, severity, the binding of
    the change's authorship (None: every rule binds), and the maintainers' labels."""
    decision = Decision(selection or Selection(), policy.severity)
    binds = authorship is None or authorship.binds
    change = change._replace(by_agent=authorship is not None and authorship.agent)
    change = without_excluded(change, policy)
    labels = change.pull_request.labels if change.pull_request else ()
    allowed = tuple(
        label[len(ALLOW_LABEL) :].upper() for label in labels if label.startswith(ALLOW_LABEL)
    )
    rules = catalog.all_rules()
    findings: list[Finding] = []
    waived: list[Finding] = []
    added = _AddedLines(change)
    for family in registry():
        if not any(decision.runs(code, rules[code].severity) for code in family.codes):
            continue
        for found in family.run(change, policy, task, reader):
            finding = _settled(found, decision, binds)
            if finding is None:
                continue
            finding = finding._replace(snippet=added.snippet(found))
            if any(finding.code.startswith(code) for code in allowed):
                waived.append(finding)
            else:
                findings.append(finding)
    findings.sort(key=sort_key)
    return Outcome(findings, waived, len(change.files))


def settle(found: list[Finding], policy: Policy, selection: Selection) -> list[Finding]:
    """Findings made outside run() (the whole-file `scan`, of no one's change: every rule
    binds): the selection, the policy's severities and the reporters' order, as run() applies
    them."""
    decision = Decision(selection, policy.severity)
    findings = [f for f in (_settled(f, decision) for f in found) if f is not None]
    findings.sort(key=sort_key)
    return findings
