"""Imports benchmark: agentcheck's import checks on a 20-file change, against cold
`lint-imports` and `tach check` on the same tree and contracts, then the same change on trees
1x, 4x and 16x the size.

Two trees, chosen with --tree:
- sympy (the default): the source distribution of sympy 1.13.3 from PyPI (1,517 Python files,
  ~740,000 lines), fetched once with `pip download` into --cache. Contracts in an .importlinter
  file (layers, forbidden, independence) and a tach.toml (the same layers) name sympy's own
  packages; like most real code, sympy already breaks some of them, which agentcheck leaves
  alone and lint-imports and tach report. The change appends imports to 20 real modules: six
  break contracts, fourteen are legal. The 4x and 16x trees add 3 and 15 copies of the package
  under other names (sympy_c1, ...), the change and contracts unchanged.
- generated: a package at sympy's file count (1,520 modules, ~225,000 lines, ~12,000 imports)
  whose every contract is kept: 8 layers, each holding subpackages of 10 modules that import
  inside their own subpackage and down the layers; bigger trees hold more subpackages. No
  network needed.

Run: python bench/imports.py [--tree sympy|generated] [--runs N] [--keep DIR]
(needs `pip install -e '.[bench]'`). The commands run in interleaved rounds (one of each, N
times), so the machine's load falls on all alike; the figures are medians.
Targets (issue 3): agentcheck >= 3x faster than cold lint-imports on the base tree, and its time
flat (within 1.5x) as the tree grows 16x. Issue 17: the fourteen legal imports are edges inside
sympy, and the layers and independence contracts forbid chains, so the change makes agentcheck
read sympy's import graph at the head (every file of the package, through git); the target
there is >= 2x faster than cold lint-imports, and a change that adds no edge inside the package
as fast as before: the `quiet` branch changes the same 20 files without a new import, and the
bench prints both times with lint-imports' over each. --scales 1 builds the base tree alone.

agentcheck keeps what reading a file's imports found by blob id between runs (its memo, in the
user's cache folder; here a folder of the bench's own), so after the first round it reads only
the blobs it has not seen, as a second pre-commit or hook run on a working tree does; its
figures are with that memo warm unless the label says --no-cache (every file read, as the
first run on a tree, or the Action, reads them). lint-imports runs cold (--no-cache) and warm
(its own cache kept between runs) for the same comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from _common import ENV as BASE_ENV  # bench/ is on sys.path when run as a script
from _common import Command, git, measure

# Bytecode is cached (outside the checkout) as an installed package would have it.
ENV = {
    **BASE_ENV,
    "PYTHONPYCACHEPREFIX": os.path.join(tempfile.gettempdir(), "agentcheck-bench-pycache"),
}
LAYERS = 8
SUBPACKAGES = 19  # per layer, in the base (1x) tree
MODULES = 10  # per subpackage
FUNCTIONS = 24  # per module: ~150 lines
SCALES = (1, 4, 16)

IMPORTLINTER = """[importlinter]
root_package = bigpkg
include_external_packages = False

[importlinter:contract:layers]
name = bigpkg layers
type = layers
layers =
{layers}

[importlinter:contract:forbidden]
name = l1 keeps off l7.s0
type = forbidden
source_modules =
    bigpkg.l1
forbidden_modules =
    bigpkg.l7.s0
allow_indirect_imports = True

[importlinter:contract:independence]
name = l3.s0 and l3.s1 are independent
type = independence
modules =
    bigpkg.l3.s0
    bigpkg.l3.s1
"""
TACH = """source_roots = ["src"]
exclude = []
layers = [{layers}]
{modules}
"""


def targets(layer: int, sub: int, module: int, subpackages: int) -> list[str]:
    """The modules one module imports: inside its subpackage and down the layers, never into
    l7.s0 from l1; the base tree's modules only import base-tree modules."""
    rng = random.Random(f"{layer}.{sub}.{module}")
    reach = SUBPACKAGES if sub < SUBPACKAGES else subpackages
    found = [f"bigpkg.l{layer}.s{sub}.m{rng.randrange(MODULES)}" for _ in range(3)]
    for _ in range(5):
        if layer == LAYERS - 1:
            break
        low = rng.randrange(layer + 1, LAYERS)
        other = rng.randrange(reach)
        if layer == 1 and low == 7 and other == 0:
            other = 1
        found.append(f"bigpkg.l{low}.s{other}.m{rng.randrange(MODULES)}")
    me = f"bigpkg.l{layer}.s{sub}.m{module}"
    return sorted({t for t in found if t != me})


def module_text(layer: int, sub: int, module: int, subpackages: int, extra: str = "") -> str:
    lines = ['"""Generated module."""', "", "from __future__ import annotations", ""]
    for target in targets(layer, sub, module, subpackages):
        package, _, name = target.rpartition(".")
        lines.append(f"from {package} import {name}")
    lines += ["import os", "import typing", ""]
    lines += extra.splitlines()
    for n in range(FUNCTIONS):
        lines += [
            "",
            f"def function_{n}(value: int) -> int:",
            f'    """Function {n} of module {module}."""',
            f"    total = value + {n}",
            "    for step in range(3):",
            "        total += step * 2",
            "    return total",
        ]
    return "\n".join(lines) + "\n"


def build_generated(root: Path, scale: int) -> str:
    """A repository with the tree at SCALE and the change committed on top; returns base sha."""
    subpackages = SUBPACKAGES * scale
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    src = root / "src" / "bigpkg"
    src.mkdir(parents=True)
    (src / "__init__.py").write_text("")
    for layer in range(LAYERS):
        (src / f"l{layer}").mkdir()
        (src / f"l{layer}" / "__init__.py").write_text("")
        for sub in range(subpackages):
            folder = src / f"l{layer}" / f"s{sub}"
            folder.mkdir()
            (folder / "__init__.py").write_text("")
            for module in range(MODULES):
                (folder / f"m{module}.py").write_text(module_text(layer, sub, module, subpackages))
    layers = "\n".join(f"    bigpkg.l{n}" for n in range(LAYERS))
    (root / ".importlinter").write_text(IMPORTLINTER.format(layers=layers))
    modules = "\n".join(
        f'[[modules]]\npath = "bigpkg.l{n}"\nlayer = "l{n}"\n' for n in range(LAYERS)
    )
    names = ", ".join(f'"l{n}"' for n in range(LAYERS))
    (root / "tach.toml").write_text(TACH.format(layers=names, modules=modules))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    base = git(root, "rev-parse", "HEAD").strip()
    for index, (layer, sub, module, extra) in enumerate(CHANGE):
        path = src / f"l{layer}" / f"s{sub}" / f"m{module}.py"
        text = module_text(layer, sub, module, subpackages, extra)
        path.write_text(text.replace("total = value + 0", f"total = value + {index + 100}"))
    git(root, "commit", "-q", "-am", "a 20-file change")
    changed = [src / f"l{layer}" / f"s{sub}" / f"m{module}.py" for layer, sub, module, _ in CHANGE]
    commit_quiet(root, base, changed)
    return base


QUIET = "\n\ndef _bench_quiet() -> int:\n    return 1\n"


def commit_quiet(root: Path, base: str, paths: list[Path]) -> None:
    """Branch `quiet`: from BASE, the same files changed without a new import (a function
    appended to each), so the import check reads the change but no graph."""
    git(root, "checkout", "-q", "-b", "quiet", base)
    for path in paths:
        path.write_text(path.read_text(encoding="utf-8") + QUIET, encoding="utf-8")
    git(root, "commit", "-q", "-am", "a 20-file change without imports")
    git(root, "checkout", "-q", "main")


LEGAL = "0.3 0.8 1.2 1.9 2.4 2.12 3.6 3.15 4.1 4.13 5.3 5.17 6.6 6.18"  # layer.subpackage
# (layer, subpackage, module, added lines): 20 modules of the base tree; six new imports break
# a contract (4 up the layers, 1 forbidden, 1 between independent modules), the rest are legal.
CHANGE = [
    (6, 2, 1, "from bigpkg.l2.s3 import m4"),
    (5, 7, 3, "import bigpkg.l0.s1.m2"),
    (7, 11, 0, "from bigpkg.l4 import s5"),
    (4, 0, 9, "def late():\n    from bigpkg.l1.s0 import m0\n    return m0"),
    (1, 5, 5, "from bigpkg.l7.s0 import m3"),
    (3, 0, 2, "from bigpkg.l3.s1 import m8"),
    *[
        (int(layer), int(sub), 4, f"from bigpkg.l{int(layer) + 1}.s{sub} import m1")
        for layer, sub in (pair.split(".") for pair in LEGAL.split())
    ],
]
EXPECTED = {"AC401": 8, "AC402": 1, "AC403": 1}  # AC401 from both files


SYMPY = "sympy==1.13.3"
SYMPY_IMPORTLINTER = """[importlinter]
root_package = sympy
include_external_packages = False

[importlinter:contract:layers]
name = applications above the core
type = layers
layers =
    sympy.physics | sympy.stats | sympy.vector
    sympy.plotting
    sympy.core
exhaustive = False

[importlinter:contract:forbidden]
name = algebra never plots
type = forbidden
source_modules =
    sympy.core
    sympy.polys
forbidden_modules =
    sympy.plotting
allow_indirect_imports = True

[importlinter:contract:independence]
name = crypto and unify stand apart
type = independence
modules =
    sympy.crypto
    sympy.unify
"""
SYMPY_TACH = """source_roots = ["src"]
exclude = ["**/tests"]
layers = ["applications", "plotting", "core"]
""" + "".join(
    f'\n[[modules]]\npath = "sympy.{name}"\nlayer = "{layer}"\n'
    for name, layer in (
        ("physics", "applications"),
        ("stats", "applications"),
        ("vector", "applications"),
        ("plotting", "plotting"),
        ("core", "core"),
    )
)
# Module (under src/) -> the lines appended to it. Six break contracts: core -> physics, plotting
# -> stats and core -> vector (in a function) go up the layers of both files; polys -> plotting
# is forbidden; core -> plotting is forbidden and goes up both layers; crypto -> unify joins
# independent packages. Fourteen import the core from elsewhere, which every contract allows.
SYMPY_CHANGE = {
    "sympy/core/power.py": "from sympy.physics import units",
    "sympy/plotting/textplot.py": "from sympy.stats import Normal",
    "sympy/core/relational.py": "def _late():\n    from sympy.vector import CoordSys3D\n"
    "    return CoordSys3D",
    "sympy/polys/polytools.py": "from sympy.plotting import plot",
    "sympy/core/add.py": "import sympy.plotting.textplot",
    "sympy/crypto/crypto.py": "from sympy.unify import unify",
    **{
        f"sympy/{module}.py": "from sympy.core.numbers import Integer"
        for module in (
            "physics/units/util",
            "stats/rv",
            "vector/vector",
            "plotting/plot",
            "core/mul",
            "polys/rings",
            "matrices/dense",
            "sets/sets",
            "simplify/simplify",
            "solvers/solvers",
            "integrals/integrals",
            "series/order",
            "logic/boolalg",
            "geometry/point",
        )
    },
}
SYMPY_EXPECTED = {"AC401": 8, "AC402": 2, "AC403": 1}  # AC401 from both files
_SYMPY_WORD = re.compile(rb"\bsympy\b")


def sympy_sdist(cache: Path) -> Path:
    """sympy's source distribution, downloaded into CACHE on first use."""
    cache.mkdir(parents=True, exist_ok=True)
    found = sorted(cache.glob("sympy-*.tar.gz"))
    if not found:
        print(f"downloading {SYMPY} (source distribution) into {cache} ...", flush=True)
        subprocess.run(
            [
                *(sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"),
                *("--dest", str(cache), "--quiet", SYMPY),
            ],
            check=True,
        )
        found = sorted(cache.glob("sympy-*.tar.gz"))
    if not found:
        sys.exit(f"no sympy source distribution in {cache}; run with --tree generated offline")
    return found[-1]


def build_sympy(root: Path, scale: int, sdist: Path) -> str:
    """sympy (and SCALE - 1 renamed copies) with the change committed on top; returns base."""
    shutil.rmtree(root, ignore_errors=True)
    (root / "src").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    with tarfile.open(sdist) as archive:
        for member in archive.getmembers():
            parts = member.name.split("/")
            if len(parts) < 3 or parts[1] != "sympy" or not member.isfile():
                continue
            data = archive.extractfile(member)
            assert data is not None
            content = data.read()
            for copy in range(scale):
                name = "sympy" if copy == 0 else f"sympy_c{copy}"
                target = root / "src" / name / Path(*parts[2:])
                target.parent.mkdir(parents=True, exist_ok=True)
                if copy and target.suffix == ".py":
                    target.write_bytes(_SYMPY_WORD.sub(name.encode(), content))
                else:
                    target.write_bytes(content)
    (root / ".importlinter").write_text(SYMPY_IMPORTLINTER)
    (root / "tach.toml").write_text(SYMPY_TACH)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    base = git(root, "rev-parse", "HEAD").strip()
    for module, text in SYMPY_CHANGE.items():
        path = root / "src" / module
        path.write_text(path.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")
    git(root, "commit", "-q", "-am", "a 20-file change")
    commit_quiet(root, base, [root / "src" / module for module in SYMPY_CHANGE])
    return base


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        sys.exit(f"{name} is not installed: pip install -e '.[bench]'")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", choices=("sympy", "generated"), default="sympy")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--scales", default=",".join(map(str, SCALES)), help="tree sizes to build (1,4,16)"
    )
    parser.add_argument("--keep", type=Path, help="build the repositories here and keep them")
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "agentcheck-bench-downloads",
        help="where the sympy source distribution is kept between runs",
    )
    args = parser.parse_args()
    scales = tuple(int(n) for n in args.scales.split(","))
    sdist = sympy_sdist(args.cache) if args.tree == "sympy" else None
    expected = SYMPY_EXPECTED if sdist is not None else EXPECTED
    agentcheck, lint_imports, tach = tool("agentcheck"), tool("lint-imports"), tool("tach")
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="agentcheck-imports-bench-"))
    memo = workdir / "agentcheck-memo"  # agentcheck's memo, the bench's own, emptied first
    shutil.rmtree(memo, ignore_errors=True)
    ENV["AGENTCHECK_CACHE_DIR"] = str(memo)
    try:
        commands: dict[str, Command] = {}
        for scale in scales:
            root = workdir / f"tree-{scale}x"
            started = time.perf_counter()
            base = build_sympy(root, scale, sdist) if sdist else build_generated(root, scale)
            files = git(root, "ls-files", "--", "*.py").count("\n")
            lines = sum(len(p.read_bytes().splitlines()) for p in (root / "src").rglob("*.py"))
            print(
                f"{scale:>2}x tree: {files:,} Python files, {lines:,} lines "
                f"(built in {time.perf_counter() - started:.1f} s)"
            )
            diff = [agentcheck, "diff", f"{base}..HEAD", "--format", "json"]
            commands[f"{scale}x agentcheck"] = Command("agentcheck diff", diff, root, ENV)
            commands[f"{scale}x imports"] = Command(
                "agentcheck diff --select AC4", [*diff, "--select", "AC4"], root, ENV
            )
            commands[f"{scale}x imports cold"] = Command(
                "agentcheck diff --select AC4 --no-cache (every file read)",
                [*diff, "--select", "AC4", "--no-cache"],
                root,
                ENV,
            )
            commands[f"{scale}x floor"] = Command(
                "agentcheck diff --select AC103 (floor: start-up, reading the change)",
                [*diff, "--select", "AC103"],
                root,
                ENV,
            )
            if scale == 1:
                commands["1x quiet"] = Command(
                    "agentcheck diff --select AC4, the same files without a new import",
                    [agentcheck, "diff", f"{base}..quiet", "--format", "json", "--select", "AC4"],
                    root,
                    ENV,
                )
                env = {**ENV, "PYTHONPATH": str(root / "src")}
                commands["lint-imports"] = Command(
                    "lint-imports --no-cache (cold)", [lint_imports, "--no-cache"], root, env
                )
                commands["lint-imports warm"] = Command(
                    "lint-imports (its cache kept)", [lint_imports], root, env
                )
                commands["tach"] = Command("tach check", [tach, "check"], root, ENV)
        measure(list(commands.values()), args.runs)
        print(f"\n{args.runs} interleaved rounds, medians (seconds):")
        for scale in scales:
            print(f"{scale:>2}x tree")
            keys = ("agentcheck", "imports", "imports cold", "floor")
            for key in (f"{scale}x {k}" for k in keys):
                command = commands[key]
                note = ""
                if key.endswith("agentcheck"):
                    assert command.last is not None
                    found = json.loads(command.last.stdout)["findings"]
                    counts = {c: sum(f["code"] == c for f in found) for c in expected}
                    note = f"   {counts} " + (
                        "as expected" if counts == expected else f"EXPECTED {expected}"
                    )
                print(f"  {command.label:<68} {command.median:6.3f}{note}")
            if scale == 1:
                for key in ("1x quiet", "lint-imports", "lint-imports warm", "tach"):
                    command = commands[key]
                    print(f"  {command.label:<68} {command.median:6.3f}")
        ours = commands["1x agentcheck"].median
        cold = commands["lint-imports"].median
        tached = commands["tach"].median
        work = commands["1x imports"].median - commands["1x floor"].median
        print(
            f"\nlint-imports (cold) / agentcheck on the base tree: {cold / ours:.2f}x   "
            f"target >= 3x: {'met' if cold / ours >= 3 else 'MISSED'}"
        )
        print(f"tach check / agentcheck on the base tree: {tached / ours:.2f}x")
        print(
            f"the import check's own time on the base tree (--select AC4 minus the floor): "
            f"{work:.3f} s; lint-imports / that: {cold / max(work, 1e-3):.1f}x"
        )
        edged = commands["1x imports"].median
        edged_cold = commands["1x imports cold"].median
        quiet = commands["1x quiet"].median
        warm = commands["lint-imports warm"].median
        print(
            f"issue 17, a change that adds edges inside a contract package (chains read), memo "
            f"warm: {edged:.3f} s; lint-imports (cold) / that: {cold / edged:.2f}x   "
            f"target >= 2x: {'met' if cold / edged >= 2 else 'MISSED'}; "
            f"lint-imports (warm) / that: {warm / edged:.2f}x"
        )
        print(
            f"issue 17, the same change with --no-cache (every file read): {edged_cold:.3f} s; "
            f"lint-imports (cold) / that: {cold / edged_cold:.2f}x   "
            f"target >= 2x: {'met' if cold / edged_cold >= 2 else 'MISSED'}"
        )
        print(
            f"issue 17, the same files without a new import (no graph read): {quiet:.3f} s; "
            f"lint-imports / that: {cold / quiet:.2f}x"
        )
        if len(scales) > 1:
            steps = ", ".join(f"{s}x {commands[f'{s}x agentcheck'].median:.3f} s" for s in scales)
            growth = commands[f"{scales[-1]}x agentcheck"].median / ours
            print(
                f"agentcheck as the tree grows: {steps}; {scales[-1]}x / 1x = {growth:.2f}   "
                f"target <= 1.5x: {'met' if growth <= 1.5 else 'MISSED'}"
            )
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
