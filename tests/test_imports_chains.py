"""Indirect chains (issue 17): a new import that completes a chain through other modules breaks
an import-linter contract that forbids indirect imports, as lint-imports itself judges it; the
same chain under allow_indirect_imports, or one the base already had, is no finding."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checker.domain.importgraph.chains import (
    _compound_in_code,
    _node,
    _reuses_quotes,
    raw_edges,
    scan,
)
from checker.domain.importgraph.edges import Endpoint
from checker.domain.importgraph.python import Layout, _long_strings, parse
from checker.model.memo import Memo
from tests import memory
from tests import test_imports_agreement as agreement
from tests.conftest import Repo, clean_env, diff_findings
from tests.test_imports_agreement import LINT_IMPORTS

CONFIG = """[importlinter]
root_package = app

[importlinter:contract:layers]
name = app layers
type = layers
layers =
    app.top
    app.mid
    app.low

[importlinter:contract:forbid]
name = low keeps off top
type = forbidden
source_modules =
    app.low
forbidden_modules =
    app.top
allow_indirect_imports = {allow}

[importlinter:contract:indep]
name = one and two are independent
type = independence
modules =
    app.one
    app.two
"""
BASE = {
    "src/app/__init__.py": "",
    "src/app/top.py": "",
    "src/app/mid.py": "",
    "src/app/low.py": "import app.helper\n",
    "src/app/helper.py": "",
    "src/app/bridge.py": "import app.two\n",
    "src/app/one.py": "",
    "src/app/two.py": "",
}


def lint_imports(root: Path) -> set[str]:
    """The contracts lint-imports reports broken."""
    return {name for name, broken in agreement.lint_imports(root, every=True).items() if broken}


def contracts(repo: Repo) -> set[str]:
    found = set()
    for finding in diff_findings(repo):
        named = re.search(r"contract '([^']+)'", finding["message"])
        if named:
            found.add(named.group(1))
    return found


@pytest.mark.e2e
@pytest.mark.skipif(LINT_IMPORTS is None, reason="import-linter is not installed")
@pytest.mark.parametrize("allow", ["False", "True"])
def test_chain_completed_by_an_edge_agrees_with_lint_imports(repo: Repo, allow: str) -> None:
    repo.commit("base", {**BASE, ".importlinter": CONFIG.format(allow=allow)})
    assert lint_imports(repo.root) == set()
    # helper -> top completes low -> helper -> top (layers; forbidden unless allowed);
    # one -> bridge completes one -> bridge -> two (independence).
    repo.write("src/app/helper.py", "import os\nimport app.top\n")
    repo.write("src/app/one.py", "from app import bridge\n")
    expected = {"app layers", "one and two are independent"}
    if allow == "False":
        expected.add("low keeps off top")
    assert lint_imports(repo.root) == expected
    assert contracts(repo) == expected
    result = repo.run("diff")
    assert result.code == 1
    assert (
        "src/app/helper.py:2:1: AC401 new import app.helper -> app.top completes a chain that "
        "breaks contract 'app layers' (.importlinter): app.low -> app.helper "
        "(src/app/low.py:1); app.helper -> app.top (src/app/helper.py:2, added)"
    ) in result.out


@pytest.mark.e2e
@pytest.mark.skipif(LINT_IMPORTS is None, reason="import-linter is not installed")
def test_chain_the_base_had_is_not_new(repo: Repo) -> None:
    # The base already chains low -> helper -> top; a second route adds no broken contract.
    base = {**BASE, "src/app/helper.py": "import app.top\n", "src/app/extra.py": ""}
    repo.commit("base", {**base, ".importlinter": CONFIG.format(allow="True")})
    before = lint_imports(repo.root)
    assert "app layers" in before
    repo.write("src/app/low.py", "import app.helper\nimport app.extra\n")
    repo.write("src/app/extra.py", "import app.top\n")
    assert lint_imports(repo.root) == before
    assert contracts(repo) == set()


@pytest.mark.e2e
def test_policy_contracts_are_direct_unless_indirect_is_set(repo: Repo) -> None:
    policy = (
        '[imports]\nroots = ["src"]\n\n[[imports.contracts]]\ntype = "layers"\n'
        'layers = ["app.top", "app.mid", "app.low"]\n'
    )
    repo.commit("base", {**BASE, "agentcheck.toml": policy})
    repo.write("src/app/helper.py", "import app.top\n")
    assert contracts(repo) == set()
    repo.commit(
        "indirect", {"agentcheck.toml": policy + "indirect = true\n", "src/app/helper.py": ""}
    )
    repo.write("src/app/helper.py", "import app.top\n")
    assert contracts(repo) == {"app.top > app.mid > app.low"}


TACH = shutil.which("tach", path=str(Path(sys.executable).parent)) or shutil.which("tach")
TACH_CONFIG = """source_roots = ["src"]
layers = ["top", "mid", "low"]
""" + "".join(
    f'\n[[modules]]\npath = "app.{name}"\nlayer = "{name}"\n' for name in ("top", "mid", "low")
)


@pytest.mark.e2e
@pytest.mark.skipif(TACH is None, reason="tach is not installed")
def test_tach_layers_judge_direct_imports_only_as_tach_does(repo: Repo) -> None:
    # tach checks each import against the importing module's layer; a chain low -> helper ->
    # top through a module in no layer passes `tach check`, so agentcheck reports nothing,
    # while the direct import low -> top fails both.
    assert TACH is not None
    repo.commit("base", {**BASE, "tach.toml": TACH_CONFIG})
    repo.write("src/app/helper.py", "import app.top\n")

    def tach_fails() -> bool:
        done = subprocess.run(
            [TACH, "check"], cwd=repo.root, env=clean_env(), capture_output=True, check=False
        )
        return done.returncode != 0

    assert not tach_fails()
    assert contracts(repo) == set()
    repo.write("src/app/low.py", "import app.helper\nimport app.top\n")
    assert tach_fails()
    assert contracts(repo) == {"layers top > mid > low"}


# In process (tests/memory.py): the same logic without git or lint-imports.


LAYERS = """
[[imports.contracts]]
type = "layers"
name = "app layers"
layers = ["app.top", "app.mid", "app.low"]
indirect = true
{extra}
"""
APP = {
    "app/__init__.py": "",
    "app/top.py": "",
    "app/mid.py": "",
    "app/low.py": "import app.helper\n",
    "app/helper.py": "",
    "app/other.py": "",
}


def chain_messages(base: dict[str, str], head: dict[str, str], extra: str = "") -> list[str]:
    found = memory.findings(base, head, policy=LAYERS.format(extra=extra))
    return [f"{f.code} {f.path}:{f.line} {f.message}" for f in found if f.code.startswith("AC4")]


def test_an_edge_that_completes_a_chain_is_reported_with_the_chain() -> None:
    head = {**APP, "app/helper.py": '"""Doc."""\nimport os\nfrom app import top\n'}
    assert chain_messages(APP, head) == [
        "AC401 app/helper.py:3 new import app.helper -> app.top completes a chain that breaks "
        "contract 'app layers' (agentcheck.toml): app.low -> app.helper (app/low.py:1); "
        "app.helper -> app.top (app/helper.py:3, added)"
    ]


def test_no_chain_finding_without_indirect_or_with_the_edge_ignored() -> None:
    head = {**APP, "app/helper.py": "from app import top\n"}
    policy = LAYERS.format(extra="").replace("indirect = true", "indirect = false")
    assert memory.codes(memory.findings(APP, head, policy=policy)) == []
    assert chain_messages(APP, head, 'ignore = ["app.low -> app.helper"]') == []


def test_a_chain_the_base_had_is_not_new_even_when_the_change_reroutes_it() -> None:
    base = {**APP, "app/helper.py": "import app.top\n"}
    # The base chains low -> helper -> top; the change moves the hop to other.
    head = {
        **base,
        "app/helper.py": "import app.other\n",
        "app/other.py": "import app.top\n",
    }
    assert chain_messages(base, head) == []


def test_a_chain_through_a_root_package_no_indirect_contract_names() -> None:
    # import-linter's graph holds every root package, so the chain beta.b -> gamma -> beta.a
    # breaks the independence contract though only forbidden contracts (indirect allowed)
    # name gamma. Found by the long agreement series in CI (seed 3, change 21).
    config = """[importlinter]
root_packages =
    beta
    gamma

[importlinter:contract:beta]
name = beta independence
type = independence
modules =
    beta.a
    beta.b

[importlinter:contract:gamma]
name = gamma keeps off sqlite3
type = forbidden
source_modules =
    gamma
forbidden_modules =
    sqlite3
allow_indirect_imports = True
"""
    base = {
        ".importlinter": config,
        "beta/__init__.py": "",
        "beta/a.py": "",
        "beta/b.py": "from gamma.core import thing\n",
        "gamma/__init__.py": "",
        "gamma/core.py": "def use():\n    import gamma.api\n",
        "gamma/api.py": "",
    }
    head = {**base, "gamma/api.py": "from beta import a\n"}
    found = [f for f in memory.findings(base, head) if f.code.startswith("AC4")]
    assert [(f.code, f.path, f.line) for f in found] == [("AC403", "gamma/api.py", 1)]
    assert found[0].message.endswith(
        "beta.b -> gamma.core (beta/b.py:1); gamma.core -> gamma.api (gamma/core.py:2); "
        "gamma.api -> beta.a (gamma/api.py:1, added)"
    )


def test_a_type_checking_hop_breaks_no_chain_unless_asked() -> None:
    head = {**APP, "app/helper.py": "from typing import TYPE_CHECKING\n", "app/other.py": ""}
    head["app/helper.py"] += "if TYPE_CHECKING:\n    import app.other\n"
    head["app/other.py"] = "import app.top\n"
    assert chain_messages(APP, head) == []


def test_scan_reads_the_edges_a_whole_parse_reads() -> None:
    text = '''"""A docstring that shows code:
import app.top
from app import mid
"""
import os, app.low
from app import (
    helper,
    other,
)
from . import mid as m
import app.top \\
    , app.mid
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from app import top

    import app.other
import app.helper
from .. import top
from app.top import *  # a comment
import app.mid as m2, app.low
import app.one; import app.two
from app import top as t, mid
def f():
    x = """
from app import low
"""
    import importlib
    return importlib.import_module("app.mid")
'''
    paths = frozenset(APP)
    layout = Layout([""], paths)

    def edges(found: list) -> list:  # type: ignore[type-arg]
        return sorted((e.key, e.line, e.type_only) for e in found)

    found = [(e.key, e.line, e.column) for e in scan("app/low.py", text, layout)]
    assert found == [(e.key, e.line, e.column) for e in parse("app/low.py", text, layout).edges]
    assert len(found) == 20


def test_an_unchanged_from_import_that_starts_to_import_an_added_module() -> None:
    # app/low.py's `from app import top` imported the package app (top was a name in it);
    # once the change adds app/top.py, the same line imports app.top: up the layers.
    base = {**APP, "app/__init__.py": "top = 1\n", "app/low.py": "from app import top\n"}
    del base["app/top.py"]
    head = {**base, "app/top.py": ""}
    assert chain_messages(base, head) == [
        "AC401 app/low.py:1 new import app.low -> app.top breaks contract 'app layers' "
        "(agentcheck.toml): the change adds app.top, which this unchanged line now imports"
    ]
    # A chain it completes: low -> helper (unchanged, `from app import other`) -> other -> top.
    base = {
        **APP,
        "app/__init__.py": "other = 1\n",
        "app/helper.py": "from app import other\n",
        "app/top.py": "",
    }
    del base["app/other.py"]
    head = {**base, "app/other.py": "import app.top\n"}
    found = chain_messages(base, head)
    # Both new edges are needed for the chain, so each is reported (the added file's too).
    assert [m.split(" completes")[0] for m in found] == [
        "AC401 app/helper.py:1 new import app.helper -> app.other",
        "AC401 app/other.py:1 new import app.other -> app.top",
    ]
    assert "app.helper -> app.other (app/helper.py:1, added)" in found[0]
    # Without the module added, the unchanged line imports what it did: nothing new.
    assert chain_messages(base, {**base, "app/mid.py": "x = 1\n"}) == []


@pytest.mark.e2e
def test_many_files_read_in_one_batch_as_one_by_one(repo: Repo) -> None:
    from checker.adapters.git import Repository
    from checker.adapters.gitchange import from_range

    base = repo.commit("base", {"a.py": "import b\n", "b.py": "", "data.bin": b"\x00\x01"})
    repo.commit("change", {"a.py": "import c\n", "c.py": "x = 'caf\u00e9'\n"})
    paths = ["a.py", "b.py", "c.py", "data.bin", "gone.py"]
    with Repository.find(repo.root) as git:
        _, reader = from_range(git, f"{base}..HEAD")
        assert reader.heads(paths) == {path: reader.head(path) for path in paths}
        assert reader.heads(paths)["c.py"] == "x = 'caf\u00e9'\n".encode()
        assert reader.heads(paths)["gone.py"] is None


def test_two_new_edges_that_each_complete_a_chain_are_reported_once() -> None:
    # low -> x -> top and low -> y -> top: the head chains low to top without either edge, so
    # neither completes the chain alone; the contract is still newly broken (lint-imports says
    # so), and the first of them is reported.
    base = {**APP, "app/low.py": "", "app/x.py": "import app.top\n", "app/y.py": "import app.top\n"}
    head = {**base, "app/low.py": "import app.x\nimport app.y\n"}
    assert chain_messages(base, head) == [
        "AC401 app/low.py:1 new import app.low -> app.x completes a chain that breaks contract "
        "'app layers' (agentcheck.toml): app.low -> app.x (app/low.py:1, added); "
        "app.x -> app.top (app/x.py:1)"
    ]
    # One edge on the only chain still leaves the other new edge alone.
    head = {**base, "app/low.py": "import app.x\n", "app/y.py": "import app.x\n"}
    assert [m.split(" completes")[0] for m in chain_messages(base, head)] == [
        "AC401 app/low.py:1 new import app.low -> app.x"
    ]
    # A chain a direct break explains is not reported again on another edge.
    head = {**base, "app/low.py": "import app.top\nimport app.x\n"}
    assert [m.split(" breaks")[0] for m in chain_messages(base, head)] == [
        "AC401 app/low.py:1 new import app.low -> app.top"
    ]


def test_a_chain_a_new_import_the_task_allows_completes_is_no_other_edge_s() -> None:
    # low -> a -> b -> top once the task's allowed a -> b is added; x -> y lies on another
    # route to top, but the head chains low to top without it.
    base = {
        **APP,
        "app/low.py": "import app.x\nimport app.a\n",
        "app/x.py": "",
        "app/y.py": "import app.a\n",
        "app/a.py": "",
        "app/b.py": "import app.top\n",
    }
    head = {**base, "app/a.py": "import app.b\n", "app/x.py": "import app.y\n"}
    found = memory.findings(
        base, head, policy=LAYERS.format(extra=""), task='allow-imports = ["app.a -> app.b"]\n'
    )
    assert [f for f in found if f.code.startswith("AC4")] == []
    # Without the allowance the first edge that completes the chain is reported.
    assert [m.split(" completes")[0] for m in chain_messages(base, head)] == [
        "AC401 app/a.py:1 new import app.a -> app.b"
    ]


def test_an_import_after_a_colon_at_the_base_is_not_new() -> None:
    # `try: import x` starts no line: the base is read by a parse, so an edit to the line is
    # not a new import.
    policy = LAYERS.format(extra="")
    base = {**APP, "app/low.py": "try: import app.top\nexcept ImportError: pass\n"}
    head = {**base, "app/low.py": "try: import app.top  # noqa\nexcept ImportError: pass\n"}
    assert memory.codes(memory.findings(base, head, policy=policy)) == []
    text = "x = 1; import app.top\nif x: from app import mid\n"
    layout = Layout([""], frozenset(APP))
    found = [(e.key, e.line, e.column) for e in scan("app/low.py", text, layout)]
    assert found == [(e.key, e.line, e.column) for e in parse("app/low.py", text, layout).edges]
    assert len(found) == 2


def test_prose_after_a_colon_is_no_import_and_leaves_the_statement_reading() -> None:
    # "Example: from x" in a docstring, a comment or a one-line string holds no import, so the
    # file is read statement by statement (the fast way); an import after `:` or `;` in code,
    # also after a string that spans lines closes on its line, makes scan parse it whole. Both
    # ways read the same edges.
    layout = Layout([""], frozenset(APP))
    prose = (
        '"""Example: from app import low\n"""\n'
        "# Phase 2: from app import mid\n"
        'NOTE = "a; import app.low"  # b: import app.low\n'
        'LONG = """x\ny"""; TAIL = "z: from app import low"\n'
        "import app.top\n"
    )
    code = [
        'LONG = """x\ny"""; import app.top\n',
        "try: import app.top\nexcept ImportError: pass\n",
        'x = "it\'s"; from app import mid\n',
    ]
    assert not _compound_in_code(prose, _long_strings(prose))
    assert all(_compound_in_code(text, _long_strings(text)) for text in code)
    for text in [prose, *code]:
        found = [(e.key, e.line, e.column) for e in scan("app/low.py", text, layout)]
        assert found == [(e.key, e.line, e.column) for e in parse("app/low.py", text, layout).edges]
        assert len(found) == 1


def test_an_fstring_that_holds_its_own_quote_is_found() -> None:
    # Python 3.12's f-strings may hold their own quote inside a field; the quotes of such a
    # text do not pair, so scan parses it whole there (the look itself is plain text work).
    reuses = [
        'x = f"{"#"}"; import app.top\n',
        "x = f'{d['k']}'\n",
        "x = rf\"{\"a\"}\" + Fr'{'b'}'\n",
        'x = f"{\'"\'}"\n',
        'x = f"{a}{b:{"w"}}"\n',
    ]
    pairs = [
        'x = f"{a}" + f"{d[\'k\']}"  # f"{x}"\n',
        'x = f"""{"a"}""" + "of" + f"{{"\n',
        'x = br"a" + r"{"  # no f-string\n',
        'x = f"open\n',
    ]
    assert [_reuses_quotes(text) for text in reuses] == [True] * len(reuses)
    assert [_reuses_quotes(text) for text in pairs] == [False] * len(pairs)


@pytest.mark.skipif(sys.version_info < (3, 12), reason="f-strings hold their own quotes from 3.12")
def test_scan_reads_an_import_beside_an_fstring_that_holds_its_own_quote() -> None:
    layout = Layout([""], frozenset(APP))
    for text in (
        'x = f"{"#"}"; import app.top\n',
        'TAG = f"{"#"}" + """\n"""\ntry: import app.top\nexcept ImportError: pass\n',
        'TAG = f"{"#"}" + """\n"""\nimport app.top\n',
    ):
        found = [(e.key, e.line, e.column) for e in scan("app/low.py", text, layout)]
        assert found == [(e.key, e.line, e.column) for e in parse("app/low.py", text, layout).edges]
        assert len(found) == 1


def test_raw_names_lead_to_the_modules_resolved_names_lead_to() -> None:
    # The memo keeps names as written (`from a import b` as a.b, whatever b is); the graph maps
    # each to its nearest module, which must be where the resolved name leads.
    files = {
        "pkg/__init__.py": "from pkg import sub\nfrom . import helper\n",
        "pkg/helper.py": "from pkg import func_not_module\nfrom pkg.sub import *\n",
        "pkg/sub/__init__.py": "from .. import helper\nfrom ..helper import thing\n",
        "pkg/sub/leaf.py": (
            "from . import leaf2, missing\nimport pkg.sub.leaf2.attr\n"
            "from ... import above_the_top\nimport importlib\n"
            'importlib.import_module(".leaf2", __package__)\n'
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import helper\n"
        ),
        "pkg/sub/leaf2.py": "from ns import mod\nfrom ns import folder\nimport ns\n",
        "ns/mod.py": "",
        "ns/folder/deep.py": "from ns.folder import deep\n",
    }
    layout = Layout([""], frozenset(files))
    modules = {layout.module_of(p): p for p in files}
    endpoints = {m: Endpoint(m, m, p) for m, p in modules.items() if m}
    for path, text in files.items():
        resolved = [
            (_node(e.imported.name, endpoints), e.line, e.column, e.type_only)
            for e in scan(path, text, layout)
        ]
        raw = [
            (_node(name, endpoints), line, column, type_only)
            for name, line, column, type_only in raw_edges(path, text, layout.roots)
        ]
        assert raw == resolved, path
    leaf = raw_edges("pkg/sub/leaf.py", files["pkg/sub/leaf.py"], layout.roots)
    assert sorted((line, name) for name, line, *_ in leaf) == [
        (1, "pkg.sub.leaf2"),
        (1, "pkg.sub.missing"),
        (2, "pkg.sub.leaf2.attr"),
        (4, "importlib"),
        (5, "pkg.sub.leaf2"),
        (6, "typing.TYPE_CHECKING"),
        (8, "pkg.helper"),
    ]


class RememberingReader(memory.MemoryReader):
    """The in-memory reader with a memo and git's blob ids, as the git reader has them; it
    counts the head's files read."""

    def __init__(self, base: memory.Files, head: memory.Files, memo: Memo) -> None:
        super().__init__(base, head)
        self.memo = memo
        self.read: list[str] = []

    def head(self, path: str) -> bytes | None:
        self.read.append(path)
        return super().head(path)

    def head_ids(self, paths: list[str]) -> dict[str, str]:
        found = {p: memory.MemoryReader.head(self, p) for p in paths}
        return {p: _blob_id(data) for p, data in found.items() if data is not None}

    def base_ids(self, paths: list[str]) -> dict[str, str]:
        found = {p: self.base(p) for p in paths}
        return {p: _blob_id(data) for p, data in found.items() if data is not None}


def _blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def test_a_memo_gives_what_reading_the_files_gives() -> None:
    policy = LAYERS.format(extra="")
    head = {**APP, "app/helper.py": "import os\nfrom app import top\n"}
    change, plain = memory.change_between(APP, head)
    expected = memory.run(change, plain, policy=policy)
    assert [f.code for f in expected] == ["AC401"]

    first = RememberingReader(APP, head, Memo())
    assert memory.run(change, first, policy=policy) == expected
    # Every module of the package at the head, and the changed file at the base.
    assert first.memo.added == len(APP) + 1
    kept = json.loads(json.dumps(first.memo.used))  # as the memo file keeps it

    again = RememberingReader(APP, head, Memo(lambda: kept))
    assert memory.run(change, again, policy=policy) == expected
    assert again.memo.added == 0
    # Of the package, only the changed file, for the direct check (and the contract files).
    assert {p for p in again.read if p.startswith("app/")} == {"app/helper.py"}
    assert {p for p in first.read if p.startswith("app/")} == set(APP)

    # Entries of the wrong shape (a memo file is anyone's to edit) are read anew.
    broken = {key: [["app.top", "one", 1, False]] for key in kept}
    spoiled = RememberingReader(APP, head, Memo(lambda: broken))
    assert memory.run(change, spoiled, policy=policy) == expected
    assert spoiled.memo.added == len(APP) + 1

    # A file whose blob changed is read again: the memo never stands for new text.
    later = {**APP, "app/other.py": "import app.top\n", "app/helper.py": "import app.other\n"}
    change, plain = memory.change_between(APP, later)
    expected = memory.run(change, plain, policy=policy)
    assert [f.message.split(" completes")[0] for f in expected] == [
        "new import app.helper -> app.other",
        "new import app.other -> app.top",
    ]
    remembered = RememberingReader(APP, later, Memo(lambda: kept))
    assert memory.run(change, remembered, policy=policy) == expected
    # helper.py and other.py at the head, the blobs it had not seen (their base blobs it had).
    assert remembered.memo.added == 2


@pytest.mark.e2e
def test_the_memo_kept_on_disk_between_runs(repo: Repo, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = clean_env(AGENTCHECK_CACHE_DIR=str(cache))
    env.pop("CI", None)  # a run in CI keeps no memo (below)
    repo.commit("base", {**BASE, ".importlinter": CONFIG.format(allow="True")})
    repo.write("src/app/helper.py", "import os\nimport app.top\n")
    before = repo.snapshot()
    first = repo.run("diff", "--format", "json", env=env)
    assert first.code == 1
    assert "completes a chain" in first.out
    [kept] = (cache / "memo").glob("*.json")
    saved = kept.read_bytes()
    assert len(json.loads(saved)["entries"]) == len(BASE) + 1  # the head's package, one base file
    again = repo.run("diff", "--format", "json", env=env)
    assert (again.code, again.out, again.err) == (first.code, first.out, first.err)
    assert kept.read_bytes() == saved  # nothing new to keep, so not written
    # A memo file that is not one, is another code's, or holds entries of the wrong shape is
    # read as no memo: the same report, no error.
    wrong = json.loads(saved)
    wrong["entries"] = {key: [["app.top", "1", 1, False]] for key in wrong["entries"]}
    junks = (
        b"{not json",
        b"[" * 200_000,  # deeper than Python's JSON reader goes
        b'{"stamp": "other", "entries": {}}',
        json.dumps(wrong).encode(),
    )
    for junk in junks:
        kept.write_bytes(junk)
        read = repo.run("diff", "--format", "json", env=env)
        assert (read.code, read.out, read.err) == (first.code, first.out, first.err)
    assert json.loads(kept.read_bytes()) == json.loads(saved)  # read again, and kept
    # Off: nothing kept.
    shutil.rmtree(cache)
    base = repo.git("rev-parse", "HEAD").strip()
    for args, extra in (
        (["--no-cache"], {}),
        ([], {"AGENTCHECK_NO_CACHE": "1"}),
        ([], {"CI": "true"}),
        (["--policy-from", base], {}),
    ):
        off = repo.run("diff", "--format", "json", *args, env={**env, **extra})
        assert (off.code, off.out) == (first.code, first.out)
        assert not cache.exists()
    assert repo.snapshot() == before

    # A relative cache folder would be the repository's own: no memo is kept there.
    relative = repo.run("diff", "--format", "json", env={**env, "AGENTCHECK_CACHE_DIR": "cache"})
    assert (relative.code, relative.out) == (first.code, first.out)
    assert repo.snapshot() == before
