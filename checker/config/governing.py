"""The files that hold the process itself: the policy and the task spec. An edit to one of
them changes what agentcheck checks, so it is reported (AC302) and exempt from task scope."""

from __future__ import annotations

from checker.config.policy import POLICY_FILE, PYPROJECT
from checker.config.task import TASK_FILE, Task


def process_files(policy_path: str | None, task: Task | None) -> dict[str, str]:
    """Repository path -> what it is, for every file that decides what agentcheck checks."""
    files = {
        POLICY_FILE: "the agentcheck policy",
        TASK_FILE: "the task spec",
        PYPROJECT: "the agentcheck policy ([tool.agentcheck])",
    }
    if policy_path:
        files[policy_path] = "the agentcheck policy"
    if task is not None and task.path:
        files[task.path] = "the task spec"
    return files
