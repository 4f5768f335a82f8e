"""Python import edges, read with `ast` from a file's full text.

Every form counts: `import a.b`, `from a import b` (the submodule a.b when it is a module of the
tree, else a), relative imports, imports inside functions, try/except and if blocks, and
`importlib.import_module("literal")` / `__import__("literal")`. Imports under
`if TYPE_CHECKING:` are marked type-only. A file that does not parse is read line by line."""

from __future__ import annotations

import ast
import bisect
import unicodedata
from collections.abc import Iterable, Sequence

from checker.imports.edges import Edge, Endpoint, Parsed

_DYNAMIC = ("import_module", "__import__")
_NESTED = ("body", "orelse", "finalbody", "handlers", "cases")
_LONGEST_STATEMENT = 60  # lines a parenthesised import may span when read line by line


class Layout:
    """Where modules live on one side of a change: source roots (directories holding top-level
    packages, "" for the repository root) and that side's file paths (empty when unknown)."""

    def __init__(self, roots: Iterable[str], paths: frozenset[str]) -> None:
        self.roots = tuple(sorted(set(roots), key=len, reverse=True))
        self.paths = paths
        self._sorted: list[str] | None = None

    @property
    def known(self) -> bool:
        return bool(self.paths)

    def module_of(self, path: str) -> str | None:
        """The dotted module a .py file is, under the deepest root that holds it."""
        if not path.endswith(".py"):
            return None
        for root in self.roots:
            if root and not path.startswith(root + "/"):
                continue
            parts = path[len(root) + 1 if root else 0 : -3].split("/")
            if parts[-1] == "__init__":
                parts.pop()
            if parts and all(p.isidentifier() for p in parts):
                return ".".join(parts)
            return None
        return None

    def locate(self, module: str) -> str | None:
        """The file (or namespace folder, ending in "/") of MODULE on this side, if any."""
        relative = module.replace(".", "/")
        for root in self.roots:
            base = f"{root}/{relative}" if root else relative
            for candidate in (base + ".py", base + "/__init__.py"):
                if candidate in self.paths:
                    return candidate
            if self.is_folder(base):
                return base + "/"
        return None

    def is_folder(self, folder: str) -> bool:
        """True when some file lies under FOLDER (a namespace package needs no __init__.py)."""
        if self._sorted is None:
            self._sorted = sorted(self.paths)
        prefix = folder + "/"
        index = bisect.bisect_left(self._sorted, prefix)
        return index < len(self._sorted) and self._sorted[index].startswith(prefix)


class _Importer:
    """The file whose imports are read, and how its names resolve."""

    def __init__(self, path: str, layout: Layout) -> None:
        self.layout = layout
        self.module = layout.module_of(path)
        self.endpoint = Endpoint(self.module or path, self.module, path)
        if self.module is not None:
            is_package = path.endswith("/__init__.py")
            self.package = self.module if is_package else self.module.rpartition(".")[0]
        else:
            self.package = path.rpartition("/")[0].replace("/", ".")

    def target(self, module: str) -> Endpoint:
        return Endpoint(module, module, self.layout.locate(module))

    def relative(self, level: int, module: str | None, anchor: str | None = None) -> str | None:
        """The absolute name of `from .{level}module import`; None above the top package."""
        parts = (self.package if anchor is None else anchor).split(".")
        parts = [p for p in parts if p]
        if level - 1 > len(parts):
            return None
        parts = parts[: len(parts) - (level - 1)]
        if module:
            parts.extend(module.split("."))
        return ".".join(parts) or None

    def submodule(self, package: str, name: str) -> str:
        """`from package import name`: the submodule when the tree has it (or cannot say)."""
        if name == "*":
            return package
        candidate = f"{package}.{name}"
        if not self.layout.known or self.layout.locate(candidate) is not None:
            return candidate
        return package


def importer(path: str, layout: Layout) -> Endpoint:
    """The endpoint the imports of the .py file PATH come from."""
    return _Importer(path, layout).endpoint


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


class _Collector:
    def __init__(
        self,
        importer: _Importer,
        dynamic: Sequence[int],
        lines: Sequence[tuple[int, int]] = (),
    ) -> None:
        self.importer = importer
        self.dynamic = dynamic  # the lines (sorted) that mention import_module or __import__
        self.lines = lines  # for a chunk of loose lines: (file line, indentation) of each
        self.edges: list[Edge] = []

    def _place(self, line: int, column: int) -> tuple[int, int]:
        if not self.lines:
            return line, column + 1
        number, indent = self.lines[min(line, len(self.lines)) - 1]
        return number, column + indent + 1

    def add(
        self, module: str | None, node: ast.stmt | ast.expr, at: ast.AST, type_only: bool
    ) -> None:
        if not module:
            return
        line = getattr(at, "lineno", node.lineno)
        column = node.col_offset if line == node.lineno else getattr(at, "col_offset", 0)
        number, column = self._place(line, column)
        self.edges.append(
            Edge(self.importer.endpoint, self.importer.target(module), number, column, type_only)
        )

    def visit(self, node: ast.AST, type_only: bool = False) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                self.add(alias.name, node, alias, type_only)
            return
        if isinstance(node, ast.ImportFrom):
            base = self.importer.relative(node.level, node.module) if node.level else node.module
            if base is None:
                return
            for alias in node.names:
                self.add(self.importer.submodule(base, alias.name), node, alias, type_only)
            return
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for statement in node.body:
                self.visit(statement, True)
            for statement in node.orelse:
                self.visit(statement, type_only)
            return
        if self.dynamic:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr) and self._mentions(child):
                    for inner in ast.walk(child):
                        if isinstance(inner, ast.Call):
                            self.add(self._dynamic(inner), inner, inner, type_only)
        # Statements nest only through these fields; expressions hold no import statement.
        for field in _NESTED:
            for child in getattr(node, field, ()):
                self.visit(child, type_only)

    def _mentions(self, expression: ast.expr) -> bool:
        """EXPRESSION spans a line that names import_module or __import__: the others hold no
        dynamic import and are not walked."""
        at = bisect.bisect_left(self.dynamic, expression.lineno)
        last = expression.end_lineno or expression.lineno
        return at < len(self.dynamic) and self.dynamic[at] <= last

    def _dynamic(self, call: ast.Call) -> str | None:
        """The module of `importlib.import_module("x")` or `__import__("x")`, when literal."""
        func = call.func
        if isinstance(func, ast.Name):
            name = func.id
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "importlib"
        ):
            name = func.attr
        else:
            return None
        if name not in _DYNAMIC or not call.args:
            return None
        first = call.args[0]
        if not isinstance(first, ast.Constant) or not isinstance(first.value, str):
            return None
        target: str = first.value
        if not target.startswith("."):
            return target or None
        if name == "__import__":
            return None  # __import__ takes its level as a number, not as dots
        anchor = call.args[1] if len(call.args) > 1 else None
        for keyword in call.keywords:
            if keyword.arg == "package":
                anchor = keyword.value
        package: str | None = None
        if isinstance(anchor, ast.Constant) and isinstance(anchor.value, str):
            package = anchor.value
        elif isinstance(anchor, ast.Name) and anchor.id == "__package__":
            package = self.importer.package
        elif isinstance(anchor, ast.Name) and anchor.id == "__name__":
            package = self.importer.module
        if package is None:
            return None
        level = len(target) - len(target.lstrip("."))
        return self.importer.relative(level, target[level:], package)


def _searchable(text: str) -> str:
    """TEXT with identifiers as Python reads them: NFKC folds `ｉmport_module` into
    `import_module`, and never adds or removes a line break."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def _mentioning(text: str, words: Sequence[str]) -> list[int]:
    """The numbers (from 1, sorted) of the lines of TEXT that hold one of WORDS, counted as
    Python counts them (a line ends at LF, CRLF or CR; a word never starts inside a CRLF)."""
    text = _searchable(text)
    offsets = sorted(at for word in words for at in _occurrences(text, word))
    found: list[int] = []
    line, counted = 1, 0
    for offset in offsets:
        line += text.count("\n", counted, offset) + text.count("\r", counted, offset)
        line -= text.count("\r\n", counted, offset)
        counted = offset
        if not found or found[-1] != line:
            found.append(line)
    return found


def _occurrences(text: str, word: str) -> Iterable[int]:
    at = text.find(word)
    while at >= 0:
        yield at
        at = text.find(word, at + len(word))


def parse(path: str, text: str, layout: Layout) -> Parsed:
    """Every import edge of one version of a .py file, in source order."""
    importer = _Importer(path, layout)
    dynamic = _mentioning(text, _DYNAMIC)
    try:
        tree = ast.parse(text, filename=path)
        collector = _Collector(importer, dynamic)
        collector.visit(tree)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        where = getattr(exc, "lineno", None)
        why = getattr(exc, "msg", None) or str(exc) or type(exc).__name__
        reason = f"line {where}: {why}" if where else why
        numbered = list(enumerate(text.splitlines(), start=1))
        return Parsed(read_lines(path, numbered, layout), reason, where)
    return Parsed(collector.edges)


def read_lines(path: str, lines: Sequence[tuple[int, str]], layout: Layout) -> list[Edge]:
    """Import edges from loose lines: the added lines of a patch, or a file that does not
    parse. Each import statement is parsed on its own (a parenthesised one may span lines);
    `if TYPE_CHECKING:` is followed by indentation. Text inside a string that looks like an
    import statement is read as one: the price of having no whole file."""
    importer = _Importer(path, layout)
    edges: list[Edge] = []
    guard: int | None = None  # the indentation of an enclosing `if TYPE_CHECKING:`
    index = 0
    while index < len(lines):
        text = lines[index][1]
        stripped = text.strip()
        index += 1
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(text) - len(text.lstrip())
        if guard is not None and indent <= guard:
            guard = None
        if stripped.startswith("if ") and stripped.endswith(":"):
            try:
                statement = ast.parse(stripped + " pass").body[0]
            except SyntaxError:
                continue
            if isinstance(statement, ast.If) and _is_type_checking(statement.test):
                guard = indent
            continue
        statement_like = stripped.startswith(("import ", "from "))
        if not statement_like and not any(word in _searchable(stripped) for word in _DYNAMIC):
            continue
        span = _LONGEST_STATEMENT if statement_like and "(" in stripped else 1
        chunk: list[str] = []
        places: list[tuple[int, int]] = []
        for offset in range(span):
            position = index - 1 + offset
            if position >= len(lines) or (offset and lines[position][0] != places[-1][0] + 1):
                break
            number, line = lines[position]
            places.append((number, len(line) - len(line.lstrip())))
            chunk.append(line.strip())
            try:
                tree = ast.parse("\n".join(chunk))
            except (SyntaxError, ValueError):
                continue
            collector = _Collector(importer, _mentioning("\n".join(chunk), _DYNAMIC), places)
            collector.visit(tree, guard is not None)
            edges.extend(collector.edges)
            index = position + 1
            break
    return edges
