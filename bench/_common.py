"""What the benchmarks share: the environment their commands run in, git, and timed commands.

Commands run as a user runs them: bytecode caches on (an installed wheel has them), no outer
git or GitHub state, and a fixed commit identity.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ENV = {
    **{
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_", "GITHUB_")) and k != "PYTHONDONTWRITEBYTECODE"
    },
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def git(root: Path, *args: str, data: bytes | None = None) -> str:
    done = subprocess.run(
        ["git", *args], cwd=root, env=ENV, input=data, capture_output=True, check=True
    )
    return done.stdout.decode()


class Command:
    """One command to time, in its folder, with its environment."""

    def __init__(self, label: str, argv: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.label = label
        self.argv = argv
        self.cwd = cwd
        self.env = env
        self.times: list[float] = []
        self.last: subprocess.CompletedProcess[bytes] | None = None

    def run(self) -> None:
        start = time.perf_counter()
        done = subprocess.run(
            self.argv, cwd=self.cwd, env=self.env, capture_output=True, check=False
        )
        self.times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            sys.exit(
                f"{' '.join(self.argv)} failed ({done.returncode}):\n"
                f"{done.stdout.decode()}{done.stderr.decode()}"
            )
        self.last = done

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def measure(commands: list[Command], runs: int) -> None:
    """Every command once to warm the OS file cache (no tool keeps its own: lint-imports runs
    with --no-cache), then RUNS rounds in turn, so a swing in the machine's load falls on all."""
    for command in commands:
        command.run()
        command.times.clear()
    for _ in range(runs):
        for command in commands:
            command.run()
