"""Running a real coding agent offline against the scripted model server: a git repository
with a task and the agent's hook configuration, the agent's program with HOME (and CODEX_HOME)
in fresh folders, the model's URL on 127.0.0.1, and what the model was sent back."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.agent_programs.model_server import ModelServer, Script, Step
from tests.conftest import AGENTCHECK, GIT_ENV, Repo, clean_env

# Where tests/agent_programs/install.sh puts the programs (override: AGENTCHECK_AGENTS_DIR).
AGENTS_DIR = Path(
    os.environ.get("AGENTCHECK_AGENTS_DIR")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "agentcheck-agents"
)
MODULES = AGENTS_DIR / "node_modules"
PROGRAMS = {
    "claude": MODULES / "@anthropic-ai" / "claude-code-linux-x64" / "claude",
    "codex": MODULES / ".bin" / "codex",
    "gemini": MODULES / ".bin" / "gemini",
}
TASK = 'id = "T-1"\npaths = ["src/**"]\n'
MARK = "agentcheck found"  # how agentcheck's feedback to the model begins


def missing(agent: str) -> str | None:
    """Why AGENT's program cannot run here, or None."""
    if not PROGRAMS[agent].exists():
        return (
            f"{PROGRAMS[agent]} is absent: run tests/agent_programs/install.sh (it installs "
            "the agents' npm packages into the user's cache folder)"
        )
    if shutil.which("node") is None and agent in ("codex", "gemini"):
        return f"node is absent: {agent}'s launcher is a Node.js script"
    return None


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    requests: list[dict[str, Any]]
    repo: Repo
    feedback: list[str] = field(default_factory=list)  # agentcheck's blocks, as the model read them
    env: dict[str, str] = field(default_factory=dict)  # the environment the program started with

    def status(self) -> str:
        return self.repo.git("status", "--porcelain")


def _texts(value: Any) -> list[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def _feedback(requests: list[dict[str, Any]], agent: str) -> list[str]:
    """The hook's feedback each request carried at its end: what the model was sent back."""
    found = []
    for request in requests:
        turns = request.get("messages") or request.get("input") or request.get("contents")
        last = (turns or [{}])[-1]
        text = next((t for t in _texts(last) if MARK in t), None)
        if text is not None:
            found.append(text)
    return found


def project(root: Path, agent: str, files: dict[str, str] | None = None) -> Repo:
    """A repository with a task (src/** only), a remote, and AGENT's end-of-turn hook written by
    `agentcheck init --agent AGENT` and committed, as a team sets it up."""
    repo = Repo(root / "repo")
    # The hook takes the run to begin where HEAD was a second before the session started
    # (reflog times are whole seconds), and a task written after that is the agent's: the
    # set-up is dated seconds before now, commits (their reflog entries) and files alike, as
    # a person's is made before the session.
    past = int(time.time()) - 5
    dated = clean_env(GIT_AUTHOR_DATE=f"@{past} +0000", GIT_COMMITTER_DATE=f"@{past} +0000")

    def commit(message: str) -> None:
        for command in (["add", "-A"], ["commit", "-q", "-m", message]):
            subprocess.run(
                ["git", *command], cwd=repo.root, env=dated, check=True, capture_output=True
            )

    start: dict[str, str | bytes] = {"src/app.py": "APP = 1\n", ".agentcheck/task.toml": TASK}
    start.update(files or {})
    for path, content in start.items():
        repo.write(path, content)
    commit("Start")
    setup = repo.run("init", "--agent", agent)
    assert setup.code == 0, setup.err
    commit(f"Run agentcheck at the end of {agent}'s turns")
    # A remote with a default branch, as a clone has: the agent's change is everything since
    # the merge base with it, so a commit the agent makes does not hide its edit.
    origin = root / "origin.git"
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(repo.root), str(origin)],
        env=clean_env(),
        check=True,
        capture_output=True,
    )
    repo.git("remote", "add", "origin", str(origin))
    repo.git("fetch", "-q", "origin")
    repo.git("remote", "set-head", "origin", "main")
    for made in repo.root.rglob("*"):
        if ".git" not in made.relative_to(repo.root).parts:
            os.utime(made, (past, past), follow_symlinks=False)
    return repo


def run_agent(
    root: Path, agent: str, repo: Repo, steps: list[Step], prompt: str = "Do the task"
) -> Run:
    script = Script(steps)
    home = root / "home"
    home.mkdir(exist_ok=True)
    env = clean_env(HOME=str(home), XDG_CACHE_HOME=str(root / "cache"), **GIT_ENV)
    # The hook configuration runs `agentcheck` by name, as a user's PATH finds it.
    env["PATH"] = f"{Path(str(AGENTCHECK)).parent}{os.pathsep}{env.get('PATH', '')}"
    with ModelServer(script) as server:
        if agent == "claude":
            env.update(
                ANTHROPIC_BASE_URL=server.url,
                ANTHROPIC_API_KEY="sk-offline",
                CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1",
                DISABLE_TELEMETRY="1",
                IS_SANDBOX="1",
            )
            command = [
                str(PROGRAMS["claude"]), "-p", prompt, "--model", "claude-sonnet-4-5",
                "--permission-mode", "acceptEdits", "--allowedTools", "Write", "Edit", "Bash",
            ]  # fmt: skip
        elif agent == "gemini":
            # The API key picks Gemini CLI's key sign-in; the workspace is trusted so a headless
            # run reads the project's .gemini/settings.json (with its AfterAgent hook).
            settings = home / ".gemini" / "settings.json"
            settings.parent.mkdir(exist_ok=True)
            settings.write_text(
                '{"security": {"auth": {"selectedType": "gemini-api-key"}}}', encoding="utf-8"
            )
            env.update(
                GOOGLE_GEMINI_BASE_URL=server.url,
                GEMINI_API_KEY="offline",
                GEMINI_CLI_TRUST_WORKSPACE="true",
                GEMINI_CLI_NO_RELAUNCH="true",  # one Node process, not two: ~1.5 s a run
            )
            # A chosen model skips the router's classifier call.
            command = [
                str(PROGRAMS["gemini"]), "-p", prompt, "-m", "gemini-2.5-flash",
                "--approval-mode", "yolo",
            ]  # fmt: skip
        else:
            codex_home = root / "codex"
            codex_home.mkdir(exist_ok=True)
            # Codex runs a project's .codex/hooks.json once the project is trusted.
            (codex_home / "config.toml").write_text(
                'model = "offline-model"\nmodel_provider = "local"\n'
                "[model_providers.local]\n"
                f'name = "local"\nbase_url = "{server.url}/v1"\n'
                'wire_api = "responses"\nenv_key = "OFFLINE_KEY"\n'
                f'[projects."{repo.root}"]\ntrust_level = "trusted"\n',
                encoding="utf-8",
            )
            env.update(CODEX_HOME=str(codex_home), OFFLINE_KEY="offline")
            command = [
                str(PROGRAMS["codex"]), "exec", "--skip-git-repo-check",
                "--dangerously-bypass-approvals-and-sandbox", "--dangerously-bypass-hook-trust",
                prompt,
            ]  # fmt: skip
        done = subprocess.run(
            command,
            cwd=repo.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
    run = Run(done.returncode, done.stdout, done.stderr, script.requests, repo, env=env)
    run.feedback = _feedback(script.requests, agent)
    return run
