"""Who wrote a change: a coding agent, an automation bot, or (no signal) a person.

Pure functions of the pull request, the commits, the environment the run was started in and the
agent hook that started it, against the identities in rules/agents.toml. Every signal found is
kept, so a report can say why it decided."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from checker.config import catalog
from checker.model.authorship import Authorship, Signal
from checker.model.change import Commit, PullRequest
from checker.model.errors import FatalError

# Variables whose value names the agent running the command, for programs rules/agents.toml
# does not list: agentcheck's own, and a convention some agents and wrappers set.
NAMING_VARIABLES = ("AGENTCHECK_AGENT", "AI_AGENT")

_BOT = "[bot]"
_CO_AUTHOR = re.compile(r"^[ \t]*co-authored-by[ \t]*:[ \t]*(.*?)[ \t]*$", re.IGNORECASE)
_IDENTITY = re.compile(r"^(.*?)\s*<([^<>]*)>\s*$")
_NOREPLY = re.compile(r"^(?:\d+\+)?([^@]+)@users\.noreply\.github\.com$", re.IGNORECASE)


class Agent(NamedTuple):
    name: str
    logins: frozenset[str]  # lower case, without "[bot]"
    branches: tuple[str, ...]
    emails: frozenset[str]  # lower case
    names: frozenset[str]  # lower case
    environment: tuple[str, ...] = ()  # NAME, NAME=VALUE or PREFIX*
    hook: str | None = None  # the name `agentcheck hook` takes for it


def _login(value: str) -> str:
    value = value.strip().lower()
    return value[: -len(_BOT)] if value.endswith(_BOT) else value


def _strings(entry: dict[str, Any], key: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FatalError(
            f"rules/agents.toml: {entry.get('name')!r}: {key} must be a list of strings. "
            "Fix the table or reinstall agentcheck."
        )
    return tuple(value)


def _identities(kind: str) -> tuple[Agent, ...]:
    agents = []
    for entry in catalog.table("agents").get(kind, []):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise FatalError(
                f"rules/agents.toml: every [[{kind}]] needs a name. Fix the table or reinstall "
                "agentcheck."
            )
        agents.append(
            Agent(
                name=entry["name"],
                logins=frozenset(_login(v) for v in _strings(entry, "logins")),
                branches=_strings(entry, "branches"),
                emails=frozenset(v.lower() for v in _strings(entry, "emails")),
                names=frozenset(v.lower() for v in _strings(entry, "names")),
                environment=_strings(entry, "environment"),
                hook=entry.get("hook") if isinstance(entry.get("hook"), str) else None,
            )
        )
    return tuple(agents)


@functools.cache
def known_agents() -> tuple[Agent, ...]:
    """The coding agents in rules/agents.toml."""
    return _identities("agent")


@functools.cache
def known_automation() -> tuple[Agent, ...]:
    """The automation bots in rules/agents.toml (dependency and hook-revision bumps)."""
    return _identities("automation")


def _split_identity(identity: str) -> tuple[str, str]:
    """("Name", "email") from "Name <email>"; a bare value is taken as a name."""
    match = _IDENTITY.match(identity.strip())
    if match is None:
        return identity.strip(), ""
    return match.group(1).strip().strip('"'), match.group(2).strip()


def _identity_matches(agent: Agent, identity: str) -> bool:
    name, email = _split_identity(identity)
    email = email.lower()
    if email and email in agent.emails:
        return True
    noreply = _NOREPLY.match(email) if email else None
    if noreply is not None and _login(noreply.group(1)) in agent.logins:
        return True
    return bool(name) and name.lower() in agent.names


def co_authors(message: str) -> tuple[str, ...]:
    """The identities of a commit message's Co-authored-by trailers."""
    found = []
    for line in message.splitlines():
        match = _CO_AUTHOR.match(line)
        if match and match.group(1):
            found.append(match.group(1))
    return tuple(found)


def signals(
    pull_request: PullRequest | None,
    commits: Iterable[Commit],
    agents: tuple[Agent, ...] | None = None,
) -> list[Signal]:
    """Every sign of an agent in the pull request and the commits, first seen first, once."""
    agents = known_agents() if agents is None else agents
    found: list[Signal] = []

    def add(signal: Signal) -> None:
        if signal not in found:
            found.append(signal)

    for agent in agents:
        if pull_request is not None:
            if pull_request.author and _login(pull_request.author) in agent.logins:
                add(Signal(agent.name, "author", pull_request.author))
            branch = pull_request.head_branch.removeprefix("refs/heads/")
            if branch and any(branch.startswith(prefix) for prefix in agent.branches):
                add(Signal(agent.name, "branch", branch))
        for commit in commits:
            for role, identity in (
                ("commit-author", commit.author),
                ("commit-committer", commit.committer),
            ):
                if identity and _identity_matches(agent, identity):
                    add(Signal(agent.name, role, identity))
            for identity in co_authors(commit.message):
                if _identity_matches(agent, identity):
                    add(Signal(agent.name, "co-author", identity))
    return found


def _environment_matches(pattern: str, environ: Mapping[str, str]) -> str | None:
    """The NAME=VALUE that PATTERN matches in ENVIRON, or None."""
    if pattern.endswith("*"):
        prefix = pattern[:-1]
        name = next((n for n in sorted(environ) if n.startswith(prefix) and environ[n]), None)
        return None if name is None else f"{name}={environ[name]}"
    name, equals, value = pattern.partition("=")
    found = environ.get(name)
    if not found or (equals and found != value):
        return None
    return f"{name}={found}"


def environment_signals(
    environ: Mapping[str, str], agents: tuple[Agent, ...] | None = None
) -> list[Signal]:
    """The agents whose variables ENVIRON carries: the run was started by an agent's shell.
    A variable that only names an agent (AI_AGENT) counts where no listed agent's does."""
    agents = known_agents() if agents is None else agents
    found = []
    for agent in agents:
        for pattern in agent.environment:
            matched = _environment_matches(pattern, environ)
            if matched is not None:
                found.append(Signal(agent.name, "environment", matched))
                break
    for variable in () if found else NAMING_VARIABLES:
        value = environ.get(variable, "").strip()
        if value:
            named = next((a.name for a in agents if a.name.lower() == value.lower()), value)
            found.append(Signal(named, "environment", f"{variable}={value}"))
    return found


def _automation(pull_request: PullRequest | None, commits: tuple[Commit, ...]) -> list[Signal]:
    """The bots that wrote the change: its pull request's author, or the author of every commit
    (merge commits aside: a person merging a bot's branch does not make the bot's change theirs)."""
    bots = known_automation()
    if pull_request is not None and pull_request.author:
        by_login = [b for b in bots if _login(pull_request.author) in b.logins]
        if by_login:
            return [Signal(by_login[0].name, "author", pull_request.author)]
    authored = [c for c in commits if not c.merge] or list(commits)
    if not authored:
        return []
    found: list[Signal] = []
    for commit in authored:
        bot = next((b for b in bots if _identity_matches(b, commit.author)), None)
        if bot is None:
            return []
        signal = Signal(bot.name, "commit-author", commit.author)
        if signal not in found:
            found.append(signal)
    return found


def authorship(
    pull_request: PullRequest | None,
    commits: Iterable[Commit],
    *,
    environ: Mapping[str, str] | None = None,
    hook: str | None = None,
    task: str | None = None,
    enforce: str = "agents",
) -> Authorship:
    """Who wrote the change and why it is thought so: an agent's hook (HOOK: the name
    `agentcheck hook` was given), environment, pull request or commits first; else an
    automation bot; else a person."""
    commits = tuple(commits)
    found: list[Signal] = []
    if hook is not None:
        name = next((a.name for a in known_agents() if a.hook == hook), hook)
        found.append(Signal(name, "hook", f"(agentcheck hook {hook})"))
    if environ is not None:
        found += environment_signals(environ)
    found += [s for s in signals(pull_request, commits) if s not in found]
    if found:
        return Authorship("agent", tuple(found), task, enforce)
    bots = _automation(pull_request, commits)
    if bots:
        return Authorship("automation", tuple(bots), task, enforce)
    return Authorship("person", (), task, enforce)
