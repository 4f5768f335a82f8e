"""AC301-AC303: files whose change needs more than the task's say-so."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from checker.config import catalog
from checker.config.globs import Globs
from checker.config.governing import process_files
from checker.config.policy import PYPROJECT, Policy
from checker.config.schema import globs
from checker.config.task import Task
from checker.config.tomlfile import parse_toml
from checker.model.change import ChangeSet, FileChange
from checker.model.errors import FatalError
from checker.model.finding import Finding
from checker.model.reader import FileReader

CODES = ("AC301", "AC302", "AC303")
SCHEMA: dict[str, Any] = {"paths": {"protected": globs}}


@dataclasses.dataclass(frozen=True)
class Settings:
    protected: Globs  # the built-in presets and paths.protected
    instruction_files: Globs
    policy_path: str | None


def settings(policy: Policy) -> Settings:
    built_in = catalog.table("paths")
    presets: tuple[str, ...] = ()
    for group in built_in["protected"].values():
        presets += tuple(group)
    presets += tuple(built_in["lockfiles"]["globs"])
    protected = presets + tuple(policy.table("paths").get("protected", ()))
    return Settings(Globs(protected), policy.instruction_files, policy.path)


def _agentcheck_table(data: bytes | None) -> Any:
    if data is None:
        return None
    try:
        document = parse_toml(data.decode("utf-8", "replace"), PYPROJECT)
    except FatalError:
        return "unparsable"  # a broken pyproject.toml differs from any valid one
    return document.get("tool", {}).get("agentcheck")


def _policy_edit(file: FileChange, reader: FileReader) -> bool:
    """False when a pyproject.toml edit leaves [tool.agentcheck] as it was."""
    if file.path != PYPROJECT or file.status != "modified":
        return True
    base, head = reader.base(file.old_path), reader.head(file.path)
    if base is None or head is None:
        return True  # contents unknown (a patch file): count the edit
    return bool(_agentcheck_table(base) != _agentcheck_table(head))


def check(
    change: ChangeSet, settings: Settings, task: Task | None, reader: FileReader
) -> Iterator[Finding]:
    process = process_files(settings.policy_path, task)
    allowed = task.allow_protected if task is not None else None
    setting_up = change.kind in ("worktree", "index")
    for file in change.files:
        line = file.first_line
        column = 1 if line else None
        for path in file.paths:
            pattern = settings.protected.first_match(path)
            if pattern is not None and not (allowed and allowed.match(path)):
                yield Finding(
                    "AC301",
                    f"{path} is a protected path (matches {pattern!r}); the task does not "
                    "allow it (allow-protected)",
                    file.path,
                    line,
                    column,
                )
        what = next((process[p] for p in file.paths if p in process), None)
        # A policy or task added by uncommitted work is being set up, not loosened.
        being_set_up = file.status == "added" and setting_up
        if what is not None and not being_set_up and _policy_edit(file, reader):
            yield Finding(
                "AC302",
                f"{file.path} ({what}) changed: it decides what agentcheck checks, so a "
                "human must review this edit",
                file.path,
                line,
                column,
            )
        if any(settings.instruction_files.match(p) for p in file.paths):
            verb = {"added": "added", "deleted": "deleted", "renamed": "renamed"}.get(
                file.status, "changed"
            )
            yield Finding(
                "AC303",
                f"{file.path} is an agent instruction file and was {verb}: agents obey it, so "
                "a human must review the edit",
                file.path,
                line,
                column,
            )
