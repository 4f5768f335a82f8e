"""Fixtures: real git repositories in temporary folders, and the real `agentcheck` command."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"

_BIN = Path(sys.executable).parent
AGENTCHECK = shutil.which("agentcheck", path=str(_BIN))
# The command every test runs: the script installed beside this Python, else this Python running
# the package (never an `agentcheck` found on PATH, which may be another install's).
COMMAND = [AGENTCHECK] if AGENTCHECK else [sys.executable, "-m", "checker"]

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def _agent_variable(name: str) -> bool:
    """Whether NAME is a variable an agent sets for its commands (rules/agents.toml): a test
    run inside an agent's shell must not make every change an agent's."""
    from checker.domain.agents import NAMING_VARIABLES, known_agents

    patterns = [p.partition("=")[0] for a in known_agents() for p in a.environment]
    return name in NAMING_VARIABLES or any(
        name.startswith(p[:-1]) if p.endswith("*") else name == p for p in patterns
    )


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_", "GITHUB_", "AGENTCHECK_"))
        and k != "NO_COLOR"
        and not _agent_variable(k)
    }
    env.update(GIT_ENV)
    env["HOME"] = env.get("AGENTCHECK_TEST_HOME", env.get("HOME", "/tmp"))
    # The import graph's memo (adapters/memofile) of the tests' throwaway repositories.
    env["AGENTCHECK_CACHE_DIR"] = os.path.join(tempfile.gettempdir(), "agentcheck-tests-cache")
    env.update(extra)
    return env


class Result(NamedTuple):
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def codes(self) -> list[str]:
        """The rule codes reported, from --format json output."""
        return [f["code"] for f in self.json()["findings"]]


class Repo:
    """A real git repository in a temporary folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "Test Author")
        self.git("config", "user.email", "author@example.com")
        self.git("config", "commit.gpgsign", "false")
        self.git("config", "core.autocrlf", "false")

    def git(self, *args: str, input_data: bytes | None = None, check: bool = True) -> str:
        done = subprocess.run(
            ["git", *args],
            cwd=self.root,
            env=clean_env(),
            input=input_data,
            capture_output=True,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {done.stderr.decode()}")
        return done.stdout.decode("utf-8", "surrogateescape")

    def write(self, path: str, content: str | bytes) -> Path:
        full = self.root / path
        full.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            full.write_bytes(content.encode("utf-8"))
        else:
            full.write_bytes(content)
        return full

    def commit(self, message: str = "commit", files: dict[str, str | bytes] | None = None) -> str:
        for path, content in (files or {}).items():
            self.write(path, content)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def run(
        self,
        *args: str,
        stdin: bytes | None = None,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> Result:
        return run_agentcheck(*args, cwd=cwd or self.root, stdin=stdin, env=env)

    def snapshot(self) -> dict[str, str]:
        """Everything agentcheck must leave alone: index, refs, HEAD, config, work tree."""
        state: dict[str, str] = {}
        git_dir = Path(self.git("rev-parse", "--absolute-git-dir").strip())
        for name in ("index", "HEAD", "config", "packed-refs", "ORIG_HEAD", "MERGE_HEAD"):
            path = git_dir / name
            if path.exists():
                state[f".git/{name}"] = hashlib.sha256(path.read_bytes()).hexdigest()
        refs = git_dir / "refs"
        for path in sorted(refs.rglob("*")):
            if path.is_file():
                state[f".git/{path.relative_to(git_dir)}"] = path.read_text()
        for path in sorted(self.root.rglob("*")):
            rel = path.relative_to(self.root)
            if rel.parts[0] == ".git":
                continue
            if path.is_symlink():
                state[str(rel)] = "link:" + os.readlink(path)
            elif path.is_file():
                state[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                state[str(rel)] = "dir"
        return state


def run_agentcheck(
    *args: str, cwd: Path, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> Result:
    done = subprocess.run(
        [*COMMAND, *args],
        cwd=cwd,
        env=env or clean_env(),
        input=stdin,
        capture_output=True,
        check=False,
        timeout=300,
    )
    return Result(
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile agentcheck's modules once, as pip does on install: every test that runs the real
    command starts a fresh interpreter, which would otherwise compile them all again whenever
    PYTHONDONTWRITEBYTECODE is set (it is in this machine's environment)."""
    import compileall

    compileall.compile_dir(str(Path(__file__).resolve().parents[1] / "checker"), quiet=1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test on a real repository runs git and the command: it must be marked e2e, so that
    the quick command (-m "not slow and not e2e") leaves it out."""
    unmarked = [
        item.nodeid
        for item in items
        if "repo" in getattr(item, "fixturenames", ()) and item.get_closest_marker("e2e") is None
    ]
    if unmarked:
        raise pytest.UsageError(
            "tests on a real repository without @pytest.mark.e2e: " + ", ".join(unmarked)
        )


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(
            f"the shared corpus is not beside this checkout ({CORPUS} is missing); "
            "it holds real-world files that are never copied into the project"
        )
    return CORPUS


def diff_findings(repo: Repo, *args: str) -> list[dict[str, Any]]:
    """The findings of `agentcheck diff --format json ARGS`, after checking that the exit status
    agrees with them: 1 exactly when a finding that binds reaches the threshold (errors; for a
    known agent's change, warnings too; advice never), unless ARGS set --fail-on."""
    result = repo.run("diff", "--format", "json", *args)
    assert result.code in (0, 1), result.err
    document = result.json()
    found: list[dict[str, Any]] = document["findings"]
    if "--fail-on" not in args:
        agent = (document.get("authorship") or {}).get("kind") == "agent"
        levels = ("error", "warning") if agent else ("error",)
        failing = any(f["severity"] in levels and not f["advice"] for f in found)
        assert (result.code == 1) == failing, result.out
    return found


def pull_request_event(
    *,
    title: str = "A change",
    body: str = "",
    author: str = "someone",
    author_type: str = "User",
    head_branch: str = "feature",
    head_sha: str = "1" * 40,
    base_sha: str = "2" * 40,
    labels: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A pull_request event payload with the fields and nesting GitHub uses."""
    user = {"login": author, "id": 583231, "type": author_type}
    repository = {"id": 1296269, "full_name": "octo-org/app", "default_branch": "main"}
    return {
        "action": "opened",
        "number": 7,
        "pull_request": {
            "url": "https://api.github.com/repos/octo-org/app/pulls/7",
            "id": 1,
            "number": 7,
            "state": "open",
            "draft": False,
            "title": title,
            "body": body,
            "user": user,
            "labels": [{"id": i, "name": name, "color": "ededed"} for i, name in enumerate(labels)],
            "head": {
                "label": f"octo-org:{head_branch}",
                "ref": head_branch,
                "sha": head_sha,
                "user": user,
                "repo": repository,
            },
            "base": {
                "label": "octo-org:main",
                "ref": "main",
                "sha": base_sha,
                "user": {"login": "octo-org", "type": "Organization"},
                "repo": repository,
            },
            "merged": False,
            "commits": 1,
        },
        "repository": repository,
        "sender": user,
    }


def event_file(folder: Path, payload: dict[str, Any]) -> str:
    """PAYLOAD written as FOLDER/event.json, for --context or $GITHUB_EVENT_PATH."""
    path = folder / "event.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return str(path)
