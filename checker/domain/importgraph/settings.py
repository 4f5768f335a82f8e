"""The [imports] table of the agentcheck policy: source roots, where contracts come from, the
TYPE_CHECKING switch, and [[imports.contracts]] entries, validated key by key so an error names
the entry, the key and the line."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from checker.config.schema import EntryError
from checker.domain.importgraph.contracts import Contract
from checker.domain.importgraph.forbidden import ForbiddenContract
from checker.domain.importgraph.independence import IndependenceContract
from checker.domain.importgraph.layers import LayersContract, layer_error, split_layer
from checker.domain.importgraph.patterns import compile_edge, edge_pattern_error, pattern_error

_COMMON = ("type", "name", "ignore", "indirect")
_REQUIRED = {
    "layers": ("layers",),
    "forbidden": ("source", "forbidden"),
    "independence": ("modules",),
}
_OPTIONAL = {
    "layers": ("containers",),
    "forbidden": ("as-packages",),
    "independence": (),
}


def roots(value: Any) -> tuple[str, ...]:
    """Source roots: folders of the repository that hold top-level packages ("." for the top)."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError('must be a list of folders, e.g. ["src"]')
    found = []
    for item in value:
        folder = item.strip().removeprefix("./").strip("/")
        folder = "" if folder == "." else folder
        if item.startswith("/") or ".." in folder.split("/") or "*" in folder:
            raise ValueError(
                f"{item!r} is not a folder of the repository: write a relative path without "
                'globs or "..", e.g. "src"'
            )
        found.append(folder)
    return tuple(found)


def _names(entry: Mapping[str, Any], key: str, check: Callable[[str], str | None]) -> None:
    value = entry[key]
    if isinstance(value, str):
        raise EntryError(key, f'must be a list of strings: write ["{value}"]')
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise EntryError(key, "must be a list of strings")
    if not value and key not in ("ignore", "containers"):
        raise EntryError(key, "must name at least one module or folder")
    for item in value:
        why = check(item)
        if why:
            raise EntryError(key, why)


def check_contract(entry: dict[str, Any]) -> dict[str, Any]:
    """One [[imports.contracts]] entry, checked; raises EntryError naming the key at fault."""
    kind = entry.get("type")
    if kind is None:
        raise EntryError(None, 'has no type: add type = "layers", "forbidden" or "independence"')
    if kind not in _REQUIRED:
        raise EntryError(
            "type", f'{kind!r} is not a contract type: use "layers", "forbidden" or "independence"'
        )
    allowed = (*_COMMON, *_REQUIRED[kind], *_OPTIONAL[kind])
    for key in entry:
        if key not in allowed:
            owner = next((k for k, keys in _REQUIRED.items() if key in keys), None)
            owner = owner or next((k for k, keys in _OPTIONAL.items() if key in keys), None)
            hint = f" ({key} belongs to {owner} contracts)" if owner else ""
            raise EntryError(
                key, f"not a key of a {kind} contract{hint}; its keys are {', '.join(allowed)}"
            )
    for key in _REQUIRED[kind]:
        if key not in entry:
            raise EntryError(None, f"a {kind} contract needs {key} = [...]")
    if "name" in entry and (not isinstance(entry["name"], str) or not entry["name"].strip()):
        raise EntryError("name", "must be a non-empty string")
    for flag in ("as-packages", "indirect"):
        if flag in entry and not isinstance(entry[flag], bool):
            raise EntryError(flag, "must be true or false")
    if "ignore" in entry:
        _names(entry, "ignore", edge_pattern_error)
    if kind == "layers":
        _names(entry, "layers", lambda t: layer_error(t) or _layer_names_error(t))
        if "containers" in entry:
            _names(entry, "containers", pattern_error)
        seen: set[str] = set()
        for layer in entry["layers"]:
            for name in split_layer(layer)[0]:
                if name in seen:
                    raise EntryError("layers", f"{name!r} is in more than one layer")
                seen.add(name)
    elif kind == "forbidden":
        _names(entry, "source", pattern_error)
        _names(entry, "forbidden", pattern_error)
    else:
        _names(entry, "modules", pattern_error)
    return entry


def _layer_names_error(text: str) -> str | None:
    for name in split_layer(text)[0]:
        why = pattern_error(name)
        if why:
            return why
    return None


def default_name(kind: str, entry: Mapping[str, Any]) -> str:
    """A name for a contract written without one, saying what it asks."""
    if kind == "layers":
        return " > ".join(entry["layers"])
    if kind == "forbidden":
        return f"{', '.join(entry['source'])} must not import {', '.join(entry['forbidden'])}"
    return f"{', '.join(entry['modules'])} are independent"


def build(entries: tuple[dict[str, Any], ...], label: str) -> list[Contract]:
    """Contracts from validated [[imports.contracts]] entries; LABEL names the policy file."""
    found: list[Contract] = []
    for entry in entries:
        kind = entry["type"]
        name = entry.get("name") or default_name(kind, entry)
        ignore = [compile_edge(e) for e in entry.get("ignore", ())]
        indirect = bool(entry.get("indirect", False))
        if kind == "layers":
            found.append(
                LayersContract(
                    name, label, entry["layers"], entry.get("containers", ()), ignore, indirect
                )
            )
        elif kind == "forbidden":
            found.append(
                ForbiddenContract(
                    name,
                    label,
                    entry["source"],
                    entry["forbidden"],
                    ignore,
                    entry.get("as-packages", True),
                    indirect,
                )
            )
        else:
            found.append(IndependenceContract(name, label, entry["modules"], ignore, indirect))
    return found
