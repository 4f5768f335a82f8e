"""Replay a repository's history through agentcheck: each of its last N commits checked as its
own change (`agentcheck diff REV --policy-from REV^ --format json`, the way the pull-request
gate reads a change: policy, task and contracts from the parent), then findings per code with
examples, and the commits that fail the default gate.

Run: python bench/history.py [REPO] [--last N] [--save FILE] [--compare FILE]
                             [--agentcheck CMD] [--env NAME=VALUE ...] [--examples K]
REPO defaults to this project. --save writes every commit's JSON report (one object per line);
--compare reads such a file and prints every commit whose report differs (exit 1 on any):
the house issue's "no behaviour change" test runs the same commits before and after a
refactor. The repository is cloned into a temporary folder, so its own work tree is never
touched, and agentcheck's exit status 2 on a commit is reported, never skipped.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from _common import ENV, git  # bench/ is on sys.path when run as a script

PROJECT = Path(__file__).resolve().parents[1]


def _agentcheck(given: str | None) -> list[str]:
    if given:
        return shlex.split(given)
    beside = Path(sys.executable).parent / "agentcheck"
    return [str(beside)] if beside.exists() else ["agentcheck"]


def _commits(root: Path, last: int) -> list[str]:
    out = git(root, "rev-list", "--first-parent", f"--max-count={last}", "HEAD")
    return out.split()


def _check(
    root: Path, command: list[str], sha: str, env: dict[str, str], parent: str | None
) -> dict[str, Any]:
    policy = ["--policy-from", parent] if parent else []
    done = subprocess.run(
        [*command, "diff", sha, *policy, "--format", "json"],
        cwd=root,
        env=env,
        capture_output=True,
        check=False,
    )
    entry: dict[str, Any] = {"commit": sha, "exit": done.returncode}
    if done.returncode in (0, 1):
        entry["report"] = json.loads(done.stdout)
    else:
        entry["error"] = done.stderr.decode("utf-8", "replace").strip()
    return entry


def _subject(root: Path, sha: str) -> str:
    return git(root, "log", "-1", "--format=%s", sha).strip()


def replay(repo: Path, last: int, command: list[str], env: dict[str, str]) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="agentcheck-history-") as tmp:
        root = Path(tmp) / "clone"
        subprocess.run(
            # No work tree: each commit is read from git's objects (and a mirror that lacks a
            # large file still clones).
            ["git", "clone", "-q", "--no-checkout", "--no-hardlinks", str(repo), str(root)],
            env=ENV,
            check=True,
            capture_output=True,
        )
        entries = []
        for sha in _commits(root, last):
            parents = git(root, "rev-list", "--parents", "-n", "1", sha).split()[1:]
            entry = _check(root, command, sha, env, parents[0] if parents else None)
            entry["subject"] = _subject(root, sha)
            entries.append(entry)
        return entries


def summarise(entries: list[dict[str, Any]], examples: int) -> None:
    per_code: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    shown: dict[str, list[str]] = defaultdict(list)
    failing = []
    for entry in entries:
        short = entry["commit"][:10]
        if "error" in entry:
            failing.append(f"{short} exit {entry['exit']}: {entry['error'][:200]}")
            continue
        findings = entry["report"]["findings"]
        kinds[(entry["report"].get("authorship") or {}).get("kind", "unknown")] += 1
        for finding in findings:
            per_code[finding["code"]] += 1
            if len(shown[finding["code"]]) < examples:
                where = finding["path"] or "(change)"
                shown[finding["code"]].append(
                    f"{short} {where}: {finding['message'][:160]}  [{entry['subject'][:60]}]"
                )
        if entry["exit"] == 1:
            codes = sorted({f["code"] for f in findings if f["severity"] == "error"})
            failing.append(f"{short} fails: {', '.join(codes)}  [{entry['subject'][:70]}]")
    total = len(entries)
    judged = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
    print(f"{total} commits checked (judged as: {judged}); findings per code:")
    for code, count in sorted(per_code.items()):
        print(f"  {code}: {count}")
        for line in shown[code]:
            print(f"      {line}")
    share = 100 * len(failing) / total if total else 0.0
    print(f"\ncommits failing the default gate (or not checked): {len(failing)} ({share:.1f}%)")
    for line in failing:
        print(f"  {line}")


def compare(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> int:
    before = {e["commit"]: e for e in old}
    differ = 0
    for entry in new:
        other = before.get(entry["commit"])
        if other is None:
            print(f"{entry['commit'][:10]}: not in the saved run")
            differ += 1
        elif {k: v for k, v in other.items() if k != "subject"} != {
            k: v for k, v in entry.items() if k != "subject"
        }:
            print(f"{entry['commit'][:10]}: reports differ  [{entry['subject'][:60]}]")
            differ += 1
    print(f"{len(new)} commits compared, {differ} differ")
    return 1 if differ else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", nargs="?", default=str(PROJECT))
    parser.add_argument("--last", type=int, default=60)
    parser.add_argument("--save", metavar="FILE")
    parser.add_argument("--compare", metavar="FILE")
    parser.add_argument("--agentcheck", metavar="CMD", help="the command to run")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--examples", type=int, default=3)
    args = parser.parse_args()
    env = dict(ENV)
    for item in args.env:
        name, _, value = item.partition("=")
        env[name] = value
    command = _agentcheck(args.agentcheck)
    if shutil.which(command[0]) is None and not Path(command[0]).exists():
        sys.exit(f"{command[0]}: not found; install agentcheck or pass --agentcheck CMD")
    entries = replay(Path(args.repo).resolve(), args.last, command, env)
    if args.save:
        with open(args.save, "w", encoding="utf-8") as handle:
            for entry in entries:
                handle.write(json.dumps(entry, sort_keys=True) + "\n")
    summarise(entries, args.examples)
    if args.compare:
        with open(args.compare, encoding="utf-8") as handle:
            old = [json.loads(line) for line in handle if line.strip()]
        sys.exit(compare(old, entries))


if __name__ == "__main__":
    main()
