"""Agent detection: does a pull request or its commits say a coding agent wrote them?

A pure function of the PullRequest and the commits, against the identities in
rules/agents.toml. Every signal found is kept, so a report can say why it decided."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from checker.config import catalog
from checker.model.change import Commit, PullRequest
from checker.model.errors import FatalError

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


class Signal(NamedTuple):
    """One reason to call the change agent-written."""

    agent: str  # the agent's name in rules/agents.toml
    signal: str  # author | branch | commit-author | commit-committer | co-author
    value: str  # what matched, as the pull request or commit spells it

    def as_dict(self) -> dict[str, str]:
        return {"agent": self.agent, "signal": self.signal, "value": self.value}


def _login(value: str) -> str:
    value = value.strip().lower()
    return value[: -len(_BOT)] if value.endswith(_BOT) else value


def _strings(entry: dict[str, Any], key: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FatalError(
            f"rules/agents.toml: agent {entry.get('name')!r}: {key} must be a list of strings. "
            "Fix the table or reinstall agentcheck."
        )
    return tuple(value)


@functools.cache
def known_agents() -> tuple[Agent, ...]:
    """The identities in rules/agents.toml."""
    entries = catalog.table("agents").get("agent", [])
    agents = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise FatalError(
                "rules/agents.toml: every [[agent]] needs a name. Fix the table or reinstall "
                "agentcheck."
            )
        agents.append(
            Agent(
                name=entry["name"],
                logins=frozenset(_login(v) for v in _strings(entry, "logins")),
                branches=_strings(entry, "branches"),
                emails=frozenset(v.lower() for v in _strings(entry, "emails")),
                names=frozenset(v.lower() for v in _strings(entry, "names")),
            )
        )
    return tuple(agents)


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


def detect(pull_request: PullRequest | None, commits: Iterable[Commit]) -> dict[str, Any]:
    """{"detected": bool, "by": [{"agent", "signal", "value"}...]}, as reports carry it."""
    found = signals(pull_request, tuple(commits))
    return {"detected": bool(found), "by": [s.as_dict() for s in found]}
