"""Independence contracts (AC403): none of the modules may import another of them. A wildcard
names each module it matches: with `app.*`, app.billing and app.shipping are independent."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

from checker.domain.importgraph.contracts import Contract, overlap
from checker.domain.importgraph.edges import Edge, Endpoint
from checker.domain.importgraph.patterns import EdgePattern, compile_pattern


class IndependenceContract(Contract):
    code = "AC403"
    kind = "independence"

    def __init__(
        self,
        name: str,
        source: str,
        modules: Sequence[str],
        ignore: Iterable[EdgePattern] = (),
        indirect: bool = False,
    ) -> None:
        super().__init__(name, source, ignore, indirect)
        self.modules = tuple(modules)
        self._patterns = [compile_pattern(t) for t in self.modules]

    def names(self) -> tuple[str, ...]:
        return self.modules

    def _member(self, endpoint: Endpoint) -> str | None:
        return next((m for p in self._patterns if (m := p.member(endpoint)) is not None), None)

    def role(self, endpoint: Endpoint) -> Hashable | None:
        return self._member(endpoint)

    def constrains(self, importer: Endpoint) -> bool:
        return self._member(importer) is not None

    def violates(self, edge: Edge) -> bool:
        importer = self._member(edge.importer)
        if importer is None:
            return False
        imported = self._member(edge.imported)
        return imported is not None and not overlap(importer, imported)
