"""Gathering the contracts in force: those of the agentcheck policy, then those of import-linter
and tach configuration files in the repository.

The configuration files are read at the base of the change when they exist there, so a change
cannot loosen the contracts it is checked against; a file the change adds is read at its head
(it can only add contracts). `contracts-from` in [imports] picks the files: by default every one
present is read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from checker.domain.importgraph import importlinter, settings, tach
from checker.domain.importgraph.contracts import Contract, Declared

READERS: dict[str, Callable[[Callable[[str], str | None]], Declared | None]] = {
    "importlinter": importlinter.read,
    "tach": tach.read,
}


def gather(
    entries: tuple[dict[str, Any], ...],
    label: str,
    chosen: tuple[str, ...],
    read: Callable[[str], str | None],
) -> tuple[list[Contract], list[Declared]]:
    """Every contract in force: the policy's ENTRIES (from the file LABEL names), then those of
    the CHOSEN configuration files, with what each file read says of the layout. READ gives a
    configuration file's text at the base of the change (at its head if the change adds it),
    or None."""
    contracts = settings.build(entries, label)
    declared = []
    for name in chosen:
        if name in READERS:
            found = READERS[name](read)
            if found is not None:
                declared.append(found)
                contracts.extend(found.contracts)
    return contracts, declared
