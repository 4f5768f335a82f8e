"""Layers contracts (AC401): highest layer first; a module may import the layers below its own,
never those above. A layer may hold siblings: `a | b` may not import each other, `a : b` may.
With containers, the layers repeat inside each container and are checked container by
container, as import-linter does."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import NamedTuple

from checker.domain.importgraph.contracts import Contract
from checker.domain.importgraph.edges import Edge, Endpoint
from checker.domain.importgraph.patterns import EdgePattern, Pattern, compile_pattern, is_path

INDEPENDENT = "|"
SIBLINGS = ":"


def split_layer(text: str) -> tuple[list[str], bool]:
    """The module names of a layer, and whether they are independent of each other. `(name)`
    marks an optional layer in import-linter; optional or not, it is checked the same way."""
    delimiter = INDEPENDENT if INDEPENDENT in text else SIBLINGS if SIBLINGS in text else None
    names = [p.strip() for p in text.split(delimiter)] if delimiter else [text.strip()]
    names = [n[1:-1].strip() if n.startswith("(") and n.endswith(")") else n for n in names]
    return names, delimiter != SIBLINGS


def layer_error(text: str) -> str | None:
    if INDEPENDENT in text and SIBLINGS in text:
        return f"{text!r} mixes '|' (independent) and ':' (siblings); a layer uses one of them"
    names, _ = split_layer(text)
    if any(not n for n in names):
        return f"{text!r} has an empty name"
    return None


def _join(container: str, tail: str) -> str:
    if is_path(container):
        return f"{container.rstrip('/')}/{tail.lstrip('/')}"
    return f"{container}.{tail}"


class _Layer(NamedTuple):
    patterns: tuple[Pattern, ...]
    independent: bool


class _Place(NamedTuple):
    container: str
    layer: int  # 0 is the highest
    member: str


class LayersContract(Contract):
    code = "AC401"
    kind = "layers"

    def __init__(
        self,
        name: str,
        source: str,
        layers: Sequence[str],
        containers: Sequence[str] = (),
        ignore: Iterable[EdgePattern] = (),
        indirect: bool = False,
    ) -> None:
        super().__init__(name, source, ignore, indirect)
        self.layers = tuple(layers)
        self.containers = tuple(containers)
        groups: list[tuple[Pattern | None, list[_Layer]]] = []
        for container in self.containers or ("",):
            built = []
            for text in self.layers:
                names, independent = split_layer(text)
                full = [_join(container, n) if container else n for n in names]
                built.append(_Layer(tuple(compile_pattern(n) for n in full), independent))
            groups.append((compile_pattern(container) if container else None, built))
        self._groups = groups

    def _places(self, endpoint: Endpoint) -> list[_Place]:
        found = []
        for container, layers in self._groups:
            holder = container.member(endpoint) if container is not None else ""
            if holder is None:
                continue
            for index, layer in enumerate(layers):
                member = next(
                    (m for p in layer.patterns if (m := p.member(endpoint)) is not None), None
                )
                if member is not None:
                    found.append(_Place(holder, index, member))
                    break
        return found

    def role(self, endpoint: Endpoint) -> Hashable | None:
        return tuple(self._places(endpoint)) or None

    def constrains(self, importer: Endpoint) -> bool:
        return bool(self._places(importer))

    def violates(self, edge: Edge) -> bool:
        imported = self._places(edge.imported)
        if not imported:
            return False
        for low in self._places(edge.importer):
            for high in imported:
                if low.container != high.container:
                    continue
                if low.layer > high.layer:
                    return True
                if (
                    low.layer == high.layer
                    and low.member != high.member
                    and self._independent(low.layer)
                ):
                    return True
        return False

    def names(self) -> tuple[str, ...]:
        tails = tuple(n for text in self.layers for n in split_layer(text)[0])
        if not self.containers:
            return tails
        return tuple(_join(c, t) for c in self.containers for t in tails)

    def _independent(self, index: int) -> bool:
        return self._groups[0][1][index].independent
