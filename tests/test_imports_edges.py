"""Import edges per language, and contract matching: pure functions, no repository."""

from __future__ import annotations

import pytest

from checker.domain.importgraph import tach
from checker.domain.importgraph.contracts import Contract
from checker.domain.importgraph.edges import Edge, Endpoint
from checker.domain.importgraph.forbidden import ForbiddenContract
from checker.domain.importgraph.golang import GoLayout
from checker.domain.importgraph.golang import parse as parse_go
from checker.domain.importgraph.golang import read_lines as go_lines
from checker.domain.importgraph.independence import IndependenceContract
from checker.domain.importgraph.javascript import ScriptLayout, strip_jsonc
from checker.domain.importgraph.javascript import parse as parse_script
from checker.domain.importgraph.javascript import read_lines as script_lines
from checker.domain.importgraph.layers import LayersContract
from checker.domain.importgraph.patterns import compile_edge, edge_pattern_error, pattern_error
from checker.domain.importgraph.python import Layout, parse, read_lines

PY_TREE = frozenset(
    {
        "src/shop/__init__.py",
        "src/shop/ui/__init__.py",
        "src/shop/ui/view.py",
        "src/shop/ui/forms.py",
        "src/shop/db/__init__.py",
        "src/shop/db/models.py",
        "src/shop/spaces/thing.py",  # a namespace package: no __init__.py
    }
)
LAYOUT = Layout(["src", ""], PY_TREE)


def imported(text: str, path: str = "src/shop/ui/view.py", layout: Layout = LAYOUT) -> list[str]:
    return [e.imported.name for e in parse(path, text, layout).edges]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import shop.db.models\n", ["shop.db.models"]),
        ("import shop.db.models as m, os\n", ["shop.db.models", "os"]),
        ("from shop.db import models\n", ["shop.db.models"]),
        ("from shop.db import Session\n", ["shop.db"]),  # a name, not a submodule
        ("from shop.db.models import Order\n", ["shop.db.models"]),
        ("from shop import spaces\n", ["shop.spaces"]),  # namespace package
        ("from shop.db import *\n", ["shop.db"]),
        ("from . import forms\n", ["shop.ui.forms"]),
        ("from .forms import Form\n", ["shop.ui.forms"]),
        ("from ..db import models\n", ["shop.db.models"]),
        ("from .. import db\n", ["shop.db"]),
        ("from .... import nothing\n", []),  # above the top package
        ("def f():\n    import shop.db\n", ["shop.db"]),
        ("try:\n    import shop.db\nexcept ImportError:\n    pass\n", ["shop.db"]),
        ("if x:\n    import shop.db\nelse:\n    import shop.ui\n", ["shop.db", "shop.ui"]),
        (
            "import importlib\nimportlib.import_module('shop.db.models')\n",
            ["importlib", "shop.db.models"],
        ),
        (
            "from importlib import import_module\nimport_module('shop.db')\n",
            ["importlib", "shop.db"],
        ),
        (
            "import importlib\nimportlib.import_module('.forms', __package__)\n",
            ["importlib", "shop.ui.forms"],
        ),
        (
            "import importlib\nimportlib.import_module('..db', package='shop.ui')\n",
            ["importlib", "shop.db"],
        ),
        ("x = __import__('shop.db')\n", ["shop.db"]),
        ("name = 'shop.db'\nimportlib.import_module(name)\n", []),  # not a literal
        ("s = 'import shop.db'\n# import shop.ui\n", []),
    ],
)
def test_python_import_forms(source: str, expected: list[str]) -> None:
    assert imported(source) == expected


def test_python_package_init_resolves_relative_imports_from_itself() -> None:
    assert imported("from . import models\n", "src/shop/db/__init__.py") == ["shop.db.models"]


def test_python_lines_and_columns_point_at_the_import() -> None:
    text = (
        "import os\n\ndef f():\n    from shop.db import (\n        models,\n        Session,\n"
        "    )\n"
    )
    edges = parse("src/shop/ui/view.py", text, LAYOUT).edges
    assert [(e.imported.name, e.line, e.column) for e in edges] == [
        ("os", 1, 1),
        ("shop.db.models", 5, 9),
        ("shop.db", 6, 9),
    ]


def test_python_type_checking_imports_are_marked() -> None:
    text = (
        "from typing import TYPE_CHECKING\nimport typing\n"
        "if TYPE_CHECKING:\n    import shop.db\nelse:\n    import shop.ui\n"
        "if typing.TYPE_CHECKING:\n    import shop.db.models\n"
    )
    marked = {
        e.imported.name: e.type_only for e in parse("src/shop/ui/view.py", text, LAYOUT).edges
    }
    assert marked == {
        "typing": False,
        "shop.db": True,
        "shop.ui": False,
        "shop.db.models": True,
    }


def test_python_module_names_follow_the_deepest_root() -> None:
    layout = Layout(["", "src", "backend"], PY_TREE)
    assert layout.module_of("src/shop/ui/view.py") == "shop.ui.view"
    assert layout.module_of("src/shop/__init__.py") == "shop"
    assert layout.module_of("tests/test_view.py") == "tests.test_view"
    assert layout.module_of("backend/app/x.py") == "app.x"
    assert layout.module_of("my-scripts/run.py") is None  # not importable
    assert layout.locate("shop.db.models") == "src/shop/db/models.py"
    assert layout.locate("shop.spaces") == "src/shop/spaces/"
    assert layout.locate("shop.nothing") is None


def test_python_without_a_tree_from_import_names_the_submodule() -> None:
    # A patch gives no file list, so `from a import b` cannot tell a module from a name.
    layout = Layout(["src", ""], frozenset())
    assert imported("from shop.db import models\n", layout=layout) == ["shop.db.models"]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_python_dynamic_imports_spanning_lines_with_any_line_ending(newline: str) -> None:
    """Only expressions on lines that name import_module / __import__ are walked; the line
    count behind that must agree with ast's for every line ending."""
    text = newline.join(
        [
            '"""Doc."""',
            "import importlib",
            "x = [1,",
            "     2]",
            "mod = importlib.import_module(",
            '    "shop.db.models"',
            ")",
            "def f():",
            "    return __import__(",
            '        "shop.ui.forms")',
            "y = importlib.import_module",
            "z = y('shop.ui')",  # not literal at the name: no edge, as before
            "",
        ]
    )
    assert imported(text) == ["importlib", "shop.db.models", "shop.ui.forms"]


def test_python_dynamic_import_in_a_loose_line_holding_carriage_returns() -> None:
    """A patch of a CR-only file arrives as one long line; ast counts its lines by CR."""
    line = 'import os\rm = importlib.import_module("shop.db.models")\r'
    assert [e.imported.name for e in read_lines("src/shop/ui/view.py", [(1, line)], LAYOUT)] == [
        "os",
        "shop.db.models",
    ]


def test_python_dynamic_import_spelled_in_fullwidth_letters() -> None:
    """Python folds identifiers with NFKC, so this is import_module; so must the search."""
    text = 'import importlib\nm = importlib.\uff49mport_module("shop.db.models")\n'
    assert imported(text) == ["importlib", "shop.db.models"]


def test_python_that_does_not_parse_is_read_line_by_line() -> None:
    text = "import shop.db\nfrom shop.ui import (\n    forms,\n)\ndef broken(:\n    import os\n"
    parsed = parse("src/shop/ui/view.py", text, LAYOUT)
    assert parsed.error is not None
    assert "line 5" in parsed.error
    assert [(e.imported.name, e.line) for e in parsed.edges] == [
        ("shop.db", 1),
        ("shop.ui.forms", 3),
        ("os", 6),
    ]


def test_python_loose_lines_follow_type_checking_by_indentation() -> None:
    lines = [(1, "if TYPE_CHECKING:"), (2, "    import shop.db"), (3, "import shop.ui")]
    edges = read_lines("src/shop/ui/view.py", lines, LAYOUT)
    assert [(e.imported.name, e.type_only) for e in edges] == [
        ("shop.db", True),
        ("shop.ui", False),
    ]


def test_python_loose_lines_do_not_join_across_gaps() -> None:
    # Lines 1 and 5 are not consecutive: the open parenthesis cannot be closed by line 5.
    lines = [(1, "from shop.db import ("), (5, "x)")]
    assert read_lines("src/shop/ui/view.py", lines, LAYOUT) == []


SCRIPT_TREE = frozenset(
    {
        "web/tsconfig.json",
        "web/base.json",
        "web/src/ui/view.tsx",
        "web/src/ui/button.jsx",
        "web/src/db/client.ts",
        "web/src/db/index.ts",
        "web/src/lib/a.ts",
        "web/src/legacy.js",
    }
)
SCRIPT_FILES = {
    "web/tsconfig.json": """{
  // comments and trailing commas, as tsc allows
  "extends": "./base.json",
  "compilerOptions": {
    "paths": {"@db/*": ["src/db/*"], "@lib": ["src/lib/a.ts"],},
  },
}""",
    "web/base.json": '{"compilerOptions": {"baseUrl": "src"}}',
}


def script_edges(text: str, path: str = "web/src/ui/view.tsx") -> list[tuple[str, int, bool]]:
    layout = ScriptLayout(SCRIPT_TREE, SCRIPT_FILES.get)
    return [(e.imported.name, e.line, e.type_only) for e in parse_script(path, text, layout).edges]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('import x, {a as b} from "../db/client";', [("web/src/db/client.ts", 1, False)]),
        ("import '../db';", [("web/src/db/index.ts", 1, False)]),
        ('export * from "../legacy";', [("web/src/legacy.js", 1, False)]),
        ('export { a } from "./button";', [("web/src/ui/button.jsx", 1, False)]),
        ('const c = require("../db/client");', [("web/src/db/client.ts", 1, False)]),
        ("const d = await import('../db/client');", [("web/src/db/client.ts", 1, False)]),
        ('import z = require("react");', [("react", 1, False)]),
        ('import type T from "../db";', [("web/src/db/index.ts", 1, True)]),
        ('export type { T } from "../db";', [("web/src/db/index.ts", 1, True)]),
        ('import type from "../db";', [("web/src/db/index.ts", 1, False)]),  # a default named type
        ('import { x } from "../db/client.js";', [("web/src/db/client.ts", 1, False)]),
        ('import a from "@db/client";', [("web/src/db/client.ts", 1, False)]),
        ('import a from "@lib";', [("web/src/lib/a.ts", 1, False)]),
        ('import a from "lib/a";', [("web/src/lib/a.ts", 1, False)]),  # baseUrl
        ('import a from "./missing";', [("web/src/ui/missing", 1, False)]),
        ('// import a from "../db"\n/* require("../db") */', []),
        ("const s = \"import '../db'\"; const t = `require('../db')`;", []),
        ('obj.require("../db"); x.import("../db");', []),
        ("import(`../db/${name}`);", []),
        ('import {\n  a,\n  b,\n} from "../db";', [("web/src/db/index.ts", 4, False)]),
    ],
)
def test_script_import_forms(source: str, expected: list[tuple[str, int, bool]]) -> None:
    assert script_edges(source) == expected


def test_script_jsx_is_lexed_as_jsx() -> None:
    text = 'import db from "../db";\nexport const B = () => <div>import "x"</div>;\n'
    assert script_edges(text, "web/src/ui/button.jsx") == [("web/src/db/index.ts", 1, False)]


def test_script_loose_lines() -> None:
    layout = ScriptLayout(frozenset(), lambda path: None)
    lines = [(3, 'import a from "../db/client";'), (9, "const b = require('./x');")]
    found = [(e.imported.name, e.line) for e in script_lines("web/src/ui/view.ts", lines, layout)]
    assert found == [("web/src/db/client", 3), ("web/src/ui/x", 9)]


def test_jsonc_is_stripped_outside_strings() -> None:
    text = '{"a": "// not a comment", /* c */ "b": [1, 2,], // end\n "c": "x,]"}'
    assert strip_jsonc(text) == '{"a": "// not a comment",  "b": [1, 2], \n "c": "x,]"}'


GO_TREE = frozenset({"go.mod", "internal/ui/view.go", "internal/db/db.go", "tools/go.mod"})
GO_FILES = {
    "go.mod": "// the module\nmodule example.com/app\n\ngo 1.22\n",
    "tools/go.mod": "module example.com/tools\n",
}
GO_SOURCE = """package ui

import "fmt"
import (
	"os" // "comment"
	f "example.com/app/internal/db"
	_ "example.com/app/lib"
	. "strings"
	/* "example.com/app/nope" */
	`example.com/app/internal/raw`
)

var s = "example.com/app/internal/db"
"""


def test_go_import_forms() -> None:
    layout = GoLayout(GO_TREE, GO_FILES.get)
    edges = parse_go("internal/ui/view.go", GO_SOURCE, layout).edges
    assert {e.importer.name for e in edges} == {"example.com/app/internal/ui"}
    assert [(e.imported.name, e.imported.path, e.line) for e in edges] == [
        ("fmt", "fmt", 3),
        ("os", "os", 5),
        ("example.com/app/internal/db", "internal/db/", 6),
        ("example.com/app/lib", "lib/", 7),
        ("strings", "strings", 8),
        ("example.com/app/internal/raw", "internal/raw/", 10),
    ]


def test_go_nearest_go_mod_decides_the_module() -> None:
    layout = GoLayout(GO_TREE, GO_FILES.get)
    edges = parse_go(
        "tools/gen/main.go", 'package main\nimport "example.com/app/internal/db"\n', layout
    ).edges
    assert edges[0].importer.name == "example.com/tools/gen"
    assert edges[0].imported.path == "example.com/app/internal/db"  # another module


def test_go_loose_lines_read_lines_of_an_import_block() -> None:
    layout = GoLayout(frozenset(), lambda path: None)
    lines = [(6, '\tf "example.com/app/internal/db"'), (12, '\treturn "x"'), (13, '\ty := "z"')]
    assert [e.imported.name for e in go_lines("internal/ui/view.go", lines, layout)] == [
        "example.com/app/internal/db"
    ]


def py_edge(importer: str, imported: str) -> Edge:
    return Edge(Endpoint(importer, importer, None), Endpoint(imported, imported, None), 1, 1)


def path_edge(importer: str, imported: str) -> Edge:
    return Edge(Endpoint(importer, None, importer), Endpoint(imported, None, imported), 1, 1)


def test_layers_lower_may_not_import_higher() -> None:
    contract = LayersContract("l", "t", ["app.api", "app.services", "app.db"])
    assert contract.broken_by(py_edge("app.db.models", "app.api.views"))
    assert contract.broken_by(py_edge("app.services", "app.api"))
    assert not contract.broken_by(py_edge("app.api.views", "app.db.models"))
    assert not contract.broken_by(py_edge("app.db.a", "app.db.b"))
    assert not contract.broken_by(py_edge("app.db.models", "app.utils"))
    assert not contract.broken_by(py_edge("app.dbx", "app.api"))  # not inside app.db


def test_layers_siblings_independent_or_not() -> None:
    independent = LayersContract("l", "t", ["app.api", "app.billing | app.shipping", "app.db"])
    assert independent.broken_by(py_edge("app.billing.x", "app.shipping.y"))
    assert not independent.broken_by(py_edge("app.billing.x", "app.db"))
    siblings = LayersContract("l", "t", ["app.api", "app.billing : app.shipping", "(app.db)"])
    assert not siblings.broken_by(py_edge("app.billing.x", "app.shipping.y"))
    assert siblings.broken_by(py_edge("app.db", "app.shipping.y"))


def test_layers_containers_check_inside_each_container() -> None:
    contract = LayersContract("l", "t", ["api", "db"], containers=["app.blue", "app.green"])
    assert contract.broken_by(py_edge("app.blue.db.x", "app.blue.api"))
    assert not contract.broken_by(py_edge("app.blue.db.x", "app.green.api"))
    wild = LayersContract("l", "t", ["api", "db"], containers=["app.*"])
    assert wild.broken_by(py_edge("app.red.db", "app.red.api.v"))
    assert not wild.broken_by(py_edge("app.red.db", "app.blue.api.v"))


def test_layers_by_folder_glob() -> None:
    contract = LayersContract("l", "t", ["web/src/ui/**", "web/src/services/**", "web/src/db/**"])
    assert contract.broken_by(path_edge("web/src/db/a.ts", "web/src/ui/b.tsx"))
    assert not contract.broken_by(path_edge("web/src/ui/b.tsx", "web/src/db/a.ts"))
    folders = LayersContract("l", "t", ["api", "db"], containers=["services/*"])
    assert folders.broken_by(path_edge("services/pay/db/x.go", "services/pay/api/"))
    assert not folders.broken_by(path_edge("services/pay/db/x.go", "services/mail/api/"))


def test_forbidden_as_packages_and_overlap() -> None:
    contract = ForbiddenContract("f", "t", ["app.ui"], ["app.db", "requests"])
    assert contract.broken_by(py_edge("app.ui.view", "app.db.models"))
    assert contract.broken_by(py_edge("app.ui", "requests.sessions"))
    assert not contract.broken_by(py_edge("app.api", "app.db"))
    wildcard = ForbiddenContract("f", "t", ["app.ui"], ["app.*"])
    assert not wildcard.broken_by(py_edge("app.ui.view", "app.ui.forms"))  # overlapping pair
    assert wildcard.broken_by(py_edge("app.ui.view", "app.db"))
    exact = ForbiddenContract("f", "t", ["app.ui"], ["app.db"], as_packages=False)
    assert exact.broken_by(py_edge("app.ui", "app.db"))
    assert not exact.broken_by(py_edge("app.ui.view", "app.db"))


def test_independence_and_wildcards() -> None:
    contract = IndependenceContract("i", "t", ["app.billing", "app.shipping"])
    assert contract.broken_by(py_edge("app.billing.x", "app.shipping"))
    assert contract.broken_by(py_edge("app.shipping", "app.billing.y.z"))
    assert not contract.broken_by(py_edge("app.billing.x", "app.billing.y"))
    assert not contract.broken_by(py_edge("app.billing.x", "app.core"))
    plugins = IndependenceContract("i", "t", ["app.plugins.*"])
    assert plugins.broken_by(py_edge("app.plugins.a.x", "app.plugins.b"))
    assert not plugins.broken_by(py_edge("app.plugins.a.x", "app.plugins.a.y"))
    folders = IndependenceContract("i", "t", ["services/*/**"])
    assert folders.broken_by(path_edge("services/pay/x.ts", "services/mail/y.ts"))
    assert not folders.broken_by(path_edge("services/pay/x.ts", "services/pay/z/y.ts"))


def test_ignore_edges_exact_and_as_packages() -> None:
    exact = [compile_edge("app.db.models -> app.api.**", package=False)]
    contract = LayersContract("l", "t", ["app.api", "app.db"], ignore=exact)
    assert not contract.broken_by(py_edge("app.db.models", "app.api.views"))
    assert contract.broken_by(py_edge("app.db.models", "app.api"))  # ** needs one name at least
    assert contract.broken_by(py_edge("app.db.models.x", "app.api.views"))
    packages = [compile_edge("app.db -> app.api")]
    contract = LayersContract("l", "t", ["app.api", "app.db"], ignore=packages)
    assert not contract.broken_by(py_edge("app.db.models.x", "app.api.views"))


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("app.db", False),
        ("app.*.api", False),
        ("app.**", False),
        ("web/src/**", False),
        ("app.db*", True),
        ("app..db", True),
        ("app.**.*", True),
        ("app.*.**", True),
        ("app.my-db", True),
        ("web/[x", True),
    ],
)
def test_pattern_errors(text: str, bad: bool) -> None:
    assert (pattern_error(text) is not None) is bad


def test_edge_pattern_errors() -> None:
    assert edge_pattern_error("a -> b") is None
    assert edge_pattern_error("a b") is not None
    assert edge_pattern_error(" -> b") is not None


def test_script_jsx_text_is_not_code_but_expressions_are() -> None:
    text = (
        'import db from "../db";\n'
        "export const B = () => (\n"
        '  <>\n    <Foo a="import \'q\'" b={require("../legacy")} />\n'
        '    import "x" {cond && <i>import "y" {import("./button")}</i>}\n'
        "    <br/>\n  </>\n);\n"
        'const c = require("../lib/a");\n'
    )
    assert script_edges(text, "web/src/ui/view.tsx") == [
        ("web/src/db/index.ts", 1, False),
        ("web/src/legacy.js", 4, False),
        ("web/src/ui/button.jsx", 5, False),
        ("web/src/lib/a.ts", 9, False),
    ]


CONTRACTS: list[Contract] = [
    LayersContract("l", "t", ["app.api", "app.billing | app.shipping", "app.db"]),
    LayersContract("l", "t", ["api", "db"], containers=["app.*"]),
    LayersContract("l", "t", ["web/src/ui/**", "web/src/db/**"]),
    ForbiddenContract("f", "t", ["app.ui"], ["app.db", "requests"]),
    ForbiddenContract("f", "t", ["app.ui"], ["app.db"], as_packages=False),
    IndependenceContract("i", "t", ["app.plugins.*"]),
    IndependenceContract("i", "t", ["services/*/**"]),
]
TACH = """
exclude = ["**/legacy.py"]
layers = ["top", "bottom"]
[[modules]]
path = "app.api"
layer = "top"
depends_on = ["app.db"]
[[modules]]
path = "app.db"
layer = "bottom"
cannot_depend_on = ["app.ui"]
[[modules]]
path = "app.ui"
depends_on = []
[[modules]]
path = "app.core"
utility = true
"""
_TACH = tach.read(lambda name: TACH if name == "tach.toml" else None)
assert _TACH is not None
CONTRACTS += _TACH.contracts
MODULES = [
    "app",
    "app.api",
    "app.api.v",
    "app.billing.x",
    "app.shipping",
    "app.db",
    "app.db.models",
    "app.red.db",
    "app.red.api",
    "app.ui",
    "app.ui.view",
    "app.plugins.a.x",
    "app.plugins.b",
    "requests.sessions",
    "app.core",
]
PATHS = [
    "web/src/ui/b.tsx",
    "web/src/db/a.ts",
    "web/lib/c.ts",
    "services/pay/x.ts",
    "services/mail/y.ts",
]


@pytest.mark.parametrize("contract", CONTRACTS, ids=repr)
def test_a_contract_constrains_every_importer_that_can_break_it(contract: Contract) -> None:
    """The import check skips files whose importer no contract constrains; that is right only
    if every importer of a breaking edge is constrained."""
    broken = 0
    for make, names in ((py_edge, MODULES), (path_edge, PATHS)):
        for importer in names:
            for imported in names:
                edge = make(importer, imported)
                if contract.violates(edge):
                    broken += 1
                    assert contract.constrains(edge.importer), edge
    assert broken, "the sample has no breaking edge for this contract"
    assert not contract.constrains(py_edge("elsewhere.mod", "app").importer)
