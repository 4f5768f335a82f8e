"""The checks. Each is a pure function of the change, the policy, the task and a file reader;
none calls git. A check module declares the codes it can report so deselected checks are
skipped."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from checker.config.policy import Policy
from checker.config.task import Task
from checker.model.change import ChangeSet
from checker.model.finding import Finding
from checker.model.reader import FileReader

CheckFunction = Callable[[ChangeSet, Policy, "Task | None", FileReader], Iterable[Finding]]


class Check(NamedTuple):
    codes: tuple[str, ...]
    run: CheckFunction


def registry() -> tuple[Check, ...]:
    """Every check, imported here so a run that deselects a family never loads it."""
    from checker.checks import claims, imports, limits, paths, scope, size, tampering, unicode

    return (
        Check(scope.CODES, scope.check),
        Check(size.CODES, size.check),
        Check(paths.CODES, paths.check),
        Check(imports.CODES, imports.check),
        Check(claims.CODES, claims.check),
        Check(tampering.CODES, tampering.check),
        Check(unicode.CODES, unicode.check),
        Check(limits.CODES, limits.check),
    )
