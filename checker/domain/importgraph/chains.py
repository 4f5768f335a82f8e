"""Indirect chains: a new import A -> B that completes a chain s -> ... -> A -> B -> ... -> t
where s and t break a contract that forbids indirect imports (import-linter's layers and
independence contracts, its forbidden contracts without allow_indirect_imports, and the
policy's contracts with `indirect = true`).

Only a change that adds an import between two modules of a package such a contract names pays
for this: the head's import graph of those packages is then built from every one of their
Python files, read fast (`scan`: the import statements alone, found by a regular expression
outside the strings that span lines, each parsed on its own). Chains are judged role to role
(`Contract.role`: the layer, or the member, a module is for the contract), as import-linter
reports them layer pair by layer pair: a chain is new when the base had no chain between the
same two roles. The base graph is the head's with the changed files' edges read at the base."""

from __future__ import annotations

import ast
import bisect
import keyword
import re
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Sequence

from checker.domain.importgraph.contracts import Contract
from checker.domain.importgraph.edges import Edge, Endpoint
from checker.domain.importgraph.python import (
    _DYNAMIC,
    Layout,
    _Collector,
    _Importer,
    _mentioning,
    bracket_net,
    parse,
    parse_around,
    string_lines,
)

# An import statement at the start of a line, in text that begins with a line break.
_STATEMENT = re.compile(r"\n([ \t]*)(?=[if])(?:import|from)[ \t(\\.]")
_GUARD = re.compile(r"^([ \t]*)if[ \t(]+(?:typing\.)?TYPE_CHECKING\b[^\n]*:", re.MULTILINE)


def scan(path: str, text: str, layout: Layout) -> list[Edge]:
    """The import edges of a .py file, from its import statements alone: a statement that
    starts a line outside the strings that span lines. The top-level statements that mention a
    dynamic import are parsed whole; a file that ends lines with a lone CR, or whose dynamic
    imports are not read that way, is parsed whole."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return parse(path, text, layout).edges
    edges = _statements(path, text, layout)
    if any(word in text for word in _DYNAMIC):
        dynamic = _mentioning(text, _DYNAMIC)
        around = parse_around(path, text, layout, dynamic)
        if around is None:
            return parse(path, text, layout).edges
        seen = {(e.key, e.line) for e in edges}
        edges += [e for e in around if (e.key, e.line) not in seen]
    return edges


def _statements(path: str, text: str, layout: Layout) -> list[Edge]:
    padded = "\n" + text  # every line, the first too, follows a line break
    starts = list(_STATEMENT.finditer(padded))
    if not starts:
        return []
    in_strings = string_lines(text) if ('"""' in text or "'''" in text or "\\\n" in text) else []
    firsts = [first for first, _ in in_strings]
    guards = _guards(text) if "TYPE_CHECKING" in text else None
    importer = _Importer(path, layout)
    edges: list[Edge] = []
    line, counted = 0, 0
    for match in starts:
        line += padded.count("\n", counted, match.start() + 1)
        counted = match.start() + 1
        at = bisect.bisect_right(firsts, line) - 1
        if at >= 0 and in_strings[at][1] >= line:
            continue  # the line begins inside a string
        indent = len(match.group(1))
        # The statement's lines: on while brackets stay open or a line ends in a backslash.
        chunk: list[str] = []
        places: list[tuple[int, int]] = []
        start, number, depth = counted, line, 0
        while True:
            end = padded.find("\n", start)
            end = len(padded) if end < 0 else end
            body = padded[start:end]
            chunk.append(body.strip())
            places.append((number, indent if number == line else len(body) - len(body.lstrip())))
            depth += bracket_net(body)
            if (depth <= 0 and not body.endswith("\\")) or end == len(padded):
                break
            start, number = end + 1, number + 1
        type_only = guards is not None and guards(line, indent)
        if len(chunk) == 1:
            names = _simple(chunk[0], importer)
            if names is not None:  # most statements: no parse needed
                edges.extend(
                    Edge(importer.endpoint, importer.target(name), line, indent + 1, type_only)
                    for name in names
                )
                continue
        try:
            tree = ast.parse("\n".join(chunk))
        except (SyntaxError, ValueError):
            continue
        collector = _Collector(importer, [], places)
        collector.visit(tree, type_only)
        edges.extend(collector.edges)
    return edges


_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_DOTTED = rf"{_NAME}(?:\.{_NAME})*"
_ALIAS = rf"(?:[ \t]+as[ \t]+{_NAME})?"
_END = r"[ \t]*(?:#.*)?$"
_SIMPLE_IMPORT = re.compile(
    rf"import[ \t]+({_DOTTED}{_ALIAS}(?:[ \t]*,[ \t]*{_DOTTED}{_ALIAS})*){_END}"
)
_SIMPLE_FROM = re.compile(
    rf"from[ \t]*(\.*)[ \t]*({_DOTTED})?[ \t]+import[ \t]+"
    rf"(\*|{_NAME}{_ALIAS}(?:[ \t]*,[ \t]*{_NAME}{_ALIAS})*){_END}"
)


def _simple(statement: str, importer: _Importer) -> list[str] | None:
    """The modules a one-line import statement of the plain ASCII forms imports (`import a.b
    as c, d`, `from .a import b as c, d`), without parsing it; None for any other form (the
    caller parses it). The names resolve as the parse's collector resolves them."""
    match = _SIMPLE_IMPORT.match(statement)
    if match is not None:
        names = [part.split()[0] for part in match.group(1).split(",")]
        return None if any(_reserved(name) for name in names) else names
    match = _SIMPLE_FROM.match(statement)
    if match is None:
        return None
    dots, module, listed = match.groups()
    if (not dots and not module) or (module and _reserved(module)):
        return None
    aliases = [part.split()[0] for part in listed.split(",")]
    if any(keyword.iskeyword(alias) for alias in aliases if alias != "*"):
        return None
    base = importer.relative(len(dots), module) if dots else module
    if base is None:
        return []
    return [importer.submodule(base, alias) for alias in aliases]


def _reserved(dotted: str) -> bool:
    return any(keyword.iskeyword(part) for part in dotted.split("."))


def _guards(text: str) -> Callable[[int, int], bool]:
    """Whether the line (from 1) at an indentation lies under an `if TYPE_CHECKING:`."""
    lines = text.split("\n")
    spans: list[tuple[int, int, int]] = []  # (first line, last line, guard's indentation)
    for match in _GUARD.finditer(text):
        first = text.count("\n", 0, match.start()) + 2
        indent = len(match.group(1))
        last = first
        while last <= len(lines):
            body = lines[last - 1]
            code = body.strip() and not body.lstrip().startswith("#")
            if code and len(body) - len(body.lstrip()) <= indent:
                break
            last += 1
        spans.append((first, last - 1, indent))

    def guarded(line: int, indent: int) -> bool:
        return any(first <= line <= last and indent > at for first, last, at in spans)

    return guarded


class Graph:
    """Module -> the edges it imports through, between modules of one side's graph."""

    def __init__(self, endpoints: dict[str, Endpoint], out: dict[str, list[Edge]]) -> None:
        self.endpoints = endpoints
        self.out = out
        self._into: dict[str, list[Edge]] | None = None

    @property
    def into(self) -> dict[str, list[Edge]]:
        if self._into is None:
            self._into = {}
            for edges in self.out.values():
                for edge in edges:
                    self._into.setdefault(edge.imported.name, []).append(edge)
        return self._into


def build(
    files: Iterable[tuple[str, str]],
    layout: Layout,
    type_only: bool,
    read: Callable[[str], str | None],
    nodes: Iterable[tuple[str, str]] = (),
) -> Graph:
    """The graph of the (path, module) FILES: each read with READ and scanned; edges to no
    module of FILES or of NODES (more modules, not read) are left out (a name that is no module
    stands for its nearest package)."""
    endpoints: dict[str, Endpoint] = {}
    paths: dict[str, str] = {}
    for path, module in nodes:
        endpoints[module] = Endpoint(module, module, path)
    for path, module in files:
        endpoints[module] = Endpoint(module, module, path)
        paths[module] = path
    out: dict[str, list[Edge]] = {}
    for module, path in paths.items():
        text = read(path)
        if text is None:
            continue
        found = []
        for edge in scan(path, text, layout):
            if edge.type_only and not type_only:
                continue
            target = _node(edge.imported.name, endpoints)
            if target is not None and target != module:
                found.append(edge._replace(imported=endpoints[target]))
        out[module] = found
    return Graph(endpoints, out)


def _node(name: str, endpoints: dict[str, Endpoint]) -> str | None:
    while name and name not in endpoints:
        name = name.rpartition(".")[0]
    return name or None


def _search(
    start: str, step: Callable[[str], Iterable[Edge]], forward: bool
) -> dict[str, Edge | None]:
    """Breadth first from START: each module reached, with the edge it was reached by."""
    reached: dict[str, Edge | None] = {start: None}
    queue = deque([start])
    while queue:
        module = queue.popleft()
        for edge in step(module):
            other = edge.imported.name if forward else edge.importer.name
            if other not in reached:
                reached[other] = edge
                queue.append(other)
    return reached


class Chains:
    """The chains the new edges complete, contract by contract, against the head's graph
    (HEAD) and the base's (BASE, built on first need)."""

    def __init__(self, head: Graph, base: Callable[[], Graph]) -> None:
        self.head = head
        self._base_builder = base
        self._base: Graph | None = None
        self._roles: dict[int, dict[str, Hashable]] = {}
        self._connected: dict[tuple[int, Hashable], set[Hashable]] = {}

    def _roles_of(self, contract: Contract) -> dict[str, Hashable]:
        found = self._roles.get(id(contract))
        if found is None:
            found = {}
            for module, endpoint in self.head.endpoints.items():
                role = contract.role(endpoint)
                if role is not None:
                    found[module] = role
            self._roles[id(contract)] = found
        return found

    def _steps(
        self, graph: Graph, contract: Contract, forward: bool
    ) -> Callable[[str], list[Edge]]:
        table = graph.out if forward else graph.into

        def step(module: str) -> list[Edge]:
            edges = table.get(module, ())
            if not contract.ignore:
                return list(edges)
            return [e for e in edges if not any(p.matches(e) for p in contract.ignore)]

        return step

    def _reaches(
        self, graph: Graph, contract: Contract, role: Hashable, without: Edge | None = None
    ) -> set[Hashable]:
        """The roles GRAPH's modules of ROLE reach through chains (the contract's ignored
        imports, and the edge WITHOUT, left out)."""
        roles = self._roles_of(contract)
        step = self._steps(graph, contract, True)
        queue = deque(m for m, r in roles.items() if r == role and m in graph.out)
        reached: set[str] = set(queue)
        while queue:
            module = queue.popleft()
            for edge in step(module):
                if without is not None and (module, edge.imported.name) == without.key:
                    continue
                if edge.imported.name not in reached:
                    reached.add(edge.imported.name)
                    queue.append(edge.imported.name)
        return {roles[m] for m in reached if m in roles}

    def _base_reaches(self, contract: Contract, role: Hashable) -> set[Hashable]:
        key = (id(contract), role)
        if key not in self._connected:
            if self._base is None:
                self._base = self._base_builder()
            self._connected[key] = self._reaches(self._base, contract, role)
        return self._connected[key]

    def completed(self, edge: Edge, contract: Contract) -> list[Edge] | None:
        """The shortest chain through EDGE (between modules of the graph) that breaks CONTRACT
        between two roles the base's graph did not chain, or None."""
        importer = _node(edge.importer.name, self.head.endpoints)
        imported = _node(edge.imported.name, self.head.endpoints)
        if importer is None or imported is None or importer == imported:
            return None
        roles = self._roles_of(contract)
        before = _search(importer, self._steps(self.head, contract, False), False)
        after = _search(imported, self._steps(self.head, contract, True), True)
        # The closest module of each role on either side (dictionaries keep the BFS order).
        sources: dict[Hashable, str] = {}
        for module in before:
            if module in roles:
                sources.setdefault(roles[module], module)
        targets: dict[Hashable, str] = {}
        for module in after:
            if module in roles:
                targets.setdefault(roles[module], module)
        endpoints = self.head.endpoints
        link = Edge(endpoints[importer], endpoints[imported], 0, 0)
        for role, source in sources.items():
            without: set[Hashable] | None = None  # what the role reaches without the edge
            for other, target in targets.items():
                pair = Edge(endpoints[source], endpoints[target], 0, 0)
                if not contract.violates(pair) or other in self._base_reaches(contract, role):
                    continue
                if without is None:
                    without = self._reaches(self.head, contract, role, link)
                if other in without:
                    continue  # chained without the edge: another new edge completes it
                chain: list[Edge] = []
                module = source
                while (hop := before[module]) is not None:
                    chain.append(hop)
                    module = hop.imported.name
                chain.append(
                    edge._replace(importer=endpoints[importer], imported=endpoints[imported])
                )
                tail: list[Edge] = []
                module = target
                while (hop := after[module]) is not None:
                    tail.append(hop)
                    module = hop.importer.name
                return chain + tail[::-1]
        return None


def describe(chain: Sequence[Edge], added: Edge) -> str:
    """A chain as hops, each at its file and line; the hop the change adds is marked."""
    hops = []
    for hop in chain:
        same = hop.importer.path == added.importer.path and hop.line == added.line
        mark = ", added" if same else ""
        where = f"{hop.importer.path}:{hop.line}" if hop.importer.path else "?"
        hops.append(f"{hop.importer.name} -> {hop.imported.name} ({where}{mark})")
    return "; ".join(hops)
