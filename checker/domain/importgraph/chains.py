"""Indirect chains: a new import A -> B that completes a chain s -> ... -> A -> B -> ... -> t
where s and t break a contract that forbids indirect imports (import-linter's layers and
independence contracts, its forbidden contracts without allow_indirect_imports, and the
policy's contracts with `indirect = true`).

Only a change that adds an import between two modules of a package such a contract names pays
for this: the head's import graph of those packages is then built from every one of their
Python files, read fast (`scan`: the import statements alone, found by a regular expression
outside the strings that span lines, each parsed on its own), or taken from the memo of an
earlier run where it read the same blob (`raw_edges`: names as written, which the graph maps to
its modules). Chains are judged role to role (`Contract.role`: the layer, or the member, a
module is for the contract), as import-linter reports them layer pair by layer pair: a chain is
new when the base had no chain between the same two roles. The base graph is the head's with
the changed files' edges read at the base. Which roles reach which is found once per contract
and graph, as bits over the strongly connected components, so an edge that completes no new
chain costs a lookup; the searches that name a chain's hops run for the edges that do. A pair
of roles newly chained is reported once: on the edge without which the head would not chain
them, else (several new edges each complete it) on the first of them."""

from __future__ import annotations

import ast
import bisect
import hashlib
import keyword
import re
import sys
from collections import deque
from collections.abc import Callable, Container, Hashable, Iterable, Iterator, Sequence
from pathlib import Path

from checker import __version__
from checker.domain.importgraph import python
from checker.domain.importgraph.contracts import Contract
from checker.domain.importgraph.edges import Edge, Endpoint
from checker.domain.importgraph.python import (
    _DYNAMIC,
    _ONE_LINE_TEXT,
    Layout,
    _Collector,
    _Importer,
    _long_strings,
    _mentioning,
    bracket_net,
    parse,
    parse_around,
    string_lines,
)
from checker.model import reader

# An import statement at the start of a line, in text that begins with a line break.
_STATEMENT = re.compile(r"\n([ \t]*)(?=[if])(?:import|from)[ \t(\\.]")
# The pieces of one line of code: a comment, a one-line string, or a run of other code.
_LINE_PIECE = re.compile(_ONE_LINE_TEXT + r"""|[^"'#\n]+""")
_GUARD = re.compile(r"^([ \t]*)if[ \t(]+(?:typing\.)?TYPE_CHECKING\b[^\n]*:", re.MULTILINE)


def scan(path: str, text: str, layout: Layout) -> list[Edge]:
    """The import edges of a .py file, from its import statements alone: a statement that
    starts a line outside the strings that span lines. The top-level statements that mention a
    dynamic import are parsed whole; a file that ends lines with a lone CR, or whose dynamic
    imports are not read that way, or that may hold an import after `:` or `;` in code (not
    in a string or a comment), or where an f-string's field holds the f-string's own quote
    (Python 3.12's f-strings: the quotes no longer pair), is parsed whole."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return parse(path, text, layout).edges
    if _NESTED_QUOTES and _reuses_quotes(text):
        return parse(path, text, layout).edges
    strings = '"""' in text or "'''" in text or "\\\n" in text
    spans = _long_strings(text) if strings else []
    if _compound_in_code(text, spans):
        return parse(path, text, layout).edges
    edges = _statements(path, text, layout, spans)
    if any(word in text for word in _DYNAMIC):
        dynamic = _mentioning(text, _DYNAMIC)
        around = parse_around(path, text, layout, dynamic)
        if around is None:
            return parse(path, text, layout).edges
        seen = {(e.key, e.line) for e in edges}
        edges += [e for e in around if (e.key, e.line) not in seen]
    return edges


# Python 3.12 lets an f-string's field hold the f-string's own quote (PEP 701). An older
# Python cannot parse such a file whole either, so there the look (~0.2 s over sympy's 25 MB)
# would buy nothing.
_NESTED_QUOTES = sys.version_info >= (3, 12)


def _reuses_quotes(text: str) -> bool:
    """Whether an f-string of TEXT, quoted with one quote, holds that quote inside a field
    (`f"{d["k"]}"`, valid since Python 3.12): there the quotes of the text do not pair, so the
    strings that span lines, comments and one-line strings are not where pairing them says.
    A place this takes for such an f-string that is none (an `f"` in a comment) costs a parse."""
    for prefix in ('f"', "f'", 'F"', "F'", 'r"', "r'", 'R"', "R'"):
        at = text.find(prefix)
        while at >= 0:
            start = at
            if prefix[0] in "rR":
                start -= 1  # fr"...": the f before the r
                if start < 0 or text[start] not in "fF":
                    at = text.find(prefix, at + 2)
                    continue
            elif at and text[at - 1] in "rR":
                start -= 1  # rf"..."
            if (start == 0 or not _word(text[start - 1])) and _field_quote(text, at + 1):
                return True
            at = text.find(prefix, at + 2)
    return False


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _field_quote(text: str, at: int) -> bool:
    """Whether the f-string whose opening quote is at AT holds that quote inside a field. A
    triple-quoted one is not read (one quote inside it pairs with nothing)."""
    quote = text[at]
    if text.startswith(quote * 3, at):
        return False
    depth, index = 0, at + 1
    while index < len(text):
        char = text[index]
        if char == quote:
            return depth > 0  # inside a field; else the f-string ends
        if char == "\\" and not depth:
            index += 2
            continue
        if char == "\n" and not depth:
            return False  # no closing quote on the line: not an f-string that pairs
        if char == "{":
            if not depth and text.startswith("{{", index):
                index += 2
                continue
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        index += 1
    return False


def _compound_in_code(text: str, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether TEXT may hold an import after `:` or `;` in code: a `_compounds` place outside
    its strings that span lines (SPANS, their offsets, in order), comments and one-line
    strings."""
    starts = [start for start, _ in spans]
    for at in _compounds(text):
        begin = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        index = bisect.bisect_right(starts, at) - 1
        if index >= 0 and at < spans[index][1]:
            continue  # inside a string that spans lines: prose
        if index >= 0:
            begin = max(begin, spans[index][1])  # a string that spans lines ends on the line
        if _in_code(text[begin:end], at - begin):
            return True
    return False


def _compounds(text: str) -> Iterator[int]:
    """The places of the `:` or `;` that TEXT has before `import` or `from` (spaces or tabs
    between; a space, tab, bracket, backslash or dot after): an import statement that starts
    no line (`try: import x`, `a = 1; import x`), which the statements alone do not show.
    Found with str.find, which skips the text between the words several times faster than a
    regular expression that starts with a class of characters."""
    for word in ("import", "from"):
        at = text.find(word)
        while at >= 0:
            after = at + len(word)
            before = at - 1
            while before >= 0 and text[before] in " \t":
                before -= 1
            if before >= 0 and text[before] in ":;" and text[after : after + 1] in _AFTER_WORD:
                yield before
            at = text.find(word, after)


_AFTER_WORD = (" ", "\t", "(", "\\", ".")


def _in_code(line: str, column: int) -> bool:
    """Whether the character at COLUMN of a line of code lies outside its comment and its
    one-line strings. A quote that opens no string on the line: not read here, so code."""
    position = 0
    while position <= column:
        piece = _LINE_PIECE.match(line, position)
        if piece is None:
            return True
        if piece.end() > column:
            return piece.group(0)[0] not in "#\"'"
        position = piece.end()
    return True


def _statements(
    path: str, text: str, layout: Layout, spans: Sequence[tuple[int, int]]
) -> list[Edge]:
    padded = "\n" + text  # every line, the first too, follows a line break
    starts = list(_STATEMENT.finditer(padded))
    if not starts:
        return []
    in_strings = string_lines(text, spans) if spans else []
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
    """Between the modules of one side's graph: each module read -> the modules it imports
    (`succ`, in its file's order) and where (line, column, type-only, in the same order).
    The Edges are made on need: a chain reported names a few of the graph's many imports."""

    def __init__(
        self,
        endpoints: dict[str, Endpoint],
        succ: dict[str, list[str]],
        places: dict[str, list[tuple[int, int, bool]]],
    ) -> None:
        self.endpoints = endpoints
        self.succ = succ
        self.places = places
        self._out: dict[str, list[Edge]] = {}
        self._pred: dict[str, list[tuple[str, int]]] | None = None

    def out(self, module: str) -> list[Edge]:
        """The edges MODULE imports through."""
        found = self._out.get(module)
        if found is None:
            importer, ends = self.endpoints[module], self.endpoints
            found = [
                Edge(importer, ends[target], line, column, type_only)
                for target, (line, column, type_only) in zip(
                    self.succ.get(module, ()), self.places.get(module, ()), strict=True
                )
            ]
            self._out[module] = found
        return found

    def into(self, module: str) -> list[Edge]:
        """The edges that import MODULE."""
        if self._pred is None:
            self._pred = {}
            for importer, targets in self.succ.items():
                for index, target in enumerate(targets):
                    self._pred.setdefault(target, []).append((importer, index))
        return [self.out(importer)[index] for importer, index in self._pred.get(module, ())]

    def merged(self, fresh: Graph, paths: set[str]) -> Graph:
        """This graph with the files at PATHS read as FRESH reads them, over FRESH's modules:
        an edge of another file to a module FRESH lacks is left out."""
        gone = self.endpoints.keys() - fresh.endpoints.keys()
        succ: dict[str, list[str]] = {}
        places: dict[str, list[tuple[int, int, bool]]] = {}
        for module, targets in self.succ.items():
            if self.endpoints[module].path in paths:
                continue
            if gone and not gone.isdisjoint(targets):
                kept = [i for i, target in enumerate(targets) if target not in gone]
                succ[module] = [targets[i] for i in kept]
                places[module] = [self.places[module][i] for i in kept]
            else:
                succ[module], places[module] = targets, self.places[module]
        return Graph(fresh.endpoints, {**succ, **fresh.succ}, {**places, **fresh.places})


# An edge as a file's text gives it, before the graph resolves its imported name: (the name,
# line, column, type-only). What a file's text gives depends on the text and the module it is
# (relative imports), never on the rest of the tree, so it can be kept by blob id (Memo).
Raw = tuple[str, int, int, bool]


class _Unresolved(Layout):
    """Names as written: `from a import b` reads as a.b whatever a.b is, since the graph maps
    every name to its nearest module (`_node`), which is where the resolved name would lead."""

    @property
    def known(self) -> bool:
        return True

    def locate(self, module: str) -> str | None:
        return ""


def stamp() -> str:
    """What reads a file's raw edges, as a memo names it: agentcheck's and Python's versions
    and the reading and decoding code's own text, so a memo kept by other code (another
    version, an edited checkout, another Python's ast) is not used."""
    digest = hashlib.sha256(f"{__version__} {sys.version_info[:2]}".encode())
    for source in (__file__, python.__file__, reader.__file__):
        digest.update(Path(source).read_bytes())
    return digest.hexdigest()[:32]


def raw_edges(path: str, text: str, roots: Sequence[str]) -> list[Raw]:
    """The edges `scan` reads in TEXT, their names unresolved (see Raw)."""
    return [
        (e.imported.name, e.line, e.column, e.type_only)
        for e in scan(path, text, _Unresolved(roots, frozenset()))
    ]


def build(
    files: Iterable[tuple[str, str]],
    type_only: bool,
    edges_of: Callable[[str, str], Sequence[Raw] | None],
    nodes: Iterable[tuple[str, str]] = (),
) -> Graph:
    """The graph of the (path, module) FILES, each file's edges given by EDGES_OF(path, module)
    (None: unreadable); edges to no module of FILES or of NODES (more modules, not read) are
    left out (a name that is no module stands for its nearest package)."""
    endpoints: dict[str, Endpoint] = {}
    paths: dict[str, str] = {}
    for path, module in nodes:
        endpoints[module] = Endpoint(module, module, path)
    for path, module in files:
        endpoints[module] = Endpoint(module, module, path)
        paths[module] = path
    succ: dict[str, list[str]] = {}
    places: dict[str, list[tuple[int, int, bool]]] = {}
    nodes_of: dict[str, str | None] = {}  # the same names come up in many files
    for module, path in paths.items():
        raw = edges_of(path, module)
        if raw is None:
            continue
        targets: list[str] = []
        where: list[tuple[int, int, bool]] = []
        for name, line, column, type_checking in raw:
            if type_checking and not type_only:
                continue
            if name in endpoints:
                target: str | None = name
            elif name in nodes_of:
                target = nodes_of[name]
            else:
                target = nodes_of[name] = _node(name, endpoints)
            if target is not None and target != module:
                targets.append(target)
                where.append((line, column, type_checking))
        succ[module] = targets
        places[module] = where
    return Graph(endpoints, succ, places)


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


def _kept(graph: Graph, contract: Contract) -> dict[str, list[str]]:
    """Module -> the modules it imports, the contract's ignored imports left out."""
    if not contract.ignore:
        return graph.succ
    return {
        m: [e.imported.name for e in graph.out(m) if not any(p.matches(e) for p in contract.ignore)]
        for m in graph.succ
    }


def _components(succ: dict[str, list[str]]) -> list[list[str]]:
    """The strongly connected components of SUCC (Tarjan's, without recursion), each after
    every component it reaches."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in succ:
        if root in index:
            continue
        work = [(root, iter(succ.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(succ.get(child, ()))))
                    break
                if child in on_stack and index[child] < low[module]:
                    low[module] = index[child]
            else:
                work.pop()
                if work and low[module] < low[work[-1][0]]:
                    low[work[-1][0]] = low[module]
                if low[module] == index[module]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == module:
                            break
                    found.append(component)
    return found


def _reach(
    succ: dict[str, list[str]], components: list[list[str]], own: dict[str, int]
) -> dict[str, int]:
    """Each module -> the OR of OWN (bits) over every module it reaches, itself included;
    COMPONENTS in the order _components gives them (each after what it reaches)."""
    reached: dict[str, int] = {}
    for component in components:
        bits = 0
        for module in component:
            bits |= own.get(module, 0)
            for child in succ.get(module, ()):
                bits |= reached.get(child, 0)
        for module in component:
            reached[module] = bits
    return reached


class _Flow:
    """A graph as a contract walks it (its ignored imports left out): each module's successors
    and predecessors, and the strongly connected components (each after what it reaches)."""

    def __init__(self, graph: Graph, contract: Contract) -> None:
        self.succ = _kept(graph, contract)
        self.pred: dict[str, list[str]] = {}
        for module, targets in self.succ.items():
            for target in targets:
                self.pred.setdefault(target, []).append(module)
        self.components = _components(self.succ)


class _RoleBits:
    """One contract's roles as bits over the head's graph: the roles each module reaches and
    the roles that reach it, and which pairs of roles break the contract."""

    def __init__(self, head: Graph, flow: _Flow, roles: dict[str, Hashable], contract: Contract):
        order = list(dict.fromkeys(roles.values()))
        self.bit = {role: i for i, role in enumerate(order)}
        self.own = {m: 1 << self.bit[r] for m, r in roles.items()}
        sample: dict[Hashable, str] = {}
        for module, role in roles.items():
            sample.setdefault(role, module)
        ends = head.endpoints
        self.breaks = {
            (self.bit[a], self.bit[b])
            for a, first in sample.items()
            for b, second in sample.items()
            if contract.violates(Edge(ends[first], ends[second], 0, 0))
        }
        self.reaches = _reach(flow.succ, flow.components, self.own)
        # The reversed graph has the same components, in the opposite order.
        self.reached_from = _reach(flow.pred, flow.components[::-1], self.own)

    def pairs(self, importer: str, imported: str) -> list[tuple[int, int]]:
        """The role pairs (bits) that break the contract through a chain into IMPORTER and
        out of IMPORTED."""
        sources = self.reached_from.get(importer, self.own.get(importer, 0))
        targets = self.reaches.get(imported, self.own.get(imported, 0))
        return [(a, b) for a, b in self.breaks if sources >> a & 1 and targets >> b & 1]

    def by_role(self, flow: _Flow, graph: Graph) -> dict[int, int]:
        """Each role (bit) -> the roles (bits) GRAPH's modules of that role reach."""
        return self._by_role(flow.succ, flow.components, graph.succ)

    def by_role_without(
        self, flow: _Flow, graph: Graph, cut: set[tuple[str, str]]
    ) -> dict[int, int]:
        """by_role, with the edges CUT (importer, imported) left out of GRAPH."""
        succ = dict(flow.succ)
        for module in {importer for importer, _ in cut} & succ.keys():
            succ[module] = [t for t in succ[module] if (module, t) not in cut]
        return self._by_role(succ, _components(succ), graph.succ)

    def _by_role(
        self, succ: dict[str, list[str]], components: list[list[str]], present: Container[str]
    ) -> dict[int, int]:
        reached = _reach(succ, components, self.own)
        found: dict[int, int] = {}
        for module, bits in self.own.items():
            if module in present:
                role = bits.bit_length() - 1
                found[role] = found.get(role, 0) | reached.get(module, bits)
        return found


class Chains:
    """The chains the new edges complete, contract by contract, against the head's graph
    (HEAD) and the base's (BASE, built on first need)."""

    def __init__(self, head: Graph, base: Callable[[], Graph]) -> None:
        self.head = head
        self._base_builder = base
        self._base: Graph | None = None
        self._roles: dict[int, dict[str, Hashable]] = {}
        self._role_bits: dict[int, _RoleBits] = {}
        self._base_roles: dict[int, dict[int, int]] = {}
        self._flows: dict[tuple[int, int], _Flow] = {}
        self._explained: dict[int, list[tuple[str, str]]] = {}  # ends of the edges reported

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
        edges_of = graph.out if forward else graph.into

        def step(module: str) -> list[Edge]:
            edges = edges_of(module) if module in graph.endpoints else []
            if not contract.ignore:
                return edges
            return [e for e in edges if not any(p.matches(e) for p in contract.ignore)]

        return step

    def _chained_without(
        self, contract: Contract, role: Hashable, other: Hashable, link: Edge
    ) -> bool:
        """Whether the head's modules of ROLE reach one of OTHER with the edge LINK left out
        (and the contract's ignored imports)."""
        roles = self._roles_of(contract)
        succ = self._flow(self.head, contract).succ
        queue = deque(m for m, r in roles.items() if r == role and m in self.head.succ)
        reached: set[str] = set(queue)
        while queue:
            module = queue.popleft()
            for imported in succ.get(module, ()):
                if imported in reached or (module, imported) == link.key:
                    continue
                if roles.get(imported) == other:
                    return True
                reached.add(imported)
                queue.append(imported)
        return False

    def _flow(self, graph: Graph, contract: Contract) -> _Flow:
        key = (id(graph), id(contract) if contract.ignore else 0)
        found = self._flows.get(key)
        if found is None:
            found = self._flows[key] = _Flow(graph, contract)
        return found

    def _bits(self, contract: Contract) -> _RoleBits:
        found = self._role_bits.get(id(contract))
        if found is None:
            flow = self._flow(self.head, contract)
            found = _RoleBits(self.head, flow, self._roles_of(contract), contract)
            self._role_bits[id(contract)] = found
        return found

    def _may_complete(self, importer: str, imported: str, contract: Contract) -> bool:
        """False when no role that reaches IMPORTER and no role IMPORTED reaches break CONTRACT
        between them, or the base chained every such pair already: then the edge completes no
        new chain, and the searches below are spared (a pass over the graph per contract, where
        they walk it per edge)."""
        bits = self._bits(contract)
        pairs = bits.pairs(importer, imported)
        if not pairs:
            return False
        base = self._base_bits(contract, bits)
        return any(not base.get(source, 0) >> target & 1 for source, target in pairs)

    def _base_bits(self, contract: Contract, bits: _RoleBits) -> dict[int, int]:
        """Each role's bit -> the roles (as bits) the base's graph chains it to."""
        found = self._base_roles.get(id(contract))
        if found is None:
            if self._base is None:
                self._base = self._base_builder()
            found = bits.by_role(self._flow(self._base, contract), self._base)
            self._base_roles[id(contract)] = found
        return found

    def completed(self, edge: Edge, contract: Contract) -> list[Edge] | None:
        """The shortest chain through EDGE (between modules of the graph) that breaks CONTRACT
        between two roles the base's graph did not chain, where the head without EDGE does
        not chain them either (else another new edge completes it), or None."""
        ends = self._ends(edge)
        if ends is None or not self._may_complete(*ends, contract):
            return None
        chain = self._chain(edge, contract, ends, True)
        if chain is not None:
            self._explained.setdefault(id(contract), []).append(ends)
        return chain

    def _ends(self, edge: Edge) -> tuple[str, str] | None:
        importer = _node(edge.importer.name, self.head.endpoints)
        imported = _node(edge.imported.name, self.head.endpoints)
        if importer is None or imported is None or importer == imported:
            return None
        return importer, imported

    def _chain(
        self,
        edge: Edge,
        contract: Contract,
        ends: tuple[str, str],
        alone: bool,
        wanted: tuple[int, int] | None = None,
    ) -> list[Edge] | None:
        """The shortest chain through EDGE between two roles that break CONTRACT and the base
        did not chain (the pair WANTED, as bits, where given); with ALONE, only where the head
        without EDGE does not chain them."""
        importer, imported = ends
        roles = self._roles_of(contract)
        bits = self._bits(contract)
        base = self._base_bits(contract, bits)
        endpoints = self.head.endpoints
        link = Edge(endpoints[importer], endpoints[imported], 0, 0)
        role_of = {bit: role for role, bit in bits.bit.items()}
        # The pairs of roles to report, found from the bits before the searches walk the graph;
        # with ALONE, not those the head chains without the edge (another new edge completes
        # them).
        pairs = {
            (a, b)
            for a, b in bits.pairs(importer, imported)
            if not base.get(a, 0) >> b & 1
            and (wanted is None or (a, b) == wanted)
            and not (alone and self._chained_without(contract, role_of[a], role_of[b], link))
        }
        if not pairs:
            return None
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
        for role, source in sources.items():
            for other, target in targets.items():
                if (bits.bit[role], bits.bit[other]) not in pairs:
                    continue
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

    def unexplained(
        self, contract: Contract, edges: Sequence[Edge], direct: Sequence[Edge]
    ) -> Iterator[tuple[Edge, list[Edge]]]:
        """Chains that break CONTRACT between two roles the base did not chain, which no
        reported edge lies on (`completed` leaves an edge out when the head chains the roles
        without it, so two new edges that each complete the chain leave it to each other):
        each such pair of roles with the first of EDGES (in order) that completes it, and the
        chain. DIRECT: the new edges that break the contract themselves (reported as such)."""
        if not any(self._may_complete(*e, contract) for e in self._all_ends(edges)):
            return
        bits = self._bits(contract)
        explained: set[tuple[int, int]] = set()
        ends_of = [*self._explained.get(id(contract), []), *self._all_ends(direct)]
        for importer, imported in ends_of:
            explained.update(bits.pairs(importer, imported))
        base = self._base_bits(contract, bits)
        # Pairs the head chains without any of the change's new edges here (through a new
        # import the task allows, say) are not theirs to report.
        cut = set(self._all_ends([*edges, *direct]))
        anyway = bits.by_role_without(self._flow(self.head, contract), self.head, cut)
        for edge in edges:
            ends = self._ends(edge)
            if ends is None:
                continue
            for pair in bits.pairs(*ends):
                a, b = pair
                if pair in explained or (base.get(a, 0) | anyway.get(a, 0)) >> b & 1:
                    continue
                chain = self._chain(edge, contract, ends, False, pair)
                if chain is not None:
                    explained.update(bits.pairs(*ends))
                    yield edge, chain
                    break

    def _all_ends(self, edges: Iterable[Edge]) -> list[tuple[str, str]]:
        return [ends for e in edges if (ends := self._ends(e)) is not None]


def describe(chain: Sequence[Edge], added: Edge) -> str:
    """A chain as hops, each at its file and line; the hop the change adds is marked."""
    hops = []
    for hop in chain:
        same = hop.importer.path == added.importer.path and hop.line == added.line
        mark = ", added" if same else ""
        where = f"{hop.importer.path}:{hop.line}" if hop.importer.path else "?"
        hops.append(f"{hop.importer.name} -> {hop.imported.name} ({where}{mark})")
    return "; ".join(hops)
