"""import-linter's contracts, read from the files import-linter reads, in its order: setup.cfg
[importlinter], .importlinter, then [tool.importlinter] in pyproject.toml. Layers, forbidden and
independence contracts with their ignore_imports; other contract types are import-linter's own
business and are skipped."""

from __future__ import annotations

import configparser
from collections.abc import Callable
from typing import Any

from checker.config.tomlfile import parse_toml
from checker.domain.importgraph.contracts import Contract, Declared
from checker.domain.importgraph.forbidden import ForbiddenContract
from checker.domain.importgraph.independence import IndependenceContract
from checker.domain.importgraph.layers import LayersContract, layer_error, split_layer
from checker.domain.importgraph.patterns import compile_edge, edge_pattern_error, pattern_error
from checker.model.errors import FatalError

SECTION = "importlinter"
INI_FILES = ("setup.cfg", ".importlinter")
PYPROJECT = "pyproject.toml"


def read(read_file: Callable[[str], str | None]) -> Declared | None:
    """The contracts of the first file import-linter would read, or None where there is none."""
    for name in INI_FILES:
        text = read_file(name)
        if text is None:
            continue
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(text, source=name)
        except configparser.Error as exc:
            raise FatalError(
                f"{name}: not a valid INI file ({exc.message.splitlines()[0]}). agentcheck reads "
                f"import-linter's contracts from it; fix the file, or set contracts-from in "
                f"[imports] of the policy to leave it out."
            ) from None
        if parser.has_section(SECTION):
            session = _clean(dict(parser[SECTION]))
            options = [
                {"id": section.split(":")[-1], **_clean(dict(parser[section]))}
                for section in parser.sections()
                if section.startswith(SECTION + ":")
            ]
            return _declared(session, options, name)
    text = read_file(PYPROJECT)
    if text is not None:
        tool = parse_toml(text, PYPROJECT).get("tool", {})
        table = tool.get(SECTION) if isinstance(tool, dict) else None
        if isinstance(table, dict) and table:
            label = f"{PYPROJECT} [tool.importlinter]"
            session = {k: v for k, v in table.items() if k != "contracts"}
            options = table.get("contracts", [])
            if not isinstance(options, list) or not all(isinstance(o, dict) for o in options):
                raise _error(label, None, "contracts", "must be an array of tables")
            return _declared(session, options, label)
    return None


def _clean(section: dict[str, str]) -> dict[str, Any]:
    """INI values as import-linter reads them: a value on several lines is a list."""
    return {
        key: [line.strip() for line in value.strip().splitlines() if line.strip()]
        if "\n" in value
        else value
        for key, value in section.items()
    }


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(item).strip() for item in items if str(item).strip()]


def _boolean(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true"


def _error(source: str, contract: str | None, key: str, why: str) -> FatalError:
    where = f"contract {contract!r}, " if contract else ""
    return FatalError(
        f"{source}: {where}{key}: {why}. agentcheck reads import-linter's contracts from this "
        "file; fix it (lint-imports would reject it too), or set contracts-from in [imports] "
        "of the policy to leave it out."
    )


def _declared(session: dict[str, Any], options: list[dict[str, Any]], source: str) -> Declared:
    packages = _strings(session.get("root_packages", [])) + _strings(
        session.get("root_package", [])
    )
    contracts = [c for c in (_contract(o, source) for o in options) if c is not None]
    return Declared(contracts, source, tuple(p.split(".")[0] for p in packages))


def _contract(options: dict[str, Any], source: str) -> Contract | None:
    kind = options.get("type")
    name = str(options.get("name") or options.get("id") or kind)

    def names(key: str, required: bool = True) -> list[str]:
        if key not in options:
            if required:
                raise _error(source, name, key, f"a {kind} contract needs it")
            return []
        found = _strings(options[key])
        for item in found:
            why = layer_error(item) if key == "layers" else None
            for part in split_layer(item)[0] if key == "layers" else [item]:
                why = why or pattern_error(part)
            if why:
                raise _error(source, name, key, why)
        return found

    ignore = []
    for text in _strings(options.get("ignore_imports", [])):
        why = edge_pattern_error(text)
        if why:
            raise _error(source, name, "ignore_imports", why)
        ignore.append(compile_edge(text, package=False))
    if kind == "layers":
        return LayersContract(
            name, source, names("layers"), names("containers", False), ignore, indirect=True
        )
    if kind == "forbidden":
        return ForbiddenContract(
            name,
            source,
            names("source_modules"),
            names("forbidden_modules"),
            ignore,
            _boolean(options.get("as_packages"), True),
            indirect=not _boolean(options.get("allow_indirect_imports"), False),
        )
    if kind == "independence":
        return IndependenceContract(name, source, names("modules"), ignore, indirect=True)
    return None
