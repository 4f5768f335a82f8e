"""tach's module boundaries, read from tach.toml or [tool.tach] in pyproject.toml, as contracts.

A module is a declared path and everything inside it; an import belongs to the deepest declared
module that holds it, and imports inside one module, of a utility module, or of code in no
declared module (tach's default `root_module = "ignore"`) are free. Then:
- `depends_on = [...]` lists what the module may import (AC402 otherwise); without it the
  module may import anything; a module in a lower layer needs no declaration;
- `cannot_depend_on = [...]` lists what it may not (AC402);
- `layers` (highest first) with each module's `layer`: no import of a higher layer (AC401)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from checker.config.globs import Globs
from checker.config.tomlfile import parse_toml
from checker.domain.importgraph.contracts import Contract, Declared
from checker.domain.importgraph.edges import Edge, Endpoint
from checker.model.errors import FatalError

CONFIG = "tach.toml"
PYPROJECT = "pyproject.toml"
DEFAULT_EXCLUDE = ("**/tests", "**/docs", "**/*__pycache__", "**/*egg-info")


class Module(NamedTuple):
    path: str
    depends_on: tuple[str, ...] | None  # None: may import anything
    cannot_depend_on: tuple[str, ...]
    layer: str | None
    utility: bool
    unchecked: bool


def _within(name: str, module: str) -> bool:
    return name == module or name.startswith(module + ".")


class Project:
    """The declared modules and layers, and which module an import belongs to."""

    def __init__(
        self, modules: Sequence[Module], layers: Sequence[str], explicit: bool, exclude: Globs
    ) -> None:
        self.modules = sorted(modules, key=lambda m: len(m.path), reverse=True)
        self.layers = {name: index for index, name in enumerate(layers)}
        self.explicit = explicit  # layers_explicit_depends_on: lower layers need declaring too
        self.exclude = exclude

    def owner(self, module: str | None) -> Module | None:
        if module is None:
            return None
        return next((m for m in self.modules if _within(module, m.path)), None)

    def importing(self, importer: Endpoint) -> Module | None:
        """The module whose imports tach checks that IMPORTER belongs to, or None."""
        if importer.path is not None and self.exclude.match(importer.path):
            return None
        module = self.owner(importer.module)
        return None if module is None or module.unchecked else module

    def pair(self, edge: Edge) -> tuple[Module, Module] | None:
        """The importing and imported modules of an edge tach checks, or None."""
        importer = self.importing(edge.importer)
        imported = self.owner(edge.imported.module)
        if importer is None or imported is None or importer == imported:
            return None
        return importer, imported

    def rank(self, module: Module) -> int | None:
        return self.layers.get(module.layer) if module.layer is not None else None


class _ModuleContract(Contract):
    """A rule on one module's own imports (AC402)."""

    code = "AC402"
    kind = "forbidden"

    def __init__(self, project: Project, module: Module, name: str, source: str) -> None:
        super().__init__(name, source)
        self.project = project
        self.module = module

    def constrains(self, importer: Endpoint) -> bool:
        return self.project.importing(importer) == self.module


class DependsOnContract(_ModuleContract):
    def __init__(self, project: Project, module: Module, source: str) -> None:
        allowed = ", ".join(module.depends_on or ()) or "nothing"
        super().__init__(project, module, f"{module.path} depends on {allowed}", source)

    def violates(self, edge: Edge) -> bool:
        pair = self.project.pair(edge)
        if pair is None or pair[0] != self.module or pair[1].utility:
            return False
        imported = pair[1]
        if imported.path in (self.module.depends_on or ()):
            return False
        low, high = self.project.rank(self.module), self.project.rank(imported)
        if low is not None and high is not None:
            if high < low:
                return False  # a higher layer: the layers contract reports it
            if high > low and not self.project.explicit:
                return False
        return True


class CannotDependOnContract(_ModuleContract):
    def __init__(self, project: Project, module: Module, source: str) -> None:
        banned = ", ".join(module.cannot_depend_on)
        super().__init__(project, module, f"{module.path} cannot depend on {banned}", source)

    def violates(self, edge: Edge) -> bool:
        pair = self.project.pair(edge)
        if pair is None or pair[0] != self.module or edge.imported.module is None:
            return False
        return any(_within(edge.imported.module, m) for m in self.module.cannot_depend_on)


class LayersContract(Contract):
    code = "AC401"
    kind = "layers"

    def __init__(self, project: Project, layers: Sequence[str], source: str) -> None:
        super().__init__("layers " + " > ".join(layers), source)
        self.project = project

    def constrains(self, importer: Endpoint) -> bool:
        module = self.project.importing(importer)
        return module is not None and self.project.rank(module) is not None

    def violates(self, edge: Edge) -> bool:
        pair = self.project.pair(edge)
        if pair is None or pair[1].utility:
            return False
        low, high = self.project.rank(pair[0]), self.project.rank(pair[1])
        return low is not None and high is not None and high < low


def _error(source: str, key: str, why: str) -> FatalError:
    return FatalError(
        f"{source}: {key}: {why}. agentcheck reads tach's module boundaries from this file; fix "
        "it (tach would reject it too), or set contracts-from in [imports] of the policy to "
        "leave it out."
    )


def _paths(value: Any, source: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _error(source, key, "must be a list")
    found = []
    for item in value:
        path = item.get("path") if isinstance(item, dict) else item
        if not isinstance(path, str) or not path:
            raise _error(source, key, "must list module paths (strings or {path = ...} tables)")
        found.append(path)
    return tuple(found)


def read(read_file: Callable[[str], str | None]) -> Declared | None:
    """tach's boundaries from tach.toml, else [tool.tach] in pyproject.toml; None if neither."""
    text = read_file(CONFIG)
    source = CONFIG
    data: Any = None
    if text is not None:
        data = parse_toml(text, CONFIG)
    else:
        text = read_file(PYPROJECT)
        if text is None:
            return None
        tool = parse_toml(text, PYPROJECT).get("tool", {})
        data = tool.get("tach") if isinstance(tool, dict) else None
        source = f"{PYPROJECT} [tool.tach]"
        if not isinstance(data, dict):
            return None
    modules = []
    entries = data.get("modules", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise _error(source, "modules", "must be an array of tables ([[modules]])")
    for entry in entries:
        paths = entry.get("paths", [entry.get("path")])
        if not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
            raise _error(source, "modules.path", "each module needs a path (a dotted module)")
        depends = entry.get("depends_on")
        layer = entry.get("layer")
        for path in paths:
            modules.append(
                Module(
                    path,
                    None if depends is None else _paths(depends, source, "depends_on"),
                    _paths(entry.get("cannot_depend_on"), source, "cannot_depend_on"),
                    layer if isinstance(layer, str) else None,
                    bool(entry.get("utility", False)),
                    bool(entry.get("unchecked", False)),
                )
            )
    layers = [
        layer.get("name") if isinstance(layer, dict) else layer for layer in data.get("layers", [])
    ]
    if not all(isinstance(layer, str) for layer in layers):
        raise _error(source, "layers", "must list layer names, highest first")
    exclude = data.get("exclude", list(DEFAULT_EXCLUDE))
    if not isinstance(exclude, list) or not all(isinstance(e, str) for e in exclude):
        raise _error(source, "exclude", "must be a list of globs")
    try:
        excluded = Globs(exclude)
    except ValueError as exc:
        raise _error(source, "exclude", str(exc)) from None
    project = Project(
        modules,
        [str(layer) for layer in layers],
        bool(data.get("layers_explicit_depends_on", False)),
        excluded,
    )
    contracts: list[Contract] = []
    for module in modules:
        if module.depends_on is not None:
            contracts.append(DependsOnContract(project, module, source))
        if module.cannot_depend_on:
            contracts.append(CannotDependOnContract(project, module, source))
    if layers and any(m.layer for m in modules):
        contracts.append(LayersContract(project, [str(layer) for layer in layers], source))
    roots = data.get("source_roots", ["."])
    if not isinstance(roots, list) or not all(isinstance(r, str) for r in roots):
        raise _error(source, "source_roots", "must be a list of folders")
    folders = tuple(
        "" if r.strip("/") in ("", ".") else r.strip("/").removeprefix("./") for r in roots
    )
    return Declared(contracts, source, tuple(m.path.split(".")[0] for m in modules), folders)
