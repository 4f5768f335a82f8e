"""Agreement with import-linter itself: on generated packages, for a series of changes, the
contracts import-linter newly reports broken between the parent and the child tree are exactly
the contracts agentcheck reports for the change.

Two kinds of series. Direct: the packages are generated so that no chain can break a contract
without a direct import breaking it too (top-level packages import only earlier ones, every
module of a layered package sits in a layer, delta's containers import only inside themselves,
and the forbidden contracts allow indirect imports). Chains (issue 17): any module may import
any other, so changes complete, extend and break chains (a -> b -> c where only the chain
breaks a layers or independence contract), and agentcheck must see them as lint-imports does."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from tests import examples
from tests.conftest import Repo, clean_env

LINT_IMPORTS = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which(
    "lint-imports"
)
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        LINT_IMPORTS is None, reason="import-linter is not installed (pip install -e '.[test]')"
    ),
]

CONFIG = """[importlinter]
root_packages =
    util
    alpha
    delta
    beta
    gamma
include_external_packages = True
exclude_type_checking_imports = True

[importlinter:contract:alpha]
name = alpha layers
type = layers
layers =
    alpha.api
    alpha.svc | alpha.jobs
    alpha.db
ignore_imports =
    alpha.db.m0 -> alpha.api.*
unmatched_ignore_imports_alerting = none

[importlinter:contract:delta]
name = delta layers
type = layers
containers =
    delta.one
    delta.two
layers =
    api
    logic : hooks
    data

[importlinter:contract:beta]
name = beta independence
type = independence
modules =
    beta.*

[importlinter:contract:gamma-ui]
name = gamma ui forbidden
type = forbidden
source_modules =
    gamma.ui
forbidden_modules =
    gamma.db
    sqlite3
allow_indirect_imports = True

[importlinter:contract:gamma-core]
name = gamma core keeps off alpha db
type = forbidden
source_modules =
    gamma.core
forbidden_modules =
    alpha.db
allow_indirect_imports = True
"""
CONTRACTS = (
    "alpha layers",
    "delta layers",
    "beta independence",
    "gamma ui forbidden",
    "gamma core keeps off alpha db",
)
# Top-level packages in import order: each may import the ones before it.
LAYOUT: dict[str, tuple[str, ...]] = {
    "util": (),
    "alpha": ("api", "svc", "jobs", "db"),
    "delta": (
        "one.api",
        "one.logic",
        "one.hooks",
        "one.data",
        "two.api",
        "two.logic",
        "two.data",
        "two.hooks",
    ),
    "beta": ("a", "b", "c"),
    "gamma": ("ui", "core", "db"),
}
ORDER = tuple(LAYOUT)


class Block(NamedTuple):
    """One import written in a module: its target module and the form it is written in."""

    target: str
    form: str


def _package_of(module: str) -> str:
    return module.rpartition(".")[0]


def _relative(importer: str, target: str) -> str | None:
    """`from .. import x` text for TARGET seen from IMPORTER, when they share a package."""
    here = _package_of(importer).split(".")
    there = target.split(".")
    if here[0] != there[0]:
        return None
    common = 0
    while common < min(len(here), len(there) - 1) and here[common] == there[common]:
        common += 1
    dots = "." * (len(here) - common + 1)
    rest = there[common:]
    head, name = ".".join(rest[:-1]), rest[-1]
    return f"from {dots}{head} import {name}"


def render(importer: str, block: Block, index: int) -> str:
    target = block.target
    parent, _, name = target.rpartition(".")
    if block.form == "import":
        return f"import {target}"
    if block.form == "from" and parent:
        return f"from {parent} import {name}"
    if block.form == "name":
        return f"from {target} import Thing{index}"
    if block.form == "relative":
        text = _relative(importer, target)
        if text is not None:
            return text
    if block.form == "function":
        return f"def use_{index}():\n    import {target}\n    return {target}"
    if block.form == "try":
        return f"try:\n    import {target}\nexcept ImportError:\n    pass"
    if block.form == "typing":
        return f"if TYPE_CHECKING:\n    import {target}"
    return f"import {target}"


FORMS = ("import", "from", "name", "relative", "function", "try", "typing")


class Tree:
    """The generated packages: module -> its import blocks."""

    def __init__(self, rng: random.Random, chains: bool = False) -> None:
        self.rng = rng
        self.chains = chains  # any module may import any other: chains form
        self.modules: dict[str, list[Block]] = {}
        self.packages: set[str] = set()
        for top, subs in LAYOUT.items():
            self.packages.add(top)
            for sub in subs or ("",):
                package = f"{top}.{sub}" if sub else top
                parts = package.split(".")
                self.packages.update(".".join(parts[: i + 1]) for i in range(len(parts)))
                for number in range(3):
                    self.modules[f"{package}.m{number}"] = []
        self.counter = 100

    @staticmethod
    def path(module: str, package: bool = False) -> str:
        base = "src/" + module.replace(".", "/")
        return base + "/__init__.py" if package else base + ".py"

    def files(self) -> dict[str, str]:
        found = {self.path(p, True): "" for p in self.packages}
        for module, blocks in self.modules.items():
            lines = (
                ["from typing import TYPE_CHECKING"]
                if any(b.form == "typing" for b in blocks)
                else []
            )
            lines += [render(module, b, i) for i, b in enumerate(blocks)]
            found[self.path(module)] = "\n".join([*lines, "VALUE = 1", ""])
        return found

    def reach(self, importer: str) -> list[str]:
        """What IMPORTER may import without an indirect chain the contracts would see."""
        top = importer.split(".", maxsplit=1)[0]
        allowed = ORDER if self.chains else ORDER[: ORDER.index(top) + 1]
        found = []
        for name in [*self.modules, *self.packages]:
            other = name.split(".")[0]
            if other not in allowed or name in (importer, top):
                continue
            if (
                not self.chains
                and top == "delta"
                and other == "delta"
                and name.split(".")[:2] != importer.split(".")[:2]
            ):
                continue  # delta's containers import only inside themselves
            found.append(name)
        if top == "gamma":
            found += ["sqlite3", "sqlite3.dbapi2", "os"]
        return sorted(found)

    def imported(self) -> set[str]:
        return {b.target for blocks in self.modules.values() for b in blocks}

    def change(self) -> str:
        """Apply one random edit; return what it did, for messages."""
        rng = self.rng
        module = rng.choice(sorted(self.modules))
        blocks = self.modules[module]
        action = rng.choices(
            ("add", "remove", "move", "reorder", "rename", "new"), (8, 3, 2, 1, 1, 1)
        )[0]
        if action == "remove" and blocks:
            gone = blocks.pop(rng.randrange(len(blocks)))
            return f"remove {module} -> {gone.target}"
        if action == "move" and blocks:
            block = blocks.pop(rng.randrange(len(blocks)))
            form = rng.choice(("import", "function", "try")) if block.form != "typing" else "typing"
            blocks.insert(rng.randrange(len(blocks) + 1), block._replace(form=form))
            return f"move {module} -> {block.target}"
        if action == "reorder" and len(blocks) > 1:
            rng.shuffle(blocks)
            return f"reorder {module}"
        if action == "rename" and module not in self.imported():
            top = module.split(".")[0]
            homes = sorted({_package_of(m) for m in self.modules if m.split(".")[0] == top})
            self.counter += 1
            new = f"{rng.choice(homes)}.m{self.counter}"
            self.modules[new] = self.modules.pop(module)
            return f"rename {module} to {new}"
        if action == "new":
            self.counter += 1
            new = f"{_package_of(module)}.m{self.counter}"
            self.modules[new] = [
                Block(rng.choice(self.reach(new)), rng.choice(FORMS))
                for _ in range(rng.randint(1, 3))
            ]
            return f"new module {new}"
        target = rng.choice(self.reach(module))
        form = rng.choice(FORMS)
        blocks.insert(rng.randrange(len(blocks) + 1), Block(target, form))
        return f"add {module} -> {target} ({form})"


def write(repo: Repo, tree: Tree) -> None:
    src = repo.root / "src"
    if src.exists():
        shutil.rmtree(src)
    for path, text in tree.files().items():
        repo.write(path, text)


def lint_imports(root: Path, *, every: bool = False) -> dict[str, bool]:
    """Contract name -> broken, as lint-imports reports it (no cache: a cold run): for each of
    the series' CONTRACTS (each must be reported), or, with EVERY, each contract it names."""
    assert LINT_IMPORTS is not None
    done = subprocess.run(
        [LINT_IMPORTS, "--no-cache"],
        cwd=root,
        env=clean_env(PYTHONPATH=str(root / "src")),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if every:
        found = re.findall(r"^(.+) (KEPT|BROKEN)\b", done.stdout, re.MULTILINE)
        assert found, f"lint-imports named no contract:\n{done.stdout}{done.stderr}"
        return {name: state == "BROKEN" for name, state in found}
    status = {}
    for name in CONTRACTS:
        line = re.search(rf"^{re.escape(name)} (KEPT|BROKEN)\b", done.stdout, re.MULTILINE)
        assert line is not None, (
            f"lint-imports said nothing of {name!r}:\n{done.stdout}{done.stderr}"
        )
        status[name] = line.group(1) == "BROKEN"
    assert done.returncode == (1 if any(status.values()) else 0), done.stdout + done.stderr
    return status


def agentcheck_contracts(repo: Repo) -> set[str]:
    result = repo.run("diff", "HEAD~1..HEAD", "--format", "json", "--select", "AC4")
    assert result.code in (0, 1), result.err
    names = set()
    for finding in result.json()["findings"]:
        assert finding["code"] in ("AC401", "AC402", "AC403"), finding
        match = re.search(r"breaks contract '([^']*)' \(\.importlinter\)", finding["message"])
        assert match is not None, finding["message"]
        names.add(match.group(1))
    return names


class Tally(NamedTuple):
    changes: int
    newly_broken: int  # (change, contract) pairs import-linter newly reports broken
    compared: int  # (change, contract) pairs compared: the contract was kept at the parent


def run_series(repo: Repo, seed: int, changes: int, chains: bool = False) -> Tally:
    rng = random.Random(seed)
    tree = Tree(rng, chains)
    repo.write(".importlinter", CONFIG)
    write(repo, tree)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "generated packages")
    parent = lint_imports(repo.root)
    assert not any(parent.values()), parent
    newly_total = compared = 0
    clean = {m: list(b) for m, b in tree.modules.items()}
    for step in range(changes):
        if any(parent.values()) and rng.random() < 0.6:
            # Back to the last tree that kept every contract, so the next change can break
            # them anew: a contract that stays broken compares nothing.
            tree.modules = {m: list(b) for m, b in clean.items()}
            write(repo, tree)
            repo.git("add", "-A")
            repo.git("commit", "-q", "--allow-empty", "-m", f"back to clean before {step}")
            parent = dict.fromkeys(CONTRACTS, False)
        done = [tree.change() for _ in range(rng.randint(1, 3))]
        write(repo, tree)
        repo.git("add", "-A")
        repo.git("commit", "-q", "--allow-empty", "-m", f"change {step}")
        child = lint_imports(repo.root)
        newly = {name for name in CONTRACTS if child[name] and not parent[name]}
        reported = agentcheck_contracts(repo)
        kept_before = {name for name in CONTRACTS if not parent[name]}
        assert reported & kept_before == newly, (
            f"seed {seed}, change {step} ({'; '.join(done)}): import-linter newly broke "
            f"{sorted(newly)}, agentcheck reported {sorted(reported)}\n"
            + repo.git("show", "--format=", "HEAD")
        )
        newly_total += len(newly)
        compared += len(kept_before)
        parent = child
        if not any(child.values()):
            clean = {m: list(b) for m, b in tree.modules.items()}
    return Tally(changes, newly_total, compared)


def test_agreement_with_import_linter(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    tally = run_series(repo, seed=7, changes=12)
    assert tally.newly_broken >= 3, "the series should break contracts, or it proves little"
    with capsys.disabled():
        print(f"\nimport-linter agreement: {tally}")


def test_agreement_with_import_linter_on_chains(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    tally = run_series(repo, seed=11, changes=12, chains=True)
    assert tally.newly_broken >= 3, "the series should break contracts, or it proves little"
    with capsys.disabled():
        print(f"\nimport-linter agreement on chains: {tally}")


@pytest.mark.slow
@pytest.mark.parametrize("chains", [False, True])
# Three seeds of 30 changes in CI; one of 10 day to day (each change runs lint-imports and
# agentcheck, and the two tests above run two more series of 12).
@pytest.mark.parametrize("seed", [1, 2, 3] if examples.PROFILE == "ci" else [1])
def test_agreement_with_import_linter_long(
    repo: Repo, seed: int, chains: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    changes = 30 if examples.PROFILE == "ci" else 10
    tally = run_series(repo, seed=seed, changes=changes, chains=chains)
    with capsys.disabled():
        print(f"\nimport-linter agreement, seed {seed}, chains {chains}: {tally}")
