"""Forbidden contracts (AC402): the source modules must not import the forbidden ones. As
import-linter does, a source and a forbidden module that overlap (one holds the other) are no
forbidden pair, so `app.*` may be forbidden to `app.ui`."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

from checker.domain.importgraph.contracts import Contract, overlap
from checker.domain.importgraph.edges import Edge, Endpoint
from checker.domain.importgraph.patterns import EdgePattern, compile_pattern


class ForbiddenContract(Contract):
    code = "AC402"
    kind = "forbidden"

    def __init__(
        self,
        name: str,
        source: str,
        sources: Sequence[str],
        forbidden: Sequence[str],
        ignore: Iterable[EdgePattern] = (),
        as_packages: bool = True,
        indirect: bool = False,
    ) -> None:
        super().__init__(name, source, ignore, indirect)
        self.sources = tuple(sources)
        self.forbidden = tuple(forbidden)
        self._sources = [compile_pattern(t, as_packages) for t in self.sources]
        self._forbidden = [compile_pattern(t, as_packages) for t in self.forbidden]

    def names(self) -> tuple[str, ...]:
        return (*self.sources, *self.forbidden)

    def constrains(self, importer: Endpoint) -> bool:
        return any(pattern.member(importer) is not None for pattern in self._sources)

    def role(self, endpoint: Endpoint) -> Hashable | None:
        origins = tuple(m for p in self._sources if (m := p.member(endpoint)) is not None)
        banned = tuple(m for p in self._forbidden if (m := p.member(endpoint)) is not None)
        return (origins, banned) if origins or banned else None

    def violates(self, edge: Edge) -> bool:
        banned = [m for p in self._forbidden if (m := p.member(edge.imported)) is not None]
        if not banned:
            return False
        for pattern in self._sources:
            origin = pattern.member(edge.importer)
            if origin is not None and any(not overlap(origin, m) for m in banned):
                return True
        return False
