"""AC301-AC303: files whose change needs more than the task's say-so."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from checker.config import catalog
from checker.config.globs import Globs
from checker.config.governing import SHARED, changed_parts, process_files
from checker.config.policy import PYPROJECT, Policy
from checker.config.schema import globs
from checker.config.task import Task
from checker.config.tomlfile import parse_toml
from checker.domain.precommitconfig import only_adds_agentcheck
from checker.domain.supplychain import declares_workspace
from checker.model.change import ChangeSet, FileChange
from checker.model.errors import FatalError
from checker.model.finding import Finding
from checker.model.reader import FileReader

CODES = ("AC301", "AC302", "AC303")
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
SCHEMA: dict[str, Any] = {"paths": {"protected": globs}}


class Lock(NamedTuple):
    manifest: str  # the file name of the manifest it locks
    manager: str  # the package manager that writes it


@dataclasses.dataclass(frozen=True)
class Settings:
    protected: Globs  # the built-in presets and paths.protected
    instruction_files: Globs
    policy_path: str | None
    locks: dict[str, Lock] = dataclasses.field(default_factory=dict)  # by lockfile name
    # manifest name -> what it says to make its folder a workspace
    workspaces: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    agent_hooks: Globs | None = None  # the agents' hook files, where agentcheck's hook lives


def settings(policy: Policy) -> Settings:
    built_in = catalog.table("paths")
    presets: tuple[str, ...] = ()
    for group in built_in["protected"].values():
        presets += tuple(group)
    presets += tuple(built_in["lockfiles"]["globs"])
    protected = presets + tuple(policy.table("paths").get("protected", ()))
    locks = {name: Lock(**entry) for name, entry in built_in["lockfiles"]["locks"].items()}
    workspaces = {k: tuple(v) for k, v in built_in["lockfiles"]["workspaces"].items()}
    hooks = Globs(tuple(built_in["protected"]["agent-hooks"]))
    return Settings(
        Globs(protected), policy.instruction_files, policy.path, locks, workspaces, hooks
    )


def _locking(
    path: str, settings: Settings, change: ChangeSet, reader: FileReader
) -> str | None:
    """For a lockfile PATH: the changed manifest it locks, which makes its change expected
    (None: there is none). The manifest beside it counts; one below it only where the manifest
    beside it declared a workspace at the base (pnpm's pnpm-workspace.yaml too)."""
    folder, _, name = path.rpartition("/")
    lock = settings.locks.get(name)
    if lock is None:
        return None
    prefix = f"{folder}/" if folder else ""
    beside = f"{prefix}{lock.manifest}"
    changed = [p for f in change.files for p in f.paths if p.rpartition("/")[2] == lock.manifest]
    if beside in changed:
        return beside
    below = [p for p in changed if p.startswith(prefix)]
    if below and _workspace(prefix, lock, settings, reader):
        return below[0]
    return None


def _workspace(prefix: str, lock: Lock, settings: Settings, reader: FileReader) -> bool:
    """Whether the base declared a workspace at PREFIX: read at the base, like everything that
    decides what is checked, so a change cannot declare one to excuse its own lockfile edit."""
    markers = settings.workspaces.get(lock.manifest, ())
    return declares_workspace(prefix, lock.manifest, markers, reader.base)


def _foreign(path: str, settings: Settings, reader: FileReader) -> tuple[str, Lock] | None:
    """Another package manager's lockfile that the base holds, and the change keeps, beside a
    lockfile PATH the change adds: the repository is locked with that other manager (a change
    that also removes the other lockfile moves to the new manager, judged like any lockfile)."""
    folder, _, name = path.rpartition("/")
    lock = settings.locks.get(name)
    if lock is None or reader.base(path) is not None:
        return None
    held = reader.base_paths()
    prefix = f"{folder}/" if folder else ""
    for other, other_lock in settings.locks.items():
        held_path = f"{prefix}{other}"
        if (
            other_lock.manifest == lock.manifest
            and other_lock.manager != lock.manager
            and held_path in held
            and reader.head(held_path) is not None
        ):
            return held_path, other_lock
    return None


def _agentcheck_table(data: bytes | None) -> Any:
    if data is None:
        return None
    try:
        document = parse_toml(data.decode("utf-8", "replace"), PYPROJECT)
    except FatalError:
        return "unparsable"  # a broken pyproject.toml differs from any valid one
    return document.get("tool", {}).get("agentcheck")


def _adds_agentcheck_table(file: FileChange, reader: FileReader) -> bool:
    """A pyproject.toml edit that adds [tool.agentcheck] where there was none (`agentcheck init
    --pyproject`): the policy being set up, as adding agentcheck.toml is."""
    if file.path != PYPROJECT or file.status != "modified":
        return False
    base, head = reader.base(file.old_path), reader.head(file.path)
    if base is None or head is None:
        return False
    return _agentcheck_table(base) is None and _agentcheck_table(head) not in (None, "unparsable")


def _process_edit(file: FileChange, what: str, reader: FileReader) -> str | None:
    """What the edit changes of the process (None: nothing). A shared configuration file
    (pyproject.toml, setup.cfg) changes it only where a table agentcheck reads changes."""
    if file.path not in SHARED or file.status not in ("modified", "added", "deleted"):
        return what
    base = reader.base(file.old_path) if file.status != "added" else None
    head = reader.head(file.path) if file.status != "deleted" else None
    if (file.status != "added" and base is None) or (file.status != "deleted" and head is None):
        return what  # contents unknown (a patch file): count the edit
    parts = changed_parts(file.path, base, head)
    return " and ".join(parts) if parts else None


def _sets_agentcheck_up(path: str, file: FileChange, reader: FileReader) -> bool:
    """A .pre-commit-config.yaml edit that only adds agentcheck's own hooks, where there were
    none: setting the gate up, as adding the policy is."""
    if path != PRE_COMMIT_CONFIG or file.status not in ("added", "modified"):
        return False
    head = reader.head(path)
    base = reader.base(path) if file.status == "modified" else None
    if head is None or (file.status == "modified" and base is None):
        return False  # contents unknown (a patch file): the edit counts
    return only_adds_agentcheck(
        None if base is None else base.decode("utf-8", "replace"), head.decode("utf-8", "replace")
    )


_OWN_HOOK = re.compile(r"\bagentcheck\s+hook\b")


# Settings that switch every hook of the file off, whatever its entries say (Claude Code's).
_ALL_HOOKS_OFF = ("disableAllHooks",)


class _OwnHook(NamedTuple):
    runs: int  # how many times the file names `agentcheck hook`
    entries: frozenset[tuple[Any, ...]] | None  # None: not JSON or TOML the agent could read
    off: bool  # a setting turns every hook off


def _own_hook(data: bytes, path: str) -> _OwnHook:
    """What an agent's hook file says of agentcheck's hook: each entry that runs it, as what
    decides when and how it runs (the keys above it, the event; the plain settings of the
    objects around it, a group's matcher; the entry itself, its command and timeout)."""
    import json

    text = data.decode("utf-8", "replace")
    runs = len(_OWN_HOOK.findall(text))
    try:
        document = parse_toml(text, path) if path.endswith(".toml") else json.loads(text)
    except (ValueError, FatalError):
        return _OwnHook(runs, None, False)
    found: set[tuple[Any, ...]] = set()

    def dump(value: Any) -> str:
        return json.dumps(value, sort_keys=True, default=str)  # TOML has dates

    def walk(value: Any, keys: tuple[str, ...], around: tuple[Any, ...]) -> None:
        if isinstance(value, dict):
            if any(isinstance(v, str) and _OWN_HOOK.search(v) for v in value.values()):
                found.add((keys, around, dump(value)))
            if keys:  # the file's own top-level settings are not around any entry
                plain = [(k, dump(v)) for k, v in value.items() if not isinstance(v, dict | list)]
                around = (*around, tuple(sorted(plain)))
            for key, item in value.items():
                walk(item, (*keys, str(key)), around)
        elif isinstance(value, list):
            for item in value:
                walk(item, keys, around)

    walk(document, (), ())
    off = isinstance(document, dict) and any(document.get(k) is True for k in _ALL_HOOKS_OFF)
    return _OwnHook(runs, frozenset(found), off)


def _own_hook_change(
    path: str, file: FileChange, settings: Settings, reader: FileReader
) -> str | None:
    """What the change does to agentcheck's own hook in an agent's hook file: "dropped" (it
    runs `agentcheck hook` fewer times than at the base, or the file is deleted), "weakened"
    (it still runs it, but not as it did: an entry's event, matcher, command or timeout
    changed, every hook switched off, or the file no longer readable), or None."""
    if settings.agent_hooks is None or not settings.agent_hooks.match(path):
        return None
    if file.status == "added":
        return None
    base = reader.base(file.old_path)
    head = reader.head(path) if file.status != "deleted" else b""
    if base is None or head is None:
        return None  # contents unknown (a patch file): the protected-path finding stands
    before, after = _own_hook(base, path), _own_hook(head, path)
    if before.runs > after.runs:
        return "dropped"
    if not before.entries:
        return None  # agentcheck did not run from it (or the base was unreadable)
    if after.entries is None or not before.entries <= after.entries:
        return "weakened"
    return "weakened" if after.off and not before.off else None


_OWN_HOOK_MESSAGES = {
    "dropped": "no longer runs agentcheck's own hook (`agentcheck hook ...`): the agent's later "
    "turns would go unchecked; restore the hook entry",
    "weakened": "changes how agentcheck's own hook runs (its event, matcher, command or "
    "timeout, or a setting that turns hooks off): the agent's later turns may go unchecked; "
    "keep the hook entry as it was",
}


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
            hook = None if pattern is None else _own_hook_change(path, file, settings, reader)
            if hook is not None:
                # Reported even where the task allows the file: a task that may edit an
                # agent's settings does not switch off the gate that checks the agent.
                yield Finding(
                    "AC301", f"{path} {_OWN_HOOK_MESSAGES[hook]}", file.path, line, column
                )
                continue
            if pattern is None or (allowed and allowed.match(path)):
                continue
            if _sets_agentcheck_up(path, file, reader):
                continue
            if file.status != "deleted":
                foreign = _foreign(path, settings, reader)
                if foreign is not None:
                    other, theirs = foreign
                    mine = settings.locks[path.rpartition("/")[2]]
                    yield Finding(
                        "AC301",
                        f"{path} is {mine.manager}'s lockfile, but this repository locks "
                        f"{theirs.manifest} with {theirs.manager} ({other}): a second package "
                        "manager's lockfile is protected like the first",
                        file.path,
                        line,
                        column,
                    )
                    continue
            if _locking(path, settings, change, reader) is not None:
                continue  # the lockfile follows the manifest it locks: expected
            lock = settings.locks.get(path.rpartition("/")[2])
            unallowed = (
                "the task does not allow it (allow-protected)"
                if task is not None
                else "no task allows it (a task's allow-protected does)"
            )
            why = (
                f"{path} changed without {lock.manifest}, the manifest it locks; it is a "
                f"protected path (matches {pattern!r}) and {unallowed}"
                if lock is not None
                else f"{path} is a protected path (matches {pattern!r}); {unallowed}"
            )
            yield Finding("AC301", why, file.path, line, column)
        what = next((process[p] for p in file.paths if p in process), None)
        what = _process_edit(file, what, reader) if what is not None else None
        # A policy or task a person's uncommitted work adds is being set up, not loosened; an
        # agent does not set up the rules it is checked by. In pyproject.toml, only the
        # agentcheck table is set up so (`agentcheck init --pyproject`).
        only_policy = file.path not in SHARED or what == SHARED[PYPROJECT][0][1]
        being_set_up = (
            setting_up
            and not change.by_agent
            and only_policy
            and (file.status == "added" or _adds_agentcheck_table(file, reader))
        )
        if what is not None and not being_set_up:
            message = (
                f"{file.path} ({what}) changed: it decides what agentcheck checks, so a "
                "human must review this edit"
            )
            if what == "the task spec" and file.status == "added":
                # The push hook and CI read the task from the base: committed with the change,
                # it scopes nothing and is itself an edit of the process.
                message += (
                    ". A task spec committed with its change cannot scope it: locally, keep it "
                    "uncommitted (the hooks and `agentcheck diff` read the work tree); for the "
                    "pull request, commit it to the base branch first or put it in the "
                    "description as an ```agentcheck block"
                )
            yield Finding("AC302", message, file.path, line, column)
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
