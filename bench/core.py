"""Core benchmark: builds a 5,000-file repository and prints medians for `agentcheck --version`,
a 5-file staged check, a 2,000-file / 100,000-changed-line range, and git's own diff of that
range (`git diff -M -U0` and `git diff -M --numstat`) as the floor.

The staged check's floor is the start-up it cannot avoid: the same Python importing click (the
command line's library). Much of a staged check is that start-up, which is why its figure moves
with the host's speed; the share above the floor is agentcheck's own.

Run: python bench/core.py [--runs N] [--keep DIR] (the agentcheck beside this Python is measured)
Targets (issue 2): --version <= 0.15 s; staged check <= 0.30 s; the range within 5x of git.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ENV, Command, git, measure  # bench/ is on sys.path when run as a script

FILES = 5000
CHANGED_FILES = 2000
LINES_PER_FILE = 60


def source(index: int, version: int) -> str:
    lines = [
        f"def function_{index}_{n}(value):" if n % 6 == 0 else f"    value += {n} * {index}"
        for n in range(LINES_PER_FILE)
    ]
    if version:
        # 25 lines replaced: 25 removed + 25 added = 50 changed lines per file.
        for n in range(1, LINES_PER_FILE, 2)[:25]:
            lines[n] = f"    value -= {n} + {index} + {version}"
    return "\n".join(lines) + "\n"


STARTUP = "python -c 'import click' (start-up floor)"


def _package_of() -> str:
    """Where this Python (the measured agentcheck's) loads the package from: an installed copy,
    or a checkout through an editable install (whose import hook costs start-up time)."""
    done = subprocess.run(
        [sys.executable, "-c", "import checker; print(checker.__file__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    where = Path(done.stdout.strip()).parent if done.returncode == 0 else None
    if where is None:
        return "package location unknown"
    kind = "installed" if "site-packages" in where.parts else "editable install of a checkout"
    return f"package at {where} ({kind})"


def build(root: Path) -> tuple[str, str]:
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    for i in range(FILES):
        path = root / f"pkg{i // 100:02d}" / f"module_{i}.py"
        path.parent.mkdir(exist_ok=True)
        path.write_text(source(i, 0))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    base = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
    for i in range(CHANGED_FILES):
        (root / f"pkg{i // 100:02d}" / f"module_{i}.py").write_text(source(i, 1))
    git(root, "commit", "-q", "-am", "large change")
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
    for i in range(5):  # a small staged change on top
        (root / f"pkg{i // 100:02d}" / f"module_{i}.py").write_text(source(i, 2))
    git(root, "add", "-A")
    return base, head


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build the repository here and keep it")
    args = parser.parse_args()
    agentcheck = shutil.which("agentcheck", path=str(Path(sys.executable).parent)) or "agentcheck"
    workdir = Path(tempfile.mkdtemp(prefix="agentcheck-bench-"))
    root = args.keep or workdir / "repo"
    try:
        started = time.perf_counter()
        base, head = build(root)
        print(
            f"built {FILES:,} files, {CHANGED_FILES:,} changed x 50 lines in "
            f"{time.perf_counter() - started:.1f} s; {args.runs} interleaved rounds, medians:"
        )
        rng = f"{base}..{head}"
        print(f"  measuring {agentcheck}, {_package_of()}")
        rows = [
            ("agentcheck --version", [agentcheck, "--version"], 0.15),
            ("agentcheck diff --staged (5 files)", [agentcheck, "diff", "--staged"], 0.30),
            (STARTUP, [sys.executable, "-c", "import click"], None),
            (
                "agentcheck diff RANGE (2,000 files, 100,000 lines)",
                [agentcheck, "diff", rng, "--fail-on", "never"],
                None,
            ),
            ("git diff -M -U0 RANGE", ["git", "diff", "-M", "-U0", rng], None),
            ("git diff -M --numstat RANGE", ["git", "diff", "-M", "--numstat", rng], None),
        ]
        commands = [Command(name, argv, root, ENV) for name, argv, _ in rows]
        measure(commands, args.runs)
        results = {command.label: command.median for command in commands}
        for name, _, target in rows:
            seconds = results[name]
            verdict = (
                ""
                if target is None
                else (f"  target <= {target:.2f} s: {'met' if seconds <= target else 'MISSED'}")
            )
            print(f"  {name:<52} {seconds:8.3f} s{verdict}")
        staged = results["agentcheck diff --staged (5 files)"]
        print(
            f"  staged check above its start-up floor: {staged - results[STARTUP]:.3f} s "
            f"({staged / results[STARTUP]:.2f}x the floor)"
        )
        large = results["agentcheck diff RANGE (2,000 files, 100,000 lines)"]
        floor = results["git diff -M -U0 RANGE"]
        ratio = large / floor
        print(
            f"  range vs git diff -M -U0: {ratio:.2f}x  target <= 5x: "
            f"{'met' if ratio <= 5 else 'MISSED'}"
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
