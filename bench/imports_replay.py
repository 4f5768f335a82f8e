"""Replay a real project's history under its own import-linter contracts, with lint-imports as
the judge (issue 17): for each of the last N commits that change a Python file, lint-imports
runs on the parent's tree and on the commit's tree, both with the parent's configuration; the
contracts broken at the commit and kept at the parent are the ones it newly breaks. agentcheck
checks the same commit as the pull-request gate does (`agentcheck diff REV^..REV --policy-from
REV^ --select AC4`), and the two agree when agentcheck names exactly those contracts among the
ones kept at the parent. A commit lint-imports cannot judge (its configuration or the package
does not load at the parent) is counted apart, never as agreement.

Run: python bench/imports_replay.py REPO [--last N | --rev REV ...] [--config FILE]
REPO is a git repository (a bare mirror will do); --config is where its import-linter
configuration lives (pyproject.toml for kedro). Prints one line a judged commit that newly
breaks a contract or disagrees, then the counts.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import ENV, git  # bench/ is on sys.path when run as a script

LINT_IMPORTS = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
AGENTCHECK = [sys.executable, "-m", "checker"]


def tree(repo: Path, rev: str, into: Path, config: str) -> None:
    """REV's Python files and CONFIG in INTO (git archive: no work tree of REPO is touched).
    A mirror may lack large files (images), which git archive reports while writing the rest."""
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", rev, "--", "*.py", config],
        capture_output=True,
        check=False,
        env=ENV,
    )
    if not archive.stdout:
        raise SystemExit(f"git archive {rev} wrote nothing: {archive.stderr.decode()[:300]}")
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)


def broken(root: Path, config: Path) -> dict[str, bool] | None:
    """Contract name -> broken, by lint-imports on ROOT with CONFIG; None if it cannot judge."""
    done = subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--config", str(config)],
        cwd=root,
        env={**ENV, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    found = re.findall(r"^(.+) (KEPT|BROKEN)\b", done.stdout, re.MULTILINE)
    if not found or done.returncode not in (0, 1):
        return None
    return {name: state == "BROKEN" for name, state in found}


def reported(repo: Path, rev: str) -> set[str] | None:
    done = subprocess.run(
        [
            *AGENTCHECK,
            "diff",
            f"{rev}^..{rev}",
            "--policy-from",
            f"{rev}^",
            "--select",
            "AC4",
            "--format",
            "json",
        ],
        cwd=repo,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in (0, 1):
        print(f"  agentcheck exit {done.returncode} on {rev[:10]}: {done.stderr.strip()[:300]}")
        return None
    names = set()
    for finding in json.loads(done.stdout)["findings"]:
        match = re.search(r"breaks contract '([^']*)'", finding["message"])
        if match:
            names.add(match.group(1))
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--last", type=int, default=150)
    parser.add_argument("--config", default="pyproject.toml")
    parser.add_argument(
        "--rev", action="append", default=[], help="judge these commits (instead of --last)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        # A clone without a work tree: agentcheck reads a range from objects alone.
        repo = Path(scratch, "clone")
        subprocess.run(
            ["git", "clone", "-q", "--no-checkout", str(args.repo.resolve()), str(repo)],
            check=True,
            env=ENV,
        )
        return replay(repo, args.last, args.config, Path(scratch), args.rev)


def replay(repo: Path, last: int, config_name: str, scratch: Path, named: list[str]) -> int:
    if named:
        revs = [git(repo, "rev-parse", "--verify", f"{rev}^{{commit}}").strip() for rev in named]
    else:
        revs = git(repo, "rev-list", "--no-merges", f"--max-count={last}", "HEAD").split()
    counts = {"commits": len(revs), "python": 0, "judged": 0, "agree": 0, "newly": 0, "unjudged": 0}
    disagree: list[str] = []
    for number, rev in enumerate(revs):
        changed = git(repo, "diff", "--name-only", f"{rev}^", rev).split()
        if not any(p.endswith(".py") for p in changed):
            continue
        counts["python"] += 1
        before, after = Path(scratch, f"{number}a"), Path(scratch, f"{number}b")
        tree(repo, f"{rev}^", before, config_name)
        tree(repo, rev, after, config_name)
        config = before / config_name
        parent = broken(before, config) if config.exists() else None
        child = broken(after, config) if parent is not None else None
        shutil.rmtree(before)
        shutil.rmtree(after)
        if parent is None or child is None:
            counts["unjudged"] += 1
            continue
        ours = reported(repo, rev)
        if ours is None:
            counts["unjudged"] += 1
            continue
        counts["judged"] += 1
        newly = {n for n, b in child.items() if b and not parent.get(n, False)}
        kept = {n for n, b in parent.items() if not b}
        counts["newly"] += bool(newly)
        if ours & kept == newly:
            counts["agree"] += 1
            if newly:
                print(f"{rev[:10]} agree: newly broken {sorted(newly)}")
        else:
            disagree.append(rev)
            print(
                f"{rev[:10]} DISAGREE: lint-imports newly broke {sorted(newly)}, "
                f"agentcheck reported {sorted(ours & kept)}"
            )
    print(
        f"{counts['commits']} commits, {counts['python']} change Python; lint-imports judged "
        f"{counts['judged']} ({counts['unjudged']} it could not); {counts['newly']} newly break "
        f"a contract; agentcheck agrees on {counts['agree']} of {counts['judged']}"
    )
    return 1 if disagree else 0


if __name__ == "__main__":
    sys.exit(main())
