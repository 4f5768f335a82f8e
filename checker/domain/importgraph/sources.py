"""Gathering the contracts in force: those of the agentcheck policy, then those of import-linter
and tach configuration files in the repository.

The configuration files are read at the base of the change when they exist there, so a change
cannot loosen the contracts it is checked against; a file the change adds is read at its head
(it can only add contracts). `contracts-from` in [imports] picks the files: by default every one
present is read."""

from __future__ import annotations

from collections.abc import Callable

from checker.config.policy import PYPROJECT, Policy
from checker.domain.importgraph import importlinter, settings, tach
from checker.domain.importgraph.contracts import Contract, Declared

READERS: dict[str, Callable[[Callable[[str], str | None]], Declared | None]] = {
    "importlinter": importlinter.read,
    "tach": tach.read,
}


def policy_label(policy: Policy) -> str:
    """The policy file as messages name it: agentcheck.toml, pyproject.toml [tool.agentcheck]."""
    if policy.path is None:
        return policy.source
    if policy.path.endswith(PYPROJECT):
        return f"{policy.path} [tool.agentcheck]"
    return policy.path


def gather(
    policy: Policy, read: Callable[[str], str | None]
) -> tuple[list[Contract], list[Declared]]:
    """Every contract in force, and what each configuration file read says of the layout. READ
    gives a configuration file's text at the base of the change (at its head if the change adds
    it), or None."""
    contracts = settings.build(policy.get("imports", "contracts", default=()), policy_label(policy))
    chosen = policy.get("imports", "contracts-from", default=tuple(READERS))
    declared = []
    for name in chosen:
        if name in READERS:
            found = READERS[name](read)
            if found is not None:
                declared.append(found)
                contracts.extend(found.contracts)
    return contracts, declared
