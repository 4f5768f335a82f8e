"""This project's current files, committed into a repository of their own, and a wheelhouse of
its dependencies: what pre-commit (try-repo) and the Action's install step install agentcheck
from. Built once per test session and shared by the modules that need them."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import clean_env

PROJECT = Path(__file__).resolve().parents[1]
_NOT_SOURCE = {"build", "dist", ".git", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
_BUILT: dict[str, Path] = {}


def run(*command: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env or clean_env(), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _source_files() -> list[str]:
    """The project's files as git sees them: tracked, and untracked but not ignored."""
    out = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=PROJECT)
    files = []
    for path in out.split("\0"):
        parts = path.split("/")
        if (
            path
            and parts[0] not in _NOT_SOURCE
            and not parts[0].endswith(".egg-info")
            and "__pycache__" not in parts
            and (PROJECT / path).is_file()
        ):
            files.append(path)
    return files


def committed_project(factory: pytest.TempPathFactory) -> Path:
    """A repository whose one commit holds the project's current files, committed or not."""
    if "repo" not in _BUILT:
        if not (PROJECT / ".git").exists():
            pytest.skip("not a git checkout of agentcheck: the project's files are needed")

        def build(root: Path) -> None:
            for path in _source_files():
                target = root / path
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(PROJECT / path, target)
            run("git", "init", "-q", cwd=root)
            run("git", "add", "-A", cwd=root)
            run("git", "commit", "-q", "--no-verify", "-m", "agentcheck under test", cwd=root)

        _BUILT["repo"] = built_once(factory, "agentcheck-source", build)
    return _BUILT["repo"]


def built_once(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder NAME that BUILD fills once for the whole session: pytest-xdist's workers share
    the parent of their temporary folders, so the first worker to ask builds it there, under a
    lock, and the others wait for it and use it. What is built there is read, never changed,
    by the tests (a pre-commit store, which locks itself, is the one folder they share to
    write)."""
    base = factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / name
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (folder / ".built").exists():
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir()
                build(folder)
                (folder / ".built").touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return folder


def offline_pip_env(factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment in which pip installs agentcheck's dependencies and build backend from a
    local wheelhouse: every virtualenv a test makes installs offline and fast."""
    if "wheels" not in _BUILT:
        source = committed_project(factory)

        def build(wheels: Path) -> None:
            pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
            run(*pip, "wheel", "--quiet", "--wheel-dir", str(wheels), str(source), cwd=source)
            run(
                *pip,
                "download",
                "--quiet",
                "--dest",
                str(wheels),
                "setuptools>=68",
                "wheel",
                cwd=wheels,
            )
            # Installs from the wheelhouse must build the project's files, not this wheel; the
            # tests that want agentcheck installed from a wheel get it (project_wheel).
            kept = wheels / "agentcheck"
            kept.mkdir()
            for built in wheels.glob("agent_change_check-*.whl"):
                built.rename(kept / built.name)

        wheels = built_once(factory, "wheelhouse", build)
        _BUILT["wheels"] = wheels
        _BUILT["wheel"] = next((wheels / "agentcheck").glob("agent_change_check-*.whl"))
    return clean_env(
        PIP_FIND_LINKS=str(_BUILT["wheels"]),
        PIP_NO_INDEX="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )


def project_wheel(factory: pytest.TempPathFactory) -> Path:
    """A wheel of the project's current files, built once per session (with the wheelhouse)."""
    offline_pip_env(factory)
    return _BUILT["wheel"]
