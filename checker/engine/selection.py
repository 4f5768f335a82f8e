"""Which findings count, and at what severity: one precedence rule, the most specific prefix
wins (as flake8 decides), for both questions a code is asked.

Selected? Of the `--select` and `--ignore` prefixes the code starts with, the longest decides;
at equal length `--ignore` wins. With neither naming it, a code is selected unless `--select`
was given. At what level? Of the policy's [severity] prefixes it starts with, the longest
decides ("off" turns it off); with none, the level the check gave the finding, else the rule's
default (which is "off" for a rule that runs only when the policy gives it a level). A finding
counts when its code is selected and its level is not "off"."""

from __future__ import annotations

from typing import NamedTuple

from checker.config.policy import Policy
from checker.model.authorship import Authorship
from checker.model.finding import RANK, Finding

OFF = "off"


class Selection(NamedTuple):
    select: tuple[str, ...] = ()  # empty: every rule
    ignore: tuple[str, ...] = ()


def _longest(code: str, prefixes: dict[str, str]) -> str | None:
    """The value of the longest prefix of CODE in PREFIXES, or None."""
    best = max((p for p in prefixes if code.startswith(p)), key=len, default=None)
    return None if best is None else prefixes[best]


class Decision:
    """The precedence rule for one run: the command line's selection, the policy's levels."""

    def __init__(self, selection: Selection, severity: dict[str, str]) -> None:
        # Ignore after select, so at equal length an ignore overwrites the select.
        self._chosen = dict.fromkeys(selection.select, "select")
        self._chosen.update(dict.fromkeys(selection.ignore, "ignore"))
        self._select_all = not selection.select
        self._severity = severity

    def selected(self, code: str) -> bool:
        found = _longest(code, self._chosen)
        return self._select_all if found is None else found == "select"

    def level(self, code: str, found: str | None, default: str) -> str:
        """CODE's level: the longest [severity] prefix, else FOUND (what the check set), else
        DEFAULT (the rule's); "off" when it does not run."""
        return _longest(code, self._severity) or found or default

    def runs(self, code: str, default: str) -> bool:
        """Whether any finding of CODE can count (a check that sets no level of its own)."""
        return self.selected(code) and self.level(code, None, default) != OFF


def fails(findings: list[Finding], fail_on: str) -> bool:
    """Whether any finding that binds is at or above FAIL_ON ("error", "warning" or "never");
    advice never fails."""
    if fail_on == "never":
        return False
    threshold = RANK[fail_on]
    return any(RANK[f.severity or "error"] >= threshold for f in findings if not f.advice)


def threshold(fail_on: str | None, policy: Policy, authorship: Authorship | None = None) -> str:
    """The lowest severity that fails the run: the command line's, else for a known agent's
    change (or one a task spec binds) the policy's [agents] fail-on, else its fail-on."""
    if fail_on:
        return fail_on
    if authorship is not None and authorship.strict:
        return policy.agents_fail_on
    return policy.fail_on
