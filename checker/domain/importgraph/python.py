"""Python import edges, read with `ast` from a file's full text.

Every form counts: `import a.b`, `from a import b` (the submodule a.b when it is a module of the
tree, else a), relative imports, imports inside functions, try/except and if blocks, and
`importlib.import_module("literal")` / `__import__("literal")`. Imports under
`if TYPE_CHECKING:` are marked type-only. A file that does not parse is read line by line.

A changed file can be read around its changes alone (`parse_around`): the whole top-level
statements that hold them, each parsed on its own. Top-level statements begin at column 0, so
finding them needs only where the strings that span lines lie, which one regular expression
finds in a fraction of the time a whole parse takes."""

from __future__ import annotations

import ast
import bisect
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence

from checker.domain.importgraph.edges import Edge, Endpoint, Parsed
from checker.model.change import Line

_DYNAMIC = ("import_module", "__import__")
_NESTED = ("body", "orelse", "finalbody", "handlers", "cases")
_LONGEST_STATEMENT = 60  # lines a parenthesised import may span when read line by line


def _strings(q: str) -> tuple[str, str, str, str]:
    """Patterns for strings quoted with Q: one-line; a lone quote that opens no string; one
    that goes on past backslash-newlines; triple-quoted (unclosed: to the end)."""
    body = rf"[^{q}\\\n]"
    return (
        rf"{q}(?!{q}{q})(?:{body}|\\[^\n])*{q}",
        rf"{q}(?!{q}{q})(?!(?:{body}|\\.)*{q})",
        rf"{q}(?:{body}|\\.)*{q}",
        rf"{q}{{3}}(?:[^{q}\\]+|\\.?|{q}(?!{q}{q}))*(?:{q}{{3}}|\Z)",
    )


_DOUBLE, _SINGLE = _strings('"'), _strings("'")
# Code up to the next string that spans lines, which group 1 captures, or up to the end.
# Comments, one-line strings and backslash escapes are stepped over, so the quotes inside them
# open nothing; a quote that opens no valid string is stepped over alone. The expression
# matches at every position and never backtracks: linear time on any text. (Runs of characters
# are matched with `+` only where nothing after them can fail: a failure would backtrack
# through every way of splitting the run.)
_NEXT_LONG_STRING = re.compile(
    rf"""(?:[^"'\\#]+|#[^\n]*|{_DOUBLE[0]}|{_SINGLE[0]}|{_DOUBLE[1]}|{_SINGLE[1]}|\\.?)*"""
    rf"(?:({_DOUBLE[3]}|{_SINGLE[3]}|{_DOUBLE[2]}|{_SINGLE[2]})|\Z)",
    re.DOTALL,
)
# Column-0 words that go on with the statement above them instead of starting one.
_GOES_ON = re.compile(r"(?:else|elif|except|finally)\b")


class Layout:
    """Where modules live on one side of a change: source roots (directories holding top-level
    packages, "" for the repository root) and that side's file paths (empty when unknown)."""

    def __init__(self, roots: Iterable[str], paths: frozenset[str]) -> None:
        self.roots = tuple(sorted(set(roots), key=len, reverse=True))
        self.paths = paths
        self._sorted: list[str] | None = None
        self._located: dict[str, str | None] = {}  # a whole package's graph asks the same names

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
        if module in self._located:
            return self._located[module]
        found = self._locate(module)
        self._located[module] = found
        return found

    def _locate(self, module: str) -> str | None:
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
        offset: int = 0,
    ) -> None:
        self.importer = importer
        self.dynamic = dynamic  # the lines (sorted) that mention import_module or __import__
        self.lines = lines  # for a chunk of loose lines: (file line, indentation) of each
        self.offset = offset  # for a range of whole lines: the file lines above it
        self.edges: list[Edge] = []

    def _place(self, line: int, column: int) -> tuple[int, int]:
        if not self.lines:
            return line + self.offset, column + 1
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


def _long_strings(text: str) -> list[tuple[int, int]]:
    """The spans (offsets) of the strings of TEXT that span lines."""
    spans = []
    for found in _NEXT_LONG_STRING.finditer(text):
        start, end = found.span(1)
        if start >= 0 and text.find("\n", start, end) >= 0:
            spans.append((start, end))
    return spans


def string_lines(
    text: str, spans: Iterable[tuple[int, int]] | None = None
) -> list[tuple[int, int]]:
    """The lines (from 1) that begin inside a string of TEXT, as runs: (first, last) each, in
    order. TEXT's lines end at "\n" only. SPANS: its long strings, where already found."""
    runs: list[tuple[int, int]] = []
    line, counted = 1, 0
    for start, end in _long_strings(text) if spans is None else spans:
        line += text.count("\n", counted, start)
        inner = text.count("\n", start, end)
        runs.append((line + 1, line + inner))
        line, counted = line + inner, end
    return runs


# A comment, or a one-line string (triple-quoted first), on one line of code.
_ONE_LINE_TEXT = (
    r"""#[^\n]*|"{3}(?:[^"\\\n]|\\.|"(?!""))*"{3}|'{3}(?:[^'\\\n]|\\.|'(?!''))*'{3}"""
    r"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'"""
)
# Everything on a line but its brackets: comments, one-line strings and other text. A quote
# that opens no valid string is left, and is no bracket.
_NOT_BRACKETS = re.compile(_ONE_LINE_TEXT + r"""|[^()\[\]{}\n"'#]+""")
_ONE_BRACKET = str.maketrans("[{]}", "(())")


def bracket_net(line: str) -> int:
    """The brackets a line of code opens minus those it closes."""
    brackets = _NOT_BRACKETS.sub("", line).translate(_ONE_BRACKET)
    return brackets.count("(") - brackets.count(")")


def inert(line: str) -> bool:
    """A blank or comment line: it holds no import and changes no statement around it."""
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


# A changed line holding one of these may open or close a string that spans lines.
_LONG_STRING_MARKS = ('"""', "'''")


def touched_lines(
    added_lines: Sequence[Line], removed_lines: Sequence[Line]
) -> tuple[list[int], set[int]] | None:
    """Where an edit in place of a Python file touches its head: the ADDED_LINES' numbers, and
    the lines on either side of each removed one (points). None where the edit may change how
    the lines it leaves alone are read: a changed line that may open or close a string spanning
    lines (a triple quote, a closing backslash), or a run of changes that opens or closes
    brackets around them (its brackets do not balance as those it replaced)."""
    for line in (*added_lines, *removed_lines):
        if line.text.endswith("\\") or any(mark in line.text for mark in _LONG_STRING_MARKS):
            return None
    added = [line.number for line in added_lines]
    # The brackets each run of changes opens, added minus removed, by the head line it is at.
    opened: dict[int, int] = {}
    run = 0
    for at, line in enumerate(added_lines):
        if not at or added_lines[at - 1].number != line.number - 1:
            run = line.number
        opened[run] = opened.get(run, 0) + bracket_net(line.text)
    points: set[int] = set()
    for at, line in enumerate(sorted(removed_lines)):
        # Where the removed line was at the head: after the unchanged lines above it, counting
        # the added lines that came in between (a replaced line: at the first added one).
        unchanged = line.number - 1 - at
        head = unchanged + 1
        while (moved := unchanged + 1 + bisect.bisect_left(added, head)) != head:
            head = moved
        opened[head] = opened.get(head, 0) - bracket_net(line.text)
        if not inert(line.text):  # blank and comment lines hold no import, change nothing
            points.update((head - 1, head))
    if any(opened.values()):
        return None
    return added, points


class _Statements:
    """Where the top-level statements of a file begin: on a line that starts at column 0 with
    neither a closing bracket, a comment nor a word that goes on with the statement above
    (else, except, ...), is outside every string and bracket, and does not follow a backslash
    or a decorator. A decorator whose arguments span lines can still end a range too soon; the
    range's parse then fails, and it is widened (`parse_around`)."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = lines
        text = "\n".join(lines)
        spans = _long_strings(text)
        # The text with its long strings emptied (their line breaks kept), as brackets alone.
        pieces: list[str] = []
        last = 0
        for start, end in spans:
            pieces += (text[last:start], "\n" * text.count("\n", start, end))
            last = end
        pieces.append(text[last:])
        brackets = _NOT_BRACKETS.sub("", "".join(pieces)).translate(_ONE_BRACKET)
        # The bracket depth where each line starts.
        nets = (line.count("(") - line.count(")") for line in brackets.split("\n"))
        self._depths = list(itertools.accumulate(nets, initial=0))
        self._strings = string_lines(text, spans)
        self._firsts = [first for first, _ in self._strings]

    def begins(self, index: int) -> bool:
        line = self.lines[index]
        if not line or line[0] in " \t\f#)]}" or _GOES_ON.match(line):
            return False
        if index and (self.lines[index - 1].endswith("\\") or self.lines[index - 1][:1] == "@"):
            return False
        at = bisect.bisect_right(self._firsts, index + 1) - 1
        if at >= 0 and self._strings[at][1] >= index + 1:
            return False
        return self._depths[index] <= 0

    def before(self, index: int) -> int:
        """The beginning at or above line INDEX (the file's first line at the latest)."""
        while index > 0 and not self.begins(index):
            index -= 1
        return max(index, 0)

    def after(self, index: int) -> int:
        """The first beginning below line INDEX, or the end of the file."""
        index += 1
        while index < len(self.lines) and not self.begins(index):
            index += 1
        return min(index, len(self.lines))

    def around(self, added: Iterable[int], points: Iterable[int]) -> list[tuple[int, int]]:
        """The statements that hold the ADDED lines and the POINTS (lines numbered from 1), as
        merged ranges of line indexes [start, end). An added blank or comment line is left out
        unless it follows a backslash (then it ends the statement there)."""
        wanted = set(points)
        for number in added:
            index = number - 1
            blank = 0 <= index < len(self.lines) and inert(self.lines[index])
            if not blank or (index and self.lines[index - 1].endswith("\\")):
                wanted.add(number)
        ranges: list[tuple[int, int]] = []
        for number in sorted(wanted):
            index = min(max(number - 1, 0), len(self.lines) - 1)
            if ranges and index < ranges[-1][1]:
                continue
            ranges.append((self.before(index), self.after(index)))
        return _merged(ranges)


def _merged(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def parse_around(
    path: str,
    text: str,
    layout: Layout,
    added: Iterable[int],
    points: Iterable[int] = (),
) -> list[Edge] | None:
    """The import edges of the top-level statements of TEXT that hold the ADDED lines (as git
    numbers them) and the POINTS (lines beside removed ones); None where they do not parse on
    their own, or where a lone CR makes Python number the lines otherwise (the caller then
    parses the whole file)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None  # a lone CR ends a line for Python, not for git's line numbers
    statements = _Statements(text.split("\n"))
    ranges = statements.around(added, points)
    importer = _Importer(path, layout)
    done: dict[tuple[int, int], list[Edge]] = {}
    budget = len(statements.lines)  # lines parsed in vain before the whole file is parsed
    at = 0
    while at < len(ranges):
        start, end = ranges[at]
        if (start, end) not in done:
            chunk = "\n".join(statements.lines[start:end])
            try:
                tree = ast.parse(chunk, filename=path)
            except (SyntaxError, ValueError):
                budget -= end - start
                last = len(statements.lines)
                wider = (start, statements.after(end)) if end < last else None
                if wider is None or budget < 0:
                    return None
                ranges[at] = wider  # a decorator alone: the range ended too soon
                ranges = _merged(ranges)
                at = 0
                continue
            except (RecursionError, MemoryError):
                return None
            collector = _Collector(importer, _mentioning(chunk, _DYNAMIC), offset=start)
            collector.visit(tree)
            done[(start, end)] = collector.edges
        at += 1
    return [edge for start_end in ranges for edge in done[start_end]]


def spells(text: str, words: Iterable[str]) -> bool:
    """True when TEXT holds one of WORDS, as Python reads identifiers (NFKC folded)."""
    searchable = _searchable(text)
    return any(word in searchable for word in words)


def may_import(path: str, text: str, layout: Layout, modules: Iterable[str]) -> bool:
    """False where no edge of TEXT can import one of MODULES: an import statement spells the
    last part of the module it imports (as Python reads identifiers, NFKC folded), unless it is
    relative and imports the file's own package or one above it. A dynamic import is a string,
    which escapes can spell any way, so a file that makes one may import anything."""
    package = _Importer(path, layout).package
    if any(package == module or package.startswith(module + ".") for module in modules):
        return True
    return spells(text, (*_DYNAMIC, *(module.rpartition(".")[2] for module in modules)))


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
