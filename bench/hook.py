"""Agent hook latency: `agentcheck hook claude` on a 5-file change in a 5,000-file repository,
with a 2 KB final message in the event, beside `agentcheck diff --since` and plain
`agentcheck diff` of the same change, and the start-up floor (`python -c 'import click'`).

The change is one the agent committed (3 files) plus two files edited and not committed, so
the hook reads both the commits since the base and the work tree, and the final message is
read as claims (it names the files the change touches, so it passes).

Run: python bench/hook.py [--runs N] (the agentcheck beside this Python is measured)
Target (issue 14): the hook's median at most 0.30 s.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _common import ENV, Command, git, measure  # bench/ is on sys.path when run as a script

FILES = 5000
LINES_PER_FILE = 60


def source(index: int, version: int) -> str:
    lines = [
        f"def function_{index}_{n}(value):" if n % 6 == 0 else f"    value += {n} * {index}"
        for n in range(LINES_PER_FILE)
    ]
    if version:
        for n in range(1, LINES_PER_FILE, 2)[:10]:
            lines[n] = f"    value -= {n} + {index} + {version}"
    return "\n".join(lines) + "\n"


def path_of(index: int) -> str:
    return f"pkg{index // 100:02d}/module_{index}.py"


def final_message(size: int = 2048) -> str:
    """A report of the turn, about SIZE bytes, naming the files the change touches."""
    lines = ["## Summary", "", "I made the requested change to the value functions.", ""]
    lines += ["## Changes", ""]
    lines += [f"- Updated `{path_of(i)}` to subtract the version offset." for i in range(5)]
    filler = "The functions keep their signatures; callers are unaffected by this change."
    while len("\n".join(lines)) < size - len(filler):
        lines.append(filler)
    return "\n".join(lines)


def build(root: Path) -> None:
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    for i in range(FILES):
        path = root / path_of(i)
        path.parent.mkdir(exist_ok=True)
        path.write_text(source(i, 0))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    # The base the hook finds: the remote's default branch.
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(root, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
    git(root, "switch", "-q", "-c", "agent/work")
    for i in range(3):
        (root / path_of(i)).write_text(source(i, 1))
    git(root, "commit", "-q", "-am", "Subtract the version offset")
    for i in range(3, 5):
        (root / path_of(i)).write_text(source(i, 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    agentcheck = shutil.which("agentcheck", path=str(Path(sys.executable).parent)) or "agentcheck"
    workdir = Path(tempfile.mkdtemp(prefix="agentcheck-bench-hook-"))
    root = workdir / "repo"
    try:
        started = time.perf_counter()
        build(root)
        event = workdir / "event.json"
        message = final_message()
        event.write_text(
            json.dumps(
                {
                    "session_id": "bench",
                    "transcript_path": str(workdir / "transcript.jsonl"),
                    "cwd": str(root),
                    "hook_event_name": "Stop",
                    "stop_hook_active": False,
                    "last_assistant_message": message,
                }
            )
        )
        print(
            f"built {FILES:,} files; change: 3 committed + 2 uncommitted files; final message "
            f"{len(message.encode()):,} bytes; built in {time.perf_counter() - started:.1f} s"
        )
        hook_argv = ["sh", "-c", f'"$0" hook claude < "{event}"', agentcheck]
        since = [agentcheck, "diff", "--since", "origin/main"]
        floor = [sys.executable, "-c", "import click"]
        rows = [
            ("agentcheck hook claude (event on stdin)", hook_argv, 0.30),
            ("agentcheck diff --since origin/main", since, None),
            ("agentcheck diff (uncommitted only)", [agentcheck, "diff"], None),
            ("python -c 'import click' (start-up floor)", floor, None),
            ("sh -c true (the shell the hook runs in)", ["sh", "-c", "true"], None),
        ]
        env = {**ENV, "XDG_CACHE_HOME": str(workdir / "cache")}
        commands = [Command(name, argv, root, env) for name, argv, _ in rows]
        measure(commands, args.runs)
        hook = commands[0]
        assert hook.last is not None
        if hook.last.stdout.strip():
            sys.exit(f"the hook blocked the bench's change:\n{hook.last.stdout.decode()}")
        print(f"{args.runs} interleaved rounds, medians:")
        for command, (_, _, target) in zip(commands, rows, strict=True):
            verdict = ""
            if target is not None:
                met = "met" if command.median <= target else "MISSED"
                verdict = f"  target <= {target:.2f} s: {met}"
            print(f"  {command.label:<44} {command.median:8.3f} s{verdict}")
        print(f"  hook / diff --since: {hook.median / commands[1].median:.2f}x")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
