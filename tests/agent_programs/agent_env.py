"""Which environment variables each real agent sets for the commands its shell tool runs (what
rules/agents.toml's `environment` lists can name): each agent runs `env -0` through its own
shell tool, offline, and the variables it added or changed are printed.

    python -m tests.agent_programs.agent_env [AGENT ...]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.agent_programs.harness import PROGRAMS, missing, project, run_agent
from tests.agent_programs.model_server import call, say

SHELL = {
    "claude": lambda command: call("Bash", command=command, description="run"),
    "codex": lambda command: call("exec_command", cmd=command),
    "gemini": lambda command: call("run_shell_command", command=command),
}
UNTOLD = {"PWD", "OLDPWD", "SHLVL", "_"}  # any shell's own


def observe(agent: str) -> tuple[dict[str, str], dict[str, tuple[str, str]], list[str]]:
    """What AGENT's shell tool added, changed (given, seen) and removed."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        repo = project(root, agent)
        dump = root / "env.bin"
        run = run_agent(root, agent, repo, [SHELL[agent](f"env -0 > {dump}"), say("Done.")])
        pairs = (item.split("=", 1) for item in dump.read_text().split("\0") if "=" in item)
        seen = {k: v for k, v in pairs if k not in UNTOLD}
    given = {k: v for k, v in run.env.items() if k not in UNTOLD}
    added = {k: v for k, v in seen.items() if k not in given}
    changed = {k: (given[k], v) for k, v in seen.items() if k in given and given[k] != v}
    return added, changed, sorted(set(given) - set(seen))


def main(agents: list[str]) -> int:
    for agent in agents or list(PROGRAMS):
        why = missing(agent)
        if why:
            print(f"{agent}: not run: {why}")
            continue
        added, changed, removed = observe(agent)
        print(f"{agent}:")
        for key, value in sorted(added.items()):
            print(f"  + {key}={value}")
        for key, (was, now) in sorted(changed.items()):
            print(f"  ~ {key}: {was!r} -> {now!r}")
        for key in removed:
            print(f"  - {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
