"""The contract model shared by the three contract types: a name, the file it was declared in,
its ignored edges, and the rule code an edge that breaks it is reported under."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import NamedTuple

from checker.domain.importgraph.edges import Edge, Endpoint
from checker.domain.importgraph.patterns import EdgePattern


class Contract:
    """One contract. Subclasses say which edges break it (`violates`); `ignore` edges never do."""

    code = ""
    kind = ""

    def __init__(
        self,
        name: str,
        source: str,
        ignore: Iterable[EdgePattern] = (),
        indirect: bool = False,
    ) -> None:
        self.name = name
        self.source = source  # where it was declared, for messages: "agentcheck.toml"
        self.ignore = tuple(ignore)
        # True where a chain of imports through other modules breaks the contract as a direct
        # import would (import-linter's layers and independence, and forbidden contracts
        # without allow_indirect_imports).
        self.indirect = indirect

    def role(self, endpoint: Endpoint) -> Hashable | None:
        """What the contract sees of ENDPOINT: two endpoints of the same role break it alike,
        so chains are judged role to role. None: the endpoint plays no part in it."""
        return None

    def broken_by(self, edge: Edge) -> bool:
        if not self.violates(edge):
            return False
        return not any(pattern.matches(edge) for pattern in self.ignore)

    def violates(self, edge: Edge) -> bool:
        raise NotImplementedError

    def constrains(self, importer: Endpoint) -> bool:
        """False when no edge from IMPORTER can break the contract, whatever it imports: such
        a file's imports need not be read."""
        return True

    def names(self) -> tuple[str, ...]:
        """The module expressions and globs the contract names (for finding source roots)."""
        return ()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} ({self.source})>"


def overlap(a: str, b: str) -> bool:
    """True when one member is, or holds, the other (modules by dots, folders by slashes)."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return long.startswith(short) and long[len(short)] in "./"


class Declared(NamedTuple):
    """Contracts read from one configuration file, and what it says of the package layout."""

    contracts: list[Contract]
    source: str  # the file, as messages name it
    packages: tuple[str, ...] = ()  # top-level packages it names (import-linter's root packages)
    roots: tuple[str, ...] = ()  # source folders it declares (tach's source_roots)
