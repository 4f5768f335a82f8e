"""What test code looks like, per framework and language (rules/testfiles.toml): which files are
tests, which lines define tests, assert, or disable and focus them; and, for Python, how many
assertions each test function makes."""

from __future__ import annotations

import ast
import functools
import posixpath
import re
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from checker.config import catalog
from checker.config.globs import Globs, joined
from checker.model.change import FileChange


class Language(NamedTuple):
    name: str
    lexer: str
    tests: re.Pattern[str] | None  # a test definition
    assertions: re.Pattern[str] | None
    disable: re.Pattern[str] | None
    focus: re.Pattern[str] | None
    inline_tests: bool  # tests live beside the code (Rust), so markers count in every file


@functools.cache
def _extensions() -> dict[str, str]:
    """Extension (without the dot) -> language name."""
    return {
        extension: name
        for name, entry in catalog.table("testfiles")["languages"].items()
        for extension in entry["extensions"]
    }


@functools.cache
def _language(name: str) -> Language:
    """One language, its expressions compiled when a changed file first needs them."""
    entry = catalog.table("testfiles")["languages"][name]
    return Language(
        name,
        entry["lexer"],
        joined(entry.get("tests", [])),
        joined(entry.get("assertions", [])),
        joined(entry.get("disable", [])),
        joined(entry.get("focus", [])),
        bool(entry.get("inline-tests", False)),
    )


@functools.cache
def _frameworks() -> tuple[tuple[str, Globs], ...]:
    return tuple(
        (name, Globs(entry["files"], checked=True))
        for name, entry in catalog.table("testfiles")["frameworks"].items()
    )


@functools.cache
def _support() -> Globs:
    return Globs(catalog.table("testfiles")["support"]["files"], checked=True)


def language_of(path: str) -> Language | None:
    _, dot, extension = posixpath.basename(path).rpartition(".")
    name = _extensions().get(extension.lower()) if dot else None
    return _language(name) if name is not None else None


def framework_of(path: str) -> str | None:
    """The first framework whose naming convention PATH follows."""
    for name, globs in _frameworks():
        if globs.match(path):
            return name
    return None


def is_test_file(path: str) -> bool:
    return framework_of(path) is not None


def is_test_support(path: str) -> bool:
    """Test folders, fixtures and conftest files: test code that is not a test file itself."""
    return _support().match(path)


_NOT_NEWLINE = re.compile(r"[^\n]")


def _within(token: tuple[str, ...], parent: tuple[str, ...]) -> bool:
    """Pygments token types are tuples of names: String.Double starts with String."""
    return token[: len(parent)] == parent


@functools.lru_cache(maxsize=64)
def code_lines(text: str, language: Language) -> list[str]:
    """TEXT's lines with comments and strings blanked (same length, same line count), so a
    marker inside a comment or a test name never counts."""
    from pygments.lexers import get_lexer_by_name
    from pygments.token import Comment, String
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language.lexer, stripnl=False, stripall=False, ensurenl=False)
    except ClassNotFound:
        return text.replace("\r\n", "\n").split("\n")
    out: list[str] = []
    blanked: dict[Any, bool] = {}
    for token, value in lexer.get_tokens(text):
        blank = blanked.get(token)
        if blank is None:
            # Rust attributes and C# pragmas are Comment.Preproc: code, not commentary.
            blank = (_within(token, String) or _within(token, Comment)) and not _within(
                token, Comment.Preproc
            )
            blanked[token] = blank
        out.append(_NOT_NEWLINE.sub(" ", value) if blank else value)
    return "".join(out).split("\n")


def count(pattern: re.Pattern[str] | None, lines: list[str]) -> int:
    if pattern is None:
        return 0
    return sum(len(pattern.findall(line)) for line in lines)


def head_line(file: FileChange, base_line: int, head_total: int | None = None) -> int:
    """Where a removed base-side line sat at head: the line that took its place, else the line
    below the gap, else (at the end of the file, or when the head's length is unknown) the line
    above it."""
    removed_before = sum(1 for line in file.removed if line.number < base_line)
    unchanged_before = base_line - 1 - removed_before
    added = {line.number for line in file.added}
    head = 0
    seen = 0
    while seen < unchanged_before:
        head += 1
        if head not in added:
            seen += 1
    below = head + 1
    if below in added or (head_total is not None and below <= head_total):
        return below
    return max(head, 1)


class SideCode(NamedTuple):
    """The code of the changed lines on one side, comments and strings blanked."""

    numbers: list[int]
    lines: list[str]


def changed_code(
    file: FileChange, language: Language, base_text: str | None, head_text: str | None
) -> tuple[SideCode, SideCode]:
    """The removed and added lines' code, lexed in the whole file where its text is known
    (so a line inside a multi-line string is seen as string), else line by line."""

    def side(lines: tuple[tuple[int, str], ...], text: str | None) -> SideCode:
        numbers = [number for number, _ in lines]
        if text is not None:
            whole = code_lines(text, language)
            code = [whole[n - 1] if 0 < n <= len(whole) else "" for n in numbers]
        else:
            code = [code_lines(line, language)[0] for _, line in lines]
        return SideCode(numbers, code)

    return side(file.removed, base_text), side(file.added, head_text)


# Python, by ast: assertions per test function, helpers included.

_RAISES = {"raises", "warns", "deprecated_call"}
_ASSERT_NAMED = re.compile(r"^(assert|check|verify|expect|ensure|validate)")


class PythonTest(NamedTuple):
    line: int  # the def line
    assertions: int
    cases: int = 1  # the cases of its literal @pytest.mark.parametrize lists


Resolver = Callable[[str, int, str], "str | None"]  # (module, level, from path) -> source


class _Module:
    """One parsed Python file: its functions, its classes' methods, its imports."""

    def __init__(self, tree: ast.Module, path: str, resolve: Resolver | None, depth: int):
        self.path = path
        self.resolve = resolve
        self.depth = depth
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self.classes: dict[str, ast.ClassDef] = {}
        self.imports: dict[str, tuple[str, int, str]] = {}  # alias -> (module, level, name)
        self.pytest_names: set[str] = set()  # names imported from pytest: raises, warns
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[node.name] = node
            elif isinstance(node, ast.ClassDef):
                self.classes[node.name] = node
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    local = alias.asname or alias.name
                    if node.module == "pytest" and alias.name in _RAISES:
                        self.pytest_names.add(local)
                    else:
                        self.imports[local] = (node.module or "", node.level, alias.name)
        self._memo: dict[tuple[str, str], int] = {}
        self._others: dict[tuple[str, int], _Module | None] = {}

    def methods(self, cls: ast.ClassDef) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
        return {
            n.name: n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        }

    def tests(self) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef, str]]:
        for name, node in self.functions.items():
            if name.startswith("test"):
                yield name, node, ""
        for cls_name, cls in self.classes.items():
            bases = [ast.unparse(b).rsplit(".", 1)[-1] for b in cls.bases]
            if cls_name.startswith("Test") or any(b.endswith("TestCase") for b in bases):
                for name, node in self.methods(cls).items():
                    if name.startswith("test"):
                        yield f"{cls_name}.{name}", node, cls_name

    def _imported(self, alias: str) -> tuple[_Module, str] | None:
        if alias not in self.imports or self.resolve is None or self.depth > 0:
            return None
        module, level, name = self.imports[alias]
        key = (module, level)
        if key not in self._others:
            source = self.resolve(module, level, self.path)
            other = None
            if source is not None:
                try:
                    other = _Module(ast.parse(source), module, None, self.depth + 1)
                except (SyntaxError, ValueError):
                    other = None
            self._others[key] = other
        found = self._others[key]
        return (found, name) if found is not None and name in found.functions else None

    def function_count(self, name: str, cls: str, stack: frozenset[str]) -> int | None:
        """Assertions of the helper NAME (a method of CLS, else a module function, else an
        imported one); None when it cannot be found."""
        key = (cls, name)
        if key in self._memo:
            return self._memo[key]
        node = None
        if cls and cls in self.classes:
            node = self.methods(self.classes[cls]).get(name)
        if node is None and not cls:
            node = self.functions.get(name)
        if node is None:
            if not cls:
                imported = self._imported(name)
                if imported is not None:
                    other, real = imported
                    return other.function_count(real, "", frozenset())
            return None
        marker = f"{cls}.{name}"
        if marker in stack:
            return 0
        result = self.body_count(node, cls, stack | {marker}, helper=True)
        self._memo[key] = result
        return result

    def body_count(
        self,
        func: ast.FunctionDef | ast.AsyncFunctionDef,
        cls: str,
        stack: frozenset[str],
        helper: bool = False,
    ) -> int:
        total = 0
        body = func.body
        if helper and _returns_value(func):
            # A helper that builds or fetches something: its leading asserts check its own
            # inputs (preconditions), not the code under test.
            start = 0
            while start < len(body) and isinstance(body[start], ast.Assert):
                start += 1
            if start < len(body):
                body = body[start:]
        for statement in body:
            for node in ast.walk(statement):
                total += self._node_count(node, cls, stack)
            if isinstance(statement, (ast.Return, ast.Raise)):
                break  # what follows never runs
        return total

    def _node_count(self, node: ast.AST, cls: str, stack: frozenset[str]) -> int:
        if isinstance(node, ast.Assert):
            return 0 if isinstance(node.test, ast.Constant) and node.test.value else 1
        if not isinstance(node, ast.Call):
            return 0
        func = node.func
        if isinstance(func, ast.Attribute):
            owner = func.value.id if isinstance(func.value, ast.Name) else None
            if owner == "pytest" and func.attr in _RAISES:
                return 1
            if func.attr.startswith("assert"):
                return 0 if _constant_truth(node) else 1
            if owner in ("self", "cls") and cls:
                found = self.function_count(func.attr, cls, stack)
                if found is not None:
                    return found
                return 1 if func.attr == "fail" else 0
            return 0
        if isinstance(func, ast.Name):
            if func.id in self.pytest_names:
                return 1
            found = self.function_count(func.id, "", stack)
            if found is not None:
                return found
            return 1 if _ASSERT_NAMED.match(func.id) else 0
        return 0


def _returns_value(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(
        isinstance(node, (ast.Return, ast.Yield, ast.YieldFrom))
        and getattr(node, "value", None) is not None
        for statement in func.body
        for node in ast.walk(statement)
    )


def _cases(func: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """How many cases the test's literal parametrize lists make (1 without any)."""
    total = 1
    for decorator in func.decorator_list:
        if not isinstance(decorator, ast.Call) or len(decorator.args) < 2:
            continue
        name = ast.unparse(decorator.func)
        if not name.endswith("parametrize"):
            continue
        values = decorator.args[1]
        if isinstance(values, (ast.List, ast.Tuple)):
            total *= max(1, len(values.elts))
    return total


def _constant_truth(call: ast.Call) -> bool:
    """self.assertTrue(True) and the like: an assertion that cannot fail."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else ""
    return (
        name in ("assertTrue", "assert_", "failIf")
        and len(call.args) >= 1
        and isinstance(call.args[0], ast.Constant)
        and bool(call.args[0].value)
    )


def python_tests(source: str, path: str, resolve: Resolver | None) -> dict[str, PythonTest] | None:
    """Test name ("test_x" or "TestClass.test_x") -> its def line and assertion count; None when
    the source does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    module = _Module(tree, path, resolve, 0)
    found: dict[str, PythonTest] = {}
    for name, node, cls in module.tests():
        found[name] = PythonTest(
            node.lineno, module.body_count(node, cls, frozenset({name})), _cases(node)
        )
    return found


def marker_target(source: str, line: int) -> tuple[str, bool] | None:
    """What a disabling marker on LINE of a Python file applies to: ("test name", True) for a
    test whose decorators or body hold the line; ("", False) for a module-level assignment
    other than `pytestmark` (a marker kept in a variable disables nothing until used); None
    when that cannot be told or the source does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    module = _Module(tree, "", None, 0)
    for name, node, _ in module.tests():
        first = min([d.lineno for d in node.decorator_list] + [node.lineno])
        if first <= line <= (node.end_lineno or node.lineno):
            return name, True
    for statement in tree.body:
        if not isinstance(statement, (ast.Assign, ast.AnnAssign)):
            continue
        if not statement.lineno <= line <= (statement.end_lineno or statement.lineno):
            continue
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        if all(isinstance(t, ast.Name) and t.id != "pytestmark" for t in targets):
            return "", False
    return None


def returning_first(source: str) -> dict[str, int] | None:
    """Tests whose body (after a docstring) starts with `return`: the test passes without
    running anything. Name -> line of the return; None when the source does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    found: dict[str, int] = {}
    for name, node, _ in _Module(tree, "", None, 0).tests():
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the docstring
        if body and isinstance(body[0], ast.Return) and len(body) > 1:
            found[name] = body[0].lineno
    return found


class RunnerConfig(NamedTuple):
    what: str  # "pytest options"
    files: Globs
    sections: re.Pattern[str] | None
    options: re.Pattern[str]


@functools.cache
def runner_configs() -> tuple[RunnerConfig, ...]:
    """Where a runner's configuration can leave tests out (rules/testfiles.toml)."""
    found = []
    for entry in catalog.table("testfiles")["runner-config"]:
        options = joined(entry["options"])
        assert options is not None
        found.append(
            RunnerConfig(
                entry["what"],
                Globs(entry["files"], checked=True),
                joined(entry["sections"]),
                options,
            )
        )
    return tuple(found)


def module_candidates(module: str, level: int, from_path: str) -> list[str]:
    """The repository paths a `from MODULE import x` in FROM_PATH may mean."""
    parts = module.split(".") if module else []
    if level:
        folder = posixpath.dirname(from_path)
        for _ in range(level - 1):
            folder = posixpath.dirname(folder)
        roots = [folder]
    else:
        roots = [""]
        folder = posixpath.dirname(from_path)
        while folder:  # `rootdir`-relative imports of test helpers: tests/helpers.py
            roots.append(folder)
            folder = posixpath.dirname(folder)
        roots.append("src")
    found: list[str] = []
    for root in roots:
        base = posixpath.join(root, *parts) if parts else root
        if not base:
            continue
        found.extend((f"{base}.py", posixpath.join(base, "__init__.py")))
    return found


# Assertion strength, for AC704: one assertion line read as what it compares and how strictly.


class Shape(NamedTuple):
    kind: str  # "equal", "member", "truthy", "not-none", "raises", "raises-match", "close"
    subjects: frozenset[str]  # the expressions it is about, as written (normalised)
    tolerance: float | None = None  # for "close": the abs/rel/places it allows


_EQUAL_METHODS = {
    "assertEqual", "assertEquals", "assertListEqual", "assertDictEqual", "assertTupleEqual",
    "assertSetEqual", "assertSequenceEqual", "assertMultiLineEqual", "assertIs", "assertCountEqual",
}  # fmt: skip
_JS_EXPECT = re.compile(
    r"\bexpect\s*\((?P<subject>[^()]*(?:\([^()]*\)[^()]*)*)\)\s*\.(?P<not>not\s*\.\s*)?"
    r"(?P<matcher>\w+)\s*\("
)
_JS_STRONG = {"toBe", "toEqual", "toStrictEqual", "toMatchObject", "toHaveLength", "toThrow"}
_JS_WEAK = {
    "toBeDefined": "truthy", "toBeTruthy": "truthy", "toContain": "member",
    "toBeNull": "not-none", "toBeUndefined": "not-none", "toBeFalsy": "not-none",
}  # fmt: skip


def _parse_line(line: str) -> ast.stmt | None:
    text = line.strip()
    if text.endswith(":"):
        text += " pass"
    try:
        body = ast.parse(text).body
    except (SyntaxError, ValueError):
        return None
    return body[0] if len(body) == 1 else None


def _number(node: ast.expr | None) -> float | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    return None


def _python_shape(line: str) -> Shape | None:
    statement = _parse_line(line)
    if isinstance(statement, ast.Assert):
        test = statement.test
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            left, right, op = test.left, test.comparators[0], test.ops[0]
            sides = frozenset({ast.unparse(left), ast.unparse(right)})
            if isinstance(op, (ast.Eq, ast.Is)):
                for side in (left, right):  # `x == pytest.approx(v, abs=t)`
                    close = _approx(side)
                    if close is not None:
                        other = right if side is left else left
                        return Shape("close", frozenset({ast.unparse(other)}), close)
                return Shape("equal", sides)
            if isinstance(op, ast.In):
                return Shape("member", sides)
            if isinstance(op, (ast.IsNot, ast.NotEq)) and ast.unparse(right) == "None":
                return Shape("not-none", frozenset({ast.unparse(left)}))
            return None
        if isinstance(test, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)):
            return Shape("truthy", frozenset({ast.unparse(test)}))
        return None
    call = None
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        call = statement.value
    if isinstance(statement, (ast.With, ast.AsyncWith)) and statement.items:
        context = statement.items[0].context_expr
        if isinstance(context, ast.Call) and ast.unparse(context.func).endswith("raises"):
            if not context.args:
                return None
            kind = "raises-match" if any(k.arg == "match" for k in context.keywords) else "raises"
            return Shape(kind, frozenset({ast.unparse(context.args[0])}))
        return None
    if call is None or not isinstance(call.func, ast.Attribute):
        return None
    name, args = call.func.attr, [ast.unparse(a) for a in call.args]
    if name in _EQUAL_METHODS and len(args) >= 2:
        return Shape("equal", frozenset(args[:2]))
    if name == "assertIn" and len(args) >= 2:
        return Shape("member", frozenset(args[:2]))
    if name == "assertTrue" and args:
        return Shape("truthy", frozenset(args[:1]))
    if name == "assertIsNotNone" and args:
        return Shape("not-none", frozenset(args[:1]))
    if name == "assertAlmostEqual" and len(args) >= 2:
        keywords = {k.arg: _number(k.value) for k in call.keywords}
        delta, places = keywords.get("delta"), keywords.get("places")
        tolerance = delta if delta is not None else 10.0 ** -(places if places is not None else 7)
        return Shape("close", frozenset(args[:2]), tolerance)
    return None


def _approx(node: ast.expr) -> float | None:
    if not isinstance(node, ast.Call) or not ast.unparse(node.func).endswith("approx"):
        return None
    for keyword in node.keywords:
        if keyword.arg in ("abs", "rel"):
            return _number(keyword.value)
    return None


def _js_shape(line: str) -> Shape | None:
    match = _JS_EXPECT.search(line)
    if match is None:
        return None
    subject = frozenset({" ".join(match.group("subject").split())})
    matcher, negated = match.group("matcher"), bool(match.group("not"))
    if matcher in _JS_STRONG and not negated:
        return Shape("equal", subject)
    if matcher in ("toBeNull", "toBeUndefined", "toBeFalsy") and negated:
        return Shape("not-none", subject)
    if matcher in ("toBeDefined", "toBeTruthy", "toContain") and not negated:
        return Shape(_JS_WEAK[matcher], subject)
    return None


def assertion_shape(language: Language, line: str) -> Shape | None:
    """How strictly LINE asserts, for the languages it can be told in (Python, JavaScript);
    None for anything else, multi-line statements included."""
    if language.name == "python":
        return _python_shape(line)
    if language.name == "javascript":
        return _js_shape(line)
    return None


_WEAKER = {
    "equal": {"member", "truthy", "not-none"},
    "member": {"truthy", "not-none"},
    "raises-match": {"raises"},
}


def weakened(before: Shape, after: Shape) -> bool:
    """True when AFTER accepts more than BEFORE about the same expression."""
    if not before.subjects & after.subjects:
        return False
    if after.kind in _WEAKER.get(before.kind, set()):
        return True
    return (
        before.kind == after.kind == "close"
        and before.tolerance is not None
        and after.tolerance is not None
        and after.tolerance > before.tolerance
    )
