"""AC401-AC404: import edges the change adds that break a contract.

For each changed source file: the edges of its head version minus those of its base version, so
moved, reordered and pre-existing imports stay silent. With a patch file (no whole files), the
edges of its added lines minus those of its removed lines.

A Python file edited in place is read at the head around its changes only: the top-level
statements that hold a changed line, or border a removed one. Every other statement is the same
text in the same place at both sides, so it holds no new edge. That holds unless the change opens
or closes a string that spans lines, or brackets around lines it leaves alone (either can turn
text into code, or code into other code, far from the change), or adds or removes a module the
file names (`from pkg import name` then imports another module): then the whole file is read.
The base is read only for the head edges that break a contract, and not at all where its text
never names the module they import.

Contracts that forbid indirect imports (import-linter's, or `indirect = true`) also see chains:
a new edge between two modules of a package they name makes the head's graph of those packages
be read (domain/importgraph/chains.py); a change that adds no such edge reads nothing more.
A change that adds a Python module reads, in one batch, the unchanged files the contracts cover,
and parses those that spell the module's name: their `from pkg import name` may now import it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeGuard

from checker.config.policy import Policy
from checker.config.schema import Entries, boolean, strings
from checker.config.task import Task
from checker.domain.importgraph.contracts import Contract, Declared
from checker.domain.importgraph.edges import Edge, Endpoint, language
from checker.model.change import ChangeSet, FileChange
from checker.model.finding import Finding
from checker.model.reader import FileReader

if TYPE_CHECKING:
    from checker.domain.importgraph.chains import Raw
    from checker.domain.importgraph.sides import Side

CODES = ("AC401", "AC402", "AC403", "AC404")
CONTRACT_SOURCES = ("importlinter", "tach")


def _contracts_from(value: Any) -> tuple[str, ...]:
    names = (value,) if isinstance(value, str) else strings(value)
    for name in names:
        if name not in ("importlinter", "tach", "none"):
            raise ValueError(
                f'{name!r} is not a source of contracts: use "importlinter", "tach" or "none"'
            )
    return names


# The contract modules load when a policy has [imports] keys to validate; a policy without
# them (every commit of a repository that has no contracts) never needs them.
def _import_roots(value: Any) -> tuple[str, ...]:
    from checker.domain.importgraph import settings

    return settings.roots(value)


def _import_contract(entry: dict[str, Any]) -> dict[str, Any]:
    from checker.domain.importgraph import settings

    return settings.check_contract(entry)


SCHEMA: dict[str, Any] = {
    "imports": {
        "roots": _import_roots,
        "contracts-from": _contracts_from,
        "type-checking-imports": boolean,
        "contracts": Entries(_import_contract),
    }
}


@dataclasses.dataclass(frozen=True)
class Settings:
    roots: tuple[str, ...] | None  # None: found from the tree and the contracts
    contracts_from: tuple[str, ...]  # which configuration files to read contracts from
    type_checking_imports: bool
    contracts: tuple[dict[str, Any], ...]  # the policy's own [[imports.contracts]]
    policy_label: str  # the policy file, as a contract's source in messages


def settings(policy: Policy) -> Settings:
    table = policy.table("imports")
    return Settings(
        roots=table.get("roots"),
        contracts_from=tuple(table.get("contracts-from", CONTRACT_SOURCES)),
        type_checking_imports=bool(table.get("type-checking-imports", False)),
        contracts=tuple(table.get("contracts", ())),
        policy_label=policy.label,
    )


def _candidates(change: ChangeSet) -> list[FileChange]:
    return [
        f
        for f in change.files
        if f.status != "deleted"
        and language(f.path) is not None
        and not f.binary
        and not f.is_symlink
        and not f.is_submodule
    ]


def _first(edges: Sequence[Edge], added: set[int]) -> dict[tuple[str, str], Edge]:
    """One edge per key: where an added line writes it, else where it first appears."""
    chosen: dict[tuple[str, str], Edge] = {}
    for edge in edges:
        held = chosen.get(edge.key)
        if held is None or (held.line not in added and edge.line in added):
            chosen[edge.key] = edge
    return chosen


def check(
    change: ChangeSet, settings: Settings, task: Task | None, reader: FileReader
) -> Iterator[Finding]:
    files = _candidates(change)
    if not files:
        return
    from checker.domain.importgraph import sources
    from checker.domain.importgraph.patterns import compile_edge, is_path
    from checker.domain.importgraph.python import spells, touched_lines
    from checker.domain.importgraph.sides import Side, Versions, detect_roots

    versions = Versions(change, reader)
    contracts, declared = sources.gather(
        settings.contracts, settings.policy_label, settings.contracts_from, versions.trusted
    )
    if not contracts:
        return
    roots = settings.roots
    if roots is None:
        named = [p for d in declared for p in d.packages]
        named += [n.split(".")[0] for c in contracts for n in c.names() if not is_path(n)]
        paths = versions.head_paths or versions.base_paths
        roots = (*detect_roots(paths, named), *(r for d in declared for r in d.roots))
    allowed = [compile_edge(e) for e in task.allow_imports] if task is not None else []
    type_only = settings.type_checking_imports
    head, base = Side(versions, True, roots), Side(versions, False, roots)
    python_words: set[str] | None = None  # read when a file edited in place first needs them
    indirect = [c for c in contracts if c.indirect]
    packages = _packages(indirect, declared)
    pending: list[tuple[FileChange, Edge]] = []  # new edges between modules of those packages
    for file in files:
        importer = head.importer(file.path)
        if (
            importer is not None
            and not any(c.constrains(importer) for c in contracts)
            and not (indirect and _within(importer, packages))
        ):
            continue  # no contract covers the file: none of its imports can break one
        added = {line.number for line in file.added}
        precise = True  # the head's edges read by the parser (not line by line)
        if not versions.whole_files:
            # A patch: no whole files, so the added lines against the removed ones.
            new_edges = head.read_lines(file.path, [(n.number, n.text) for n in file.added])
        else:
            text = head.read(file.path)
            if text is None:
                continue
            edited = file.status == "modified" and language(file.path) == "python"
            touched = touched_lines(file.added, file.removed) if edited else None
            if touched is not None and python_words is None:
                python_words = _module_words(change, head, base)
            if touched is not None and python_words and spells(text, python_words):
                touched = None  # the change adds or removes a module this file may name
            around = None if touched is None else head.parse_around(file.path, text, *touched)
            if around is not None:
                new_edges = around
            else:
                parsed = head.parse(file.path, text)
                new_edges = parsed.edges
                precise = parsed.error is None
                if parsed.error is not None:
                    yield Finding(
                        "AC404",
                        f"{file.path} does not parse ({parsed.error}); its imports were read "
                        "line by line, so some may be missed",
                        file.path,
                        parsed.error_line or file.first_line,
                        1,
                    )
        if not type_only:
            new_edges = [e for e in new_edges if not e.type_only]
        # The head's edges that would break a contract; only they need the base version (most
        # changed files have none, and their base is never read or parsed).
        breaking: list[tuple[Edge, list[Contract]]] = []
        inside: list[Edge] = []
        for edge in _first(new_edges, added).values():
            if any(pattern.matches(edge) for pattern in allowed):
                continue
            broken = [contract for contract in contracts if contract.broken_by(edge)]
            if broken:
                breaking.append((edge, broken))
            if indirect and _within(edge.importer, packages) and _within(edge.imported, packages):
                inside.append(edge)
        if not breaking and not inside:
            continue
        imported = {edge.imported.name for edge, _ in breaking} | {e.imported.name for e in inside}
        old_edges = _base_edges(file, base, versions.whole_files, imported, precise)
        if not type_only:
            old_edges = [e for e in old_edges if not e.type_only]
        known = {e.key for e in old_edges}
        pending.extend((file, edge) for edge in inside if edge.key not in known)
        for edge, broken in sorted(breaking, key=lambda item: (item[0].line, item[0].column)):
            if edge.key in known:
                continue
            for contract in broken:
                if not _broken_before(edge, contract, old_edges):
                    yield Finding(
                        contract.code,
                        f"new import {edge} breaks contract '{contract.name}' ({contract.source})",
                        file.path,
                        edge.line,
                        edge.column,
                    )
    if versions.whole_files:
        for path, edge in _resolved_anew(change, head, base, contracts, packages, type_only):
            if any(pattern.matches(edge) for pattern in allowed):
                continue
            for contract in contracts:
                if contract.broken_by(edge):
                    yield Finding(
                        contract.code,
                        f"new import {edge} breaks contract '{contract.name}' ({contract.source}): "
                        f"the change adds {edge.imported.name}, which this unchanged line now "
                        "imports",
                        path,
                        edge.line,
                        edge.column,
                    )
            if indirect and _within(edge.importer, packages) and _within(edge.imported, packages):
                pending.append((FileChange(path, path, "modified"), edge))
    if pending and versions.whole_files:
        yield from _chains(pending, indirect, packages, change, head, base, type_only)


def _resolved_anew(
    change: ChangeSet,
    head: Side,
    base: Side,
    contracts: Sequence[Contract],
    packages: frozenset[str] | None,
    type_only: bool,
) -> list[tuple[str, Edge]]:
    """Edges of files the change leaves alone that import a module the change adds: an
    unchanged `from pkg import name` imports pkg.name once the change adds it (pkg before).
    Read only when the change adds a Python module: the files of the packages the contracts
    cover, in one batch, and parsed only where they spell the new module's name."""
    from checker.domain.importgraph.python import spells

    added: set[str] = set()
    for file in change.files:
        if file.status in ("added", "renamed", "copied") and language(file.path) == "python":
            module = head.python.module_of(file.path)
            if module is not None and base.python.locate(module) is None:
                added.add(module)
    if not added:
        return []
    words = {module.rpartition(".")[2] for module in added}
    changed = {f.path for f in change.files}
    candidates = []
    for path in head.paths:
        if path in changed or language(path) != "python":
            continue
        importer = head.importer(path)
        if importer is None:
            continue
        if any(c.constrains(importer) for c in contracts) or (
            any(c.indirect for c in contracts) and _within(importer, packages)
        ):
            candidates.append(path)
    found = []
    for path, text in head.read_many(sorted(candidates)).items():
        if text is None or not spells(text, words):
            continue
        for edge in head.parse(path, text).edges:
            if edge.imported.name in added and (type_only or not edge.type_only):
                found.append((path, edge))
    return found


def _packages(contracts: Sequence[Contract], declared: Sequence[Declared]) -> frozenset[str] | None:
    """The packages whose graph the CONTRACTS' chains run through: the top-level packages they
    name, and every root package of a configuration file that declares one of them (a chain
    between two of import-linter's layers may pass through any of its root packages); None
    where a name's first part is a glob."""
    from checker.domain.importgraph.patterns import is_path

    found: set[str] = set()
    ids = {id(contract) for contract in contracts}
    for source in declared:
        if any(id(contract) in ids for contract in source.contracts):
            found.update(source.packages)
    for contract in contracts:
        for name in contract.names():
            if is_path(name):
                return None
            top = name.split(".")[0]
            if "*" in top:
                return None
            found.add(top)
    return frozenset(found)


def _within(endpoint: Endpoint, packages: frozenset[str] | None) -> bool:
    module = endpoint.module
    if module is None:
        return False
    return packages is None or module.split(".")[0] in packages


def _chains(
    pending: list[tuple[FileChange, Edge]],
    contracts: Sequence[Contract],
    packages: frozenset[str] | None,
    change: ChangeSet,
    head: Side,
    base: Side,
    type_only: bool,
) -> Iterator[Finding]:
    """Findings for the new edges that complete a chain breaking a contract that forbids
    indirect imports; the direct breaks were reported already."""
    from checker.domain.importgraph import chains

    def modules(side: Side) -> list[tuple[str, str]]:
        found = []
        for path in side.paths:
            if path.endswith(".py"):
                module = side.python.module_of(path)
                if module is not None and (packages is None or module.split(".")[0] in packages):
                    found.append((path, module))
        return found

    files = modules(head)
    graph = chains.build(files, type_only, _raw_edges(head, files))

    def base_graph() -> chains.Graph:
        # The head's graph, with the changed files' edges read at the base.
        changed = {f.path for f in change.files} | {f.old_path for f in change.files}
        everything = modules(base)
        files = [(p, m) for p, m in everything if p in changed]

        fresh = chains.build(files, type_only, _raw_edges(base, files), everything)
        # An unchanged file's edge to a module the change adds was no edge at the base.
        return graph.merged(fresh, changed)

    def finding(file: FileChange, edge: Edge, contract: Contract, chain: list[Edge]) -> Finding:
        return Finding(
            contract.code,
            f"new import {edge} completes a chain that breaks contract "
            f"'{contract.name}' ({contract.source}): {chains.describe(chain, edge)}",
            file.path,
            edge.line,
            edge.column,
        )

    finder = chains.Chains(graph, base_graph)
    ordered = sorted(pending, key=lambda item: (item[0].path, item[1].line))
    for file, edge in ordered:
        for contract in contracts:
            if contract.broken_by(edge) or any(p.matches(edge) for p in contract.ignore):
                continue  # a direct break is reported as one; an ignored import breaks nothing
            chain = finder.completed(edge, contract)
            if chain is not None:
                yield finding(file, edge, contract, chain)
    files_of = {id(edge): file for file, edge in ordered}
    for contract in contracts:
        direct = [e for _, e in ordered if contract.broken_by(e)]
        rest = [
            e
            for _, e in ordered
            if not contract.violates(e) and not any(p.matches(e) for p in contract.ignore)
        ]
        for edge, chain in finder.unexplained(contract, rest, direct):
            yield finding(files_of[id(edge)], edge, contract, chain)


def _raw_edges(
    side: Side, files: Sequence[tuple[str, str]]
) -> Callable[[str, str], Sequence[Raw] | None]:
    """Each (path, module) file's raw edges on SIDE: kept in the memo by blob id where an
    earlier run read the same blob as the same module, else read (in one batch) and scanned,
    and added to the memo."""
    from checker.domain.importgraph import chains

    memo = side.memo
    ids = side.blob_ids([path for path, _ in files]) if memo is not None else {}
    found: dict[str, Sequence[Raw]] = {}
    unread: list[tuple[str, str | None]] = []
    for path, module in files:
        blob = ids.get(path)
        key = f"{blob} {module} {path}" if blob is not None else None
        kept = memo.get(key) if memo is not None and key is not None else None
        if _raw(kept):
            found[path] = kept
        else:
            unread.append((path, key))
    texts = side.read_many([path for path, _ in unread])
    for path, key in unread:
        text = texts.get(path)
        if text is None:
            continue
        raw = chains.raw_edges(path, text, side.python.roots)
        found[path] = raw
        if memo is not None and key is not None:
            memo.put(key, raw)
    return lambda path, module: found.get(path)


def _raw(value: Any) -> TypeGuard[list[Raw]]:
    """VALUE has the shape of a file's raw edges (a memo on disk may hold anything)."""
    if type(value) is not list:
        return False
    for edge in value:
        if type(edge) is not list or len(edge) != 4:
            return False
        name, line, column, type_only = edge
        if type(name) is not str or type(line) is not int or type(column) is not int:
            return False
        if type(type_only) is not bool:
            return False
    return True


def _module_words(change: ChangeSet, head: Side, base: Side) -> set[str]:
    """The names of the Python modules and packages the change adds or removes. An unchanged
    `from pkg import name` imports pkg.name once the change adds it (pkg before), so a file that
    spells one of them is read whole."""
    words: set[str] = set()
    for file in change.files:
        # Each path, with the side to look for its folders at: new ones are not at the base.
        if file.status in ("added", "copied"):
            sides = [(file.path, base)]
        elif file.status == "deleted":
            sides = [(file.path, head)]
        elif file.status == "renamed":
            sides = [(file.path, base), (file.old_path, head)]
        else:
            continue
        for path, other in sides:
            if language(path) != "python":
                continue
            stem = path[: -len("/__init__.py")] if path.endswith("/__init__.py") else path[:-3]
            words.add(stem.rpartition("/")[2])
            folder = stem.rpartition("/")[0]
            while folder and not other.python.is_folder(folder):  # a new (or gone) package
                words.add(folder.rpartition("/")[2])
                folder = folder.rpartition("/")[0]
    return words


def _base_edges(
    file: FileChange, base: Side, whole_files: bool, imported: set[str], precise: bool
) -> list[Edge]:
    """The edges of FILE's base version that could match head edges to the IMPORTED modules:
    its removed lines for a patch, else the whole file, unless its text cannot name them.
    Where the head's edges were PRECISE (parsed, not read line by line), a Python file's are
    read by its import statements alone (chains.scan: what a whole parse finds, in a fraction
    of the time, and statement by statement where the file does not parse)."""
    if not whole_files:
        return base.read_lines(file.old_path, [(n.number, n.text) for n in file.removed])
    if file.status == "added" or language(file.old_path) is None:
        return []
    old_text = base.read(file.old_path)
    if old_text is None or not base.may_import(file.old_path, old_text, imported):
        return []
    if precise and language(file.old_path) == "python":
        from checker.domain.importgraph.chains import scan

        return scan(file.old_path, old_text, base.python)
    return base.parse(file.old_path, old_text).edges


def _broken_before(edge: Edge, contract: Contract, old_edges: Sequence[Edge]) -> bool:
    """True when the file's base version broke CONTRACT importing the same module: a moved file
    keeps its old violations without adding one."""
    return any(
        old.imported.name == edge.imported.name and contract.broken_by(old) for old in old_edges
    )
