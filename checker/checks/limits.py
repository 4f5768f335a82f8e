"""AC901: a file too large to read. Its lines were not checked, and the report says so, so a
big file never passes in silence."""

from __future__ import annotations

from collections.abc import Iterator

from checker.config.globs import Globs
from checker.config.policy import Policy
from checker.config.task import Task
from checker.model import caps
from checker.model.change import ChangeSet
from checker.model.finding import Finding
from checker.model.reader import FileReader

CODES = ("AC901",)


def settings(policy: Policy) -> Globs:
    """The instruction files, where a file too large to read is an error."""
    return policy.instruction_files


def check(
    change: ChangeSet, instruction_files: Globs, task: Task | None, reader: FileReader
) -> Iterator[Finding]:
    for file in change.files:
        if file.too_large is not None:
            instruction = any(instruction_files.match(p) for p in file.paths)
            yield finding(file.path, file.too_large, instruction)


def finding(path: str, size: int, instruction: bool) -> Finding:
    """AC901 for a text file of SIZE bytes that was not read; an error in instruction files."""
    return Finding(
        "AC901",
        f"{path} is {caps.size_text(size)}, over agentcheck's "
        f"{caps.size_text(caps.MAX_FILE_BYTES)} read cap: its lines were not read, so "
        "size, hidden Unicode, imports, claims and test checks did not see them",
        path,
        severity="error" if instruction else None,
    )
