"""Who wrote a change, and so how the process rules bind it: a value every stage reads.

A known coding agent (its pull request, commits, co-author trailer, the environment it gives the
commands it runs, or its end-of-turn hook) and a change made under a task spec are bound by
every rule at its severity. Automation (dependency and hook-revision bots) and people are
advised by the process rules and bound by the rules that guard the gate and the architecture;
`enforce = "all"` binds people too. Every report says which way it judged and why."""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

Kind = Literal["agent", "automation", "person"]
ENFORCE = ("agents", "all")

# How each kind of signal reads in a report.
_SIGNAL_WORDS = {
    "author": "pull request author",
    "branch": "branch",
    "commit-author": "commit author",
    "commit-committer": "committer",
    "co-author": "Co-authored-by trailer",
    "environment": "environment",
    "hook": "end-of-turn hook",
}


class Signal(NamedTuple):
    """One reason to call the change an agent's (or a bot's)."""

    agent: str  # the name in rules/agents.toml
    # author | branch | commit-author | commit-committer | co-author | environment | hook
    signal: str
    value: str  # what matched, as the source spells it

    def as_dict(self) -> dict[str, str]:
        return {"agent": self.agent, "signal": self.signal, "value": self.value}

    def describe(self) -> str:
        return f"{self.agent}: {_SIGNAL_WORDS.get(self.signal, self.signal)} {self.value}"


class Authorship(NamedTuple):
    kind: Kind = "person"
    signals: tuple[Signal, ...] = ()  # why the change is an agent's or automation's
    task: str | None = None  # the task spec the change was made under, when there is one
    enforce: str = "agents"  # the policy's `enforce`

    @property
    def agent(self) -> bool:
        return self.kind == "agent"

    @property
    def binds(self) -> bool:
        """Whether every rule binds at its severity (else the process rules only advise): an
        agent's change, everyone's with `enforce = "all"`, and a person's under a task spec (a
        bot's usual change is advice even where a task spec lies in the repository)."""
        if self.kind == "agent" or self.enforce == "all":
            return True
        return self.kind == "person" and self.task is not None

    @property
    def strict(self) -> bool:
        """Whether warnings fail too ([agents] fail-on): an agent's change, or one made under a
        task spec that binds it."""
        return self.kind == "agent" or (self.binds and self.task is not None)

    def reason(self) -> str:
        """Which way the change was judged and why, in one line for every report."""
        if self.kind == "agent":
            return f"agent change ({_signals(self.signals)}): every rule binds"
        if self.kind == "automation":
            if self.enforce == "all":
                how = 'enforce = "all": every rule binds'
                return f"automation change ({_signals(self.signals)}); {how}"
            return f"automation change ({_signals(self.signals)}): process rules advise"
        if self.task is not None:
            return f"change under a task spec ({self.task}): every rule binds"
        if self.enforce == "all":
            return 'no agent signal; enforce = "all": every rule binds'
        return "no agent signal: process rules advise"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "binds": self.binds,
            "reason": self.reason(),
            "signals": [s.as_dict() for s in self.signals],
            "task": self.task,
            "enforce": self.enforce,
        }


def _signals(signals: tuple[Signal, ...]) -> str:
    shown = [s.describe() for s in signals[:3]]
    if len(signals) > 3:
        shown.append(f"{len(signals) - 3} more")
    return "; ".join(shown) or "named by the caller"
