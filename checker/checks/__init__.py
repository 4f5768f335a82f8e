"""The checks, one module per rule family, each beside its rules/<family>.toml.

A family declares the codes it can report, the policy tables it owns (its schema fragment),
how its typed settings are built from the policy (once per run), and its check: a pure
function of the change, those settings, the task and a file reader. None calls git."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from checker.config.policy import Policy, full_schema
from checker.config.schema import Schema
from checker.config.task import Task
from checker.model.change import ChangeSet
from checker.model.finding import Finding
from checker.model.reader import FileReader

S = TypeVar("S")


@dataclasses.dataclass(frozen=True)
class Family(Generic[S]):
    name: str  # the rules/ file its rules live in
    codes: tuple[str, ...]
    schema: Schema  # the policy keys it owns
    settings: Callable[[Policy], S]
    check: Callable[[ChangeSet, S, Task | None, FileReader], Iterable[Finding]]

    def run(
        self, change: ChangeSet, policy: Policy, task: Task | None, reader: FileReader
    ) -> Iterable[Finding]:
        return self.check(change, self.settings(policy), task, reader)


@functools.cache
def registry() -> tuple[Family[Any], ...]:
    """Every family, in the order their findings are gathered."""
    from checker.checks import (
        claims,
        imports,
        limits,
        paths,
        scope,
        size,
        supplychain,
        tampering,
        unicode,
    )

    return (
        Family("scope", scope.CODES, scope.SCHEMA, scope.settings, scope.check),
        Family("size", size.CODES, size.SCHEMA, size.settings, size.check),
        Family("paths", paths.CODES, paths.SCHEMA, paths.settings, paths.check),
        Family("imports", imports.CODES, imports.SCHEMA, imports.settings, imports.check),
        Family("claims", claims.CODES, {}, claims.settings, claims.check),
        Family("testfiles", tampering.CODES, {}, tampering.settings, tampering.check),
        Family("unicode", unicode.CODES, unicode.SCHEMA, unicode.settings, unicode.check),
        Family(
            "supplychain",
            supplychain.CODES,
            supplychain.SCHEMA,
            supplychain.settings,
            supplychain.check,
        ),
        Family("limits", limits.CODES, {}, limits.settings, limits.check),
    )


@functools.cache
def policy_schema() -> dict[str, Any]:
    """The whole policy schema: the core keys and every family's tables."""
    return full_schema(*(family.schema for family in registry()))
