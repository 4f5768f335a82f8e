"""The files that decide what agentcheck checks: the policy, the task spec and the import
contracts it reads. An edit to what they say is reported (AC302).

Files that hold only the process (agentcheck.toml, the task spec, .importlinter, tach.toml) are
also exempt from task scope: their edit is AC302 already. Shared configuration files
(pyproject.toml, setup.cfg) are ordinary files for scope; only an edit to the tables agentcheck
reads in them (`[tool.agentcheck]`, import-linter's and tach's) is AC302."""

from __future__ import annotations

import configparser
from typing import Any

from checker.config.policy import POLICY_FILE, PYPROJECT
from checker.config.task import TASK_FILE, Task
from checker.config.tomlfile import parse_toml
from checker.model.errors import FatalError

SETUP_CFG = "setup.cfg"
IMPORTLINTER = ".importlinter"
TACH = "tach.toml"
# Shared configuration files: path -> (table, what it is) for each part agentcheck reads.
SHARED: dict[str, tuple[tuple[str, str], ...]] = {
    PYPROJECT: (
        ("agentcheck", "the agentcheck policy ([tool.agentcheck])"),
        ("importlinter", "import-linter's contracts ([tool.importlinter])"),
        ("tach", "tach's module boundaries ([tool.tach])"),
    ),
    SETUP_CFG: (("importlinter", "import-linter's contracts ([importlinter])"),),
}


def process_files(policy_path: str | None, task: Task | None) -> dict[str, str]:
    """Repository path -> what it is, for every file that can decide what agentcheck checks
    (for a shared file, only some of its tables do: see `governing_parts`)."""
    files = {
        POLICY_FILE: "the agentcheck policy",
        TASK_FILE: "the task spec",
        IMPORTLINTER: "import-linter's contracts",
        TACH: "tach's module boundaries",
        PYPROJECT: "the agentcheck policy ([tool.agentcheck])",
        SETUP_CFG: "import-linter's contracts ([importlinter])",
    }
    if policy_path and policy_path not in SHARED:
        files[policy_path] = "the agentcheck policy"
    if task is not None and task.path:
        files[task.path] = "the task spec"
    return files


def scope_exempt(policy_path: str | None, task: Task | None) -> set[str]:
    """The files task scope leaves out: those that hold nothing but the process."""
    return {p for p in process_files(policy_path, task) if p not in SHARED}


def governing_parts(path: str, data: bytes | None) -> dict[str, Any] | None:
    """For a shared configuration file: table -> its content, for each table agentcheck reads
    (a file that cannot be parsed is "unparsable", unlike any valid content). None for other
    files."""
    if path not in SHARED:
        return None
    if data is None:
        return {}
    text = data.decode("utf-8", "replace")
    if path == SETUP_CFG:
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(text, source=path)
        except configparser.Error:
            return {"importlinter": "unparsable"}
        sections = {
            name: dict(parser[name])
            for name in parser.sections()
            if name == "importlinter" or name.startswith("importlinter:")
        }
        return {"importlinter": sections or None}
    try:
        document = parse_toml(text, path)
    except FatalError:
        return {name: "unparsable" for name, _ in SHARED[path]}
    tool = document.get("tool", {})
    tool = tool if isinstance(tool, dict) else {}
    return {name: tool.get(name) for name, _ in SHARED[path]}


def changed_parts(path: str, base: bytes | None, head: bytes | None) -> list[str]:
    """What each changed governing table of a shared configuration file is, in file order."""
    before, after = governing_parts(path, base) or {}, governing_parts(path, head) or {}
    return [what for name, what in SHARED.get(path, ()) if before.get(name) != after.get(name)]
