"""Indirect chains (issue 17): a new import that completes a chain through other modules breaks
an import-linter contract that forbids indirect imports, as lint-imports itself judges it; the
same chain under allow_indirect_imports, or one the base already had, is no finding."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

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
    assert LINT_IMPORTS is not None
    done = subprocess.run(
        [LINT_IMPORTS, "--no-cache"],
        cwd=root,
        env=clean_env(PYTHONPATH=str(root / "src")),
        capture_output=True,
        text=True,
        check=False,
    )
    return set(re.findall(r"^(.+) BROKEN\b", done.stdout, re.MULTILINE))


def contracts(repo: Repo) -> set[str]:
    found = set()
    for finding in diff_findings(repo):
        named = re.search(r"contract '([^']+)'", finding["message"])
        if named:
            found.add(named.group(1))
    return found


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
