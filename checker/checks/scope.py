"""AC101-AC103: does the change stay inside its task?"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from checker.config.governing import scope_exempt
from checker.config.policy import Policy
from checker.config.schema import boolean
from checker.config.task import Task
from checker.model.change import ChangeSet
from checker.model.finding import Finding
from checker.model.reader import FileReader

CODES = ("AC101", "AC102", "AC103")
SCHEMA: dict[str, Any] = {"require-task": boolean}


@dataclasses.dataclass(frozen=True)
class Settings:
    require_task: bool
    policy_path: str | None  # the policy file in the repository, where AC103 points
    require_task_line: int | None


def settings(policy: Policy) -> Settings:
    return Settings(
        bool(policy.value("require-task", False)), policy.path, policy.line_of("require-task")
    )


def check(
    change: ChangeSet, settings: Settings, task: Task | None, reader: FileReader
) -> Iterator[Finding]:
    if task is None:
        if settings.require_task and change.files:
            yield Finding(
                "AC103",
                "no task spec, and the policy requires one: write .agentcheck/task.toml, pass "
                "--task FILE, or put an agentcheck block in the pull request body",
                settings.policy_path,
                settings.require_task_line,
                1 if settings.policy_path else None,
            )
        return
    process = scope_exempt(settings.policy_path, task)
    for file in change.files:
        line = file.first_line
        column = 1 if line else None
        outside = [
            p for p in file.paths if p not in process and task.paths and not task.paths.match(p)
        ]
        if outside:
            globs = ", ".join(task.paths.patterns)
            what = " and ".join(outside)
            moved = " (renamed from " + file.old_path + ")" if file.status == "renamed" else ""
            yield Finding(
                "AC101",
                f"{what} {'is' if len(outside) == 1 else 'are'} outside the task's paths"
                f"{moved} (task {task.id}: {globs})",
                file.path,
                line,
                column,
            )
        for path in file.paths:
            pattern = task.forbid.first_match(path) if task.forbid else None
            if pattern is not None and path not in process:
                yield Finding(
                    "AC102",
                    f"{path} is forbidden by the task (task {task.id}: matches {pattern!r})",
                    file.path,
                    line,
                    column,
                )
