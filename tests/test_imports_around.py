"""Reading a Python file around its changes: the string scanner against Python's own tokenizer,
the statements found against a parse of the whole file, on real files (the standard library of
the Python running the tests) and on the shapes that make it widen or give up."""

from __future__ import annotations

import io
import random
import sysconfig
import tokenize
from pathlib import Path

import pytest

from checker.domain.importgraph.edges import Edge
from checker.domain.importgraph.python import Layout, may_import, parse, parse_around, string_lines
from tests import examples

LAYOUT = Layout(["src", ""], frozenset())
STDLIB = Path(sysconfig.get_paths()["stdlib"])


def stdlib_files(sampled: bool = False) -> list[Path]:
    """The standard library's top-level modules: about 200 real files of every style (SAMPLED:
    every eighth of them in the dev profile)."""
    found = sorted(STDLIB.glob("*.py"))
    if len(found) < 50:
        pytest.skip(f"no standard library sources at {STDLIB}")
    return examples.sample(found) if sampled else found


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def tokenizer_runs(text: str) -> list[tuple[int, int]]:
    """The lines that begin inside a string, as Python's tokenizer sees them (from 3.12 an
    f-string is tokens from FSTRING_START to FSTRING_END, with strings nested inside)."""
    runs = []
    start = getattr(tokenize, "FSTRING_START", None)
    end = getattr(tokenize, "FSTRING_END", None)
    opened: list[int] = []  # the lines of the f-strings open around the token
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == start:
            opened.append(token.start[0])
        elif token.type == end:
            first = opened.pop()
            if not opened and first != token.end[0]:
                runs.append((first + 1, token.end[0]))
        elif token.type == tokenize.STRING and not opened and token.start[0] != token.end[0]:
            runs.append((token.start[0] + 1, token.end[0]))
    return runs


def test_string_lines_agree_with_the_tokenizer_on_the_standard_library() -> None:
    checked = 0
    for path in stdlib_files(sampled=True):
        text = read(path)
        assert string_lines(text) == tokenizer_runs(text), path
        checked += sum(last - first + 1 for first, last in string_lines(text))
    # Lines inside strings: the comparison covered real ones (every eighth file in dev).
    assert checked > (10_000 if examples.PROFILE == "ci" else 1_000)


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ('x = """a\nb"""\ny = 1\n', [(2, 2)]),
        ("x = '''a\n\"\"\"\nb'''\n", [(2, 3)]),  # the other quote inside opens nothing
        ('# """\nx = 1\n', []),  # in a comment
        ('x = \'"""\'\ny = 1\n', []),  # in a one-line string
        ('x = "a\\\nb"\n', [(2, 2)]),  # a one-line string going on past a backslash
        ('x = r"\\""\ny = """\n\n"""\n', [(3, 4)]),  # an escaped quote ends nothing
        ('x = """never closed\ny\nz', [(2, 3)]),
        ("x = 'unclosed\ny = '''\n'''\n", [(3, 3)]),  # a lone quote is stepped over
    ],
)
def test_string_lines_shapes(text: str, runs: list[tuple[int, int]]) -> None:
    assert string_lines(text) == runs


def test_reading_around_finds_what_a_whole_parse_finds_on_the_standard_library() -> None:
    """Around random lines of real files: never an edge a whole parse lacks, never one missed
    on a touched line; around every line: exactly the whole parse."""
    rng = random.Random(20261121)
    around_calls = whole_parses = 0
    for path in stdlib_files(sampled=True):
        text = read(path)
        whole = parse(str(path), text, LAYOUT)
        if whole.error is not None:
            continue
        expected = set(whole.edges)
        count = text.count("\n") + 1
        for size in (1, 3, 12):
            touched = [rng.randint(1, count) for _ in range(size)]
            found = parse_around(str(path), text, LAYOUT, touched)
            if found is None:
                whole_parses += 1
                continue
            around_calls += 1
            assert set(found) <= expected, (path, touched)
            on_touched = {edge for edge in expected if edge.line in touched}
            assert on_touched <= set(found), (path, touched)
        assert parse_around(str(path), text, LAYOUT, range(1, count + 1)) == whole.edges, path
    assert around_calls > 20 * whole_parses  # it gives up rarely


def lines_of(edges: list[Edge] | None) -> list[tuple[str, int, bool]] | None:
    if edges is None:
        return None
    return [(e.imported.name, e.line, e.type_only) for e in edges]


SOURCE = """\
import os


@decorate(
    key=1,
)
def first():
    import json
    return json


if TYPE_CHECKING:
    import typing_only
else:
    import at_runtime

DATA = [
'one',
'two',
]
import sys
"""


@pytest.mark.parametrize(
    ("touched", "expected"),
    [
        ([1], [("os", 1, False)]),
        ([8], [("json", 8, False)]),  # the whole decorated function, decorator first
        ([5], [("json", 8, False)]),  # inside the decorator's brackets: widened to the def
        ([15], [("typing_only", 13, True), ("at_runtime", 15, False)]),  # the whole if/else
        ([19], []),  # a column-0 line inside brackets: widened back to the assignment
        ([21], [("sys", 21, False)]),
        ([3], []),  # an added blank line touches nothing
    ],
)
def test_reading_around_takes_whole_statements(
    touched: list[int], expected: list[tuple[str, int, bool]]
) -> None:
    assert lines_of(parse_around("app.py", SOURCE, LAYOUT, touched)) == expected


def test_reading_around_points_beside_removed_lines_and_inert_lines() -> None:
    # A point (beside a removed line) is never left out: a blank one takes the statement above.
    assert lines_of(parse_around("app.py", SOURCE, LAYOUT, [], [3])) == [("os", 1, False)]
    # An added blank line after a backslash ends the statement there: it is read.
    assert parse_around("app.py", "import os\nX = 1 + \\\n\n2\n", LAYOUT, [3]) is None
    assert lines_of(parse_around("app.py", "import os\nX = 1\n\n2\n", LAYOUT, [3])) == []


def test_reading_around_keeps_line_numbers_with_crlf_and_gives_up_at_a_lone_cr() -> None:
    text = SOURCE.replace("\n", "\r\n")
    assert lines_of(parse_around("app.py", text, LAYOUT, [21])) == [("sys", 21, False)]
    # git numbers lines at LF only, Python at a lone CR too: the touched lines cannot be placed.
    assert parse_around("app.py", SOURCE.replace("\n", "\r"), LAYOUT, [1]) is None


def test_reading_around_gives_up_where_the_statements_do_not_parse() -> None:
    broken = SOURCE.replace("import sys", "import sys(")
    assert parse_around("app.py", broken, LAYOUT, [21]) is None
    assert lines_of(parse_around("app.py", broken, LAYOUT, [1])) == [("os", 1, False)]


TREE = Layout(["src"], frozenset({"src/shop/__init__.py", "src/shop/db/__init__.py"}))


@pytest.mark.parametrize(
    ("text", "modules", "may"),
    [
        ("import os\n", {"shop.api"}, False),  # never names it
        ("from shop import api\n", {"shop.api"}, True),
        ("from shop import ａpi\n", {"shop.api"}, True),  # Python folds the fullwidth letter
        ("from . import engine\n", {"shop.db"}, True),  # the file's own package, unnamed
        ("from .. import engine\n", {"shop"}, True),  # a package above it
        ("from .. import engine\n", {"shop.api"}, False),
        ('__import__("shop.\\x61pi")\n', {"shop.api"}, True),  # a string spells it any way
    ],
)
def test_may_import(text: str, modules: set[str], may: bool) -> None:
    assert may_import("src/shop/db/models.py", text, TREE, modules) is may
