"""`agentcheck init`: a starter policy written from what the repository contains."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from checker.model.errors import FatalError


def _present(root: Path, tracked: list[str], globs: tuple[str, ...]) -> list[str]:
    from checker.config.globs import Globs

    matcher = Globs(globs)
    return sorted(p for p in tracked if matcher.match(p))


def _python_roots(root: Path, tracked: list[str]) -> list[str]:
    roots = set()
    for path in tracked:
        if path.endswith("/__init__.py"):
            parts = path.split("/")
            if len(parts) >= 3 and parts[0] in ("src", "lib", "python"):
                roots.add(parts[0])
            elif len(parts) == 2:
                roots.add(".")
    return sorted(roots)


SHOWN = 8  # found files named in a comment; the rest are counted
# Instruction files an agent reads as text; other files under instruction globs (a skill's
# scripts and data) are watched by AC303 too, but are not what a person means by instructions.
_PROSE = (".md", ".mdc", ".markdown", ".txt", ".rst", ".prompt", ".instructions")


def _named(found: list[str], what: str) -> str:
    shown = ", ".join(found[:SHOWN])
    if len(found) <= SHOWN:
        return shown
    return f"{shown}, and {len(found) - SHOWN} more ({SHOWN} of {len(found)} {what} shown)"


def _prose(path: str) -> bool:
    name = path.rpartition("/")[2]
    return name.lower().endswith(_PROSE) or "." not in name.lstrip(".")


class Contracts(NamedTuple):
    source: str  # the file that declares them, as import-linter or tach reads it
    number: int  # how many contracts


def import_contracts(root: Path) -> Contracts | None:
    """The import contracts agentcheck will read with no policy of its own (import-linter's,
    else tach's), or None; a file it cannot read is left for `agentcheck diff` to report."""
    from checker.domain.importgraph import importlinter, tach

    def read_file(name: str) -> str | None:
        try:
            return (root / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    for reader in (importlinter.read, tach.read):
        try:
            declared = reader(read_file)
        except FatalError:
            continue
        if declared is not None and declared.contracts:
            return Contracts(declared.source, len(declared.contracts))
    return None


def pyproject_centred(root: Path) -> list[str]:
    """The [tool.X] tables of the repository's pyproject.toml (none: not pyproject-centred)."""
    from checker.config.tomlfile import parse_toml

    try:
        text = (root / "pyproject.toml").read_text(encoding="utf-8")
        tools = parse_toml(text, "pyproject.toml").get("tool", {})
    except (OSError, UnicodeDecodeError, FatalError):
        return []
    return sorted(tools) if isinstance(tools, dict) else []


def starter_text(
    root: Path, tracked: list[str], table: str = "", contracts: Contracts | None = None
) -> str:
    """The starter policy; TABLE "tool.agentcheck" writes it for pyproject.toml."""
    from checker.config import catalog

    prefix = f"{table}." if table else ""
    instructions = _present(
        root, tracked, catalog.string_list("instructions", "instruction-files.globs")
    )
    prose = [p for p in instructions if _prose(p)]
    paths_table = catalog.table("paths")
    protected_globs: tuple[str, ...] = ()
    for group in paths_table["protected"].values():
        protected_globs += tuple(group)
    protected = _present(root, tracked, protected_globs + tuple(paths_table["lockfiles"]["globs"]))
    roots = _python_roots(root, tracked)
    big = sum(1 for _ in tracked)
    lines = [
        "# agentcheck policy: what a change to this repository must respect.",
        "# Reference: `agentcheck rules`, `agentcheck explain CODE`.",
        "",
        *([f"[{table}]"] if table else []),
        'fail-on = "error"',
        "# Paths never examined (gitignore-style globs).",
        "exclude = []",
        "# Require a task spec (.agentcheck/task.toml or --task) for every change.",
        "require-task = false",
        "",
        f"[{prefix}size]",
        "# Hard ceilings on one change (added + removed lines; lockfiles, generated and",
        "# vendored files do not count).",
        "max-lines = 1000",
        f"max-files = {50 if big < 5000 else 100}",
        "# A change this many times over the task's expected-lines/files is flagged.",
        "ratio = 3.0",
        "ignore = []",
        "",
        f"[{prefix}paths]",
        "# Added to the built-in list (CI configuration, lockfiles, migrations, CODEOWNERS, ...).",
        "protected = []",
    ]
    if protected:
        lines.append(f"# Protected files found here: {_named(protected, 'files')}")
    if instructions:
        others = len(instructions) - len(prose)
        lines += [
            "",
            "# Agent instruction files found here (changes to them are AC303): "
            + (_named(prose, "instruction files") if prose else "none in prose"),
        ]
        if others:
            lines.append(
                f"# AC303 also watches {others} other file{'' if others == 1 else 's'} under "
                "those folders (scripts, data)."
            )
    lines += ["", f"[{prefix}unicode]", '# Code points allowed everywhere, e.g. ["U+200E"].']
    lines.append("allow = []")
    if contracts is not None:
        lines += [
            "",
            f"[{prefix}imports]",
            f"# {contracts.number} import contract{'' if contracts.number == 1 else 's'} found "
            f"in {contracts.source}:",
            "# agentcheck checks every change against them as they are (contracts-from,",
            '# by default ["importlinter", "tach"], reads them; "none" leaves them out).',
        ]
    elif roots:
        lines += [
            "",
            f"[{prefix}imports]",
            f"roots = {roots!r}".replace("'", '"'),
            "# Declare contracts with [[imports.contracts]] (layers, forbidden,",
            "# independence), or reuse an import-linter configuration.",
        ]
    lines += ["", f"[{prefix}severity]", '# AC303 = "error"', ""]
    return "\n".join(lines)


def _tracked(repo: Any) -> list[str]:
    out = repo.run("ls-files", "-z")
    return [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]


def write_starter(force: bool, to_stdout: bool, pyproject: bool = False) -> tuple[str, str]:
    """(the policy text when TO_STDOUT asks for it, a message for people): the starter policy
    written to the repository's agentcheck.toml (PYPROJECT: appended to pyproject.toml as
    [tool.agentcheck]), or only returned."""
    from checker.adapters.git import Repository

    with Repository.find(".") as repo:
        tracked = _tracked(repo)
    root = repo.root
    contracts = import_contracts(root)
    tools = pyproject_centred(root)
    table = "tool.agentcheck" if pyproject else ""
    text = starter_text(root, tracked, table, contracts)
    notes = []
    if contracts is not None:
        notes.append(
            f"Found {contracts.number} import contract{'' if contracts.number == 1 else 's'} in "
            f"{contracts.source}: agentcheck will check every change against them."
        )
    if pyproject:
        if not tools and not (root / "pyproject.toml").is_file():
            raise FatalError(
                "--pyproject: this repository has no pyproject.toml; run `agentcheck init` to "
                "write agentcheck.toml instead."
            )
        if "agentcheck" in tools:
            raise FatalError(
                "pyproject.toml already has a [tool.agentcheck] table; edit it, or print a "
                "starter with `agentcheck init --pyproject --stdout`."
            )
    if to_stdout:
        return text, "\n".join(notes)
    if pyproject:
        return "", "\n".join([*notes, _append_pyproject(root / "pyproject.toml", text)])
    target = root / "agentcheck.toml"
    if target.exists() and not force:
        raise FatalError(
            f"{target} already exists; pass --force to overwrite it, or --stdout "
            "to print a starter policy."
        )
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise FatalError(
            f"{target}: cannot be written: {exc.strerror}. Run `agentcheck init --stdout` "
            "to print the starter policy instead."
        ) from None
    notes.append(f"Wrote {target}. Review it, commit it, and run `agentcheck diff`.")
    if tools and "agentcheck" not in tools:
        shown = ", ".join(f"[tool.{name}]" for name in tools[:4])
        notes.append(
            f"This repository keeps its tools' settings in pyproject.toml ({shown}"
            f"{', ...' if len(tools) > 4 else ''}): `agentcheck init --pyproject` puts the "
            "policy there as [tool.agentcheck] instead (delete agentcheck.toml first: it "
            "would take precedence)."
        )
    return "", "\n".join(notes)


def _append_pyproject(path: Path, text: str) -> str:
    try:
        existing = path.read_text(encoding="utf-8")
        separator = (
            "" if existing.endswith("\n\n") else ("\n" if existing.endswith("\n") else "\n\n")
        )
        with path.open("a", encoding="utf-8") as handle:
            handle.write(separator + text)
    except OSError as exc:
        raise FatalError(
            f"{path}: cannot be written: {exc.strerror}. Run `agentcheck init --pyproject "
            "--stdout` to print the table instead."
        ) from None
    return f"Added [tool.agentcheck] to {path}. Review it, commit it, and run `agentcheck diff`."


# Each agent's end-of-turn hook: the file it reads in the repository, the event, and the entry
# that runs agentcheck there (docs/agents.md cites each agent's documentation).
class AgentHook(NamedTuple):
    path: str  # the configuration file, from the top of the repository
    event: str  # the end-of-turn event's key under "hooks"
    entry: dict[str, Any]  # what is appended under it
    versioned: bool  # the file carries "version": 1


def agent_hook(agent: str) -> AgentHook:
    command = f"agentcheck hook {agent}"
    grouped = {"hooks": [{"type": "command", "command": command}]}
    return {
        "claude": AgentHook(".claude/settings.json", "Stop", grouped, False),
        "codex": AgentHook(".codex/hooks.json", "Stop", grouped, False),
        "gemini": AgentHook(".gemini/settings.json", "AfterAgent", grouped, False),
        "copilot": AgentHook(
            ".github/hooks/agentcheck.json",
            "agentStop",
            {"type": "command", "bash": command, "timeoutSec": 60},
            True,
        ),
        "cursor": AgentHook(".cursor/hooks.json", "stop", {"command": command}, True),
    }[agent]


def _commands(value: Any) -> list[str]:
    """Every command string inside a hook entry (Claude's groups nest them)."""
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k in ("command", "bash") and isinstance(v, str)]
        return found + [c for v in value.values() for c in _commands(v)]
    if isinstance(value, list):
        return [c for v in value for c in _commands(v)]
    return []


def merge_agent_hook(text: str | None, hook: AgentHook, agent: str) -> str | None:
    """The configuration TEXT (None: no file yet) with agentcheck's hook added, keeping every
    other key and hook; None when it already runs `agentcheck hook AGENT` there."""
    import json

    where = hook.path
    if text is None or not text.strip():
        document: dict[str, Any] = {}
    else:
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise FatalError(
                f"{where}: not valid JSON ({exc}). agentcheck init --agent {agent} merges its "
                "hook into the file and will not overwrite one it cannot read: fix the file or "
                "move it aside, then run it again."
            ) from None
        if not isinstance(document, dict):
            raise FatalError(
                f"{where}: the file holds a JSON {type(document).__name__}, not an object; "
                "fix it or move it aside, then run agentcheck init again."
            )
    hooks = document.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise FatalError(
            f'{where}: "hooks" is a JSON {type(hooks).__name__}, not an object of events; fix '
            "it or move the file aside, then run agentcheck init again."
        )
    entries = hooks.setdefault(hook.event, [])
    if not isinstance(entries, list):
        raise FatalError(
            f'{where}: "hooks.{hook.event}" is a JSON {type(entries).__name__}, not a list of '
            "hooks; fix it or move the file aside, then run agentcheck init again."
        )
    if any(c.split() == ["agentcheck", "hook", agent] for c in _commands(entries)):
        return None
    if hook.versioned:
        document.setdefault("version", 1)
    entries.append(hook.entry)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def install_agent_hooks(agents: tuple[str, ...]) -> str:
    """Write or merge each agent's end-of-turn hook configuration; what was done, per agent."""
    from checker.adapters.git import Repository

    with Repository.find(".") as repo:
        root = repo.root
    lines = []
    for agent in dict.fromkeys(agents):
        hook = agent_hook(agent)
        target = root / hook.path
        try:
            text = target.read_text(encoding="utf-8") if target.exists() else None
        except (OSError, UnicodeDecodeError) as exc:
            raise FatalError(f"{hook.path}: cannot be read ({exc}).") from None
        merged = merge_agent_hook(text, hook, agent)
        if merged is None:
            lines.append(f"{hook.path}: already runs `agentcheck hook {agent}`; nothing changed.")
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(merged, encoding="utf-8")
        except OSError as exc:
            raise FatalError(f"{hook.path}: cannot be written: {exc.strerror}.") from None
        verb = "added to" if text else "wrote"
        lines.append(
            f"{hook.path}: {verb} it: {hook.event} runs `agentcheck hook {agent}` "
            "(docs/agents.md says what the agent is sent)."
        )
    return "\n".join(lines)
