"""The declared floors are true: agentcheck installed with the lowest version of every runtime
dependency pyproject.toml allows runs the paths that need each of them (click for the command,
pathspec for a glob past the fast shapes, unidiff for --patch, pygments for TypeScript imports).
.ci/run also runs the end-to-end subset in such an environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Repo, clean_env
from tests.floors import floors
from tests.project_copy import project_wheel


def test_every_runtime_dependency_declares_a_floor() -> None:
    pins = floors()
    assert {"click", "pathspec", "pygments", "unidiff"} <= set(pins)
    assert all(version[0].isdigit() for version in pins.values())


def _bin(venv: Path, name: str) -> str:
    return str(venv / ("Scripts" if sys.platform == "win32" else "bin") / name)


@pytest.fixture(scope="module")
def floor_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding agentcheck and exactly its floors."""
    venv = tmp_path_factory.mktemp("floors") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [_bin(venv, "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    pins = [f"{name}=={version}" for name, version in floors().items()]
    wheel = project_wheel(tmp_path_factory)
    for command in ([*pip, "install", *pins], [*pip, "install", "--no-deps", str(wheel)]):
        done = subprocess.run(command, capture_output=True, text=True, env=clean_env(), check=False)
        if done.returncode != 0:
            if "No matching distribution" in done.stderr or "Could not fetch" in done.stderr:
                pytest.skip(f"the floors cannot be installed here: {done.stderr.strip()[-300:]}")
            pytest.fail(f"{' '.join(command)} failed:\n{done.stderr}")
    frozen = subprocess.run(
        [*pip, "freeze"], capture_output=True, text=True, check=True, env=clean_env()
    ).stdout.lower()
    for pin in pins:
        name, _, version = pin.partition("==")
        assert any(
            line.split("==")[0].replace("_", "-") == name.lower()
            and line.split("==")[1].split(".")[: len(version.split("."))] == version.split(".")
            for line in frozen.splitlines()
            if "==" in line
        ), f"{pin} was not installed: {frozen}"
    return venv


@pytest.mark.slow
def test_agentcheck_runs_at_the_floors(floor_venv: Path, tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.commit(
        "Start",
        {
            "agentcheck.toml": '[paths]\nprotected = ["deploy/**/*.y?ml"]\n'
            "[[imports.contracts]]\n"
            'type = "forbidden"\nsource = ["web/ui/**"]\nforbidden = ["web/db/**"]\n',
            "web/ui/view.ts": "export const a = 1;\n",
            "web/db/models.ts": "export const b = 2;\n",
        },
    )
    repo.write("deploy/prod/app.yaml", "replicas: 3\n")
    repo.write("web/ui/view.ts", 'import { b } from "../db/models";\nexport const a = b;\n')
    agentcheck = _bin(floor_venv, "agentcheck")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [agentcheck, *args],
            cwd=repo.root,
            capture_output=True,
            text=True,
            env=clean_env(),
            check=False,
        )

    uncommitted = run("diff", "--fail-on", "warning")
    assert uncommitted.returncode == 1, uncommitted.stderr
    assert "AC301" in uncommitted.stdout  # the protected glob goes through pathspec
    assert "AC402" in uncommitted.stdout  # the TypeScript import, read from pygments tokens
    patch = tmp_path / "change.patch"
    patch.write_text(repo.git("diff"))
    from_patch = run("diff", "--patch", str(patch), "--fail-on", "warning")
    assert from_patch.returncode == 1, from_patch.stderr  # unidiff reads the patch
    assert "AC402" in from_patch.stdout
    repo.write("agentcheck.toml", 'exclude = ["vendor/[abc"]\n')
    bad_glob = run("diff")  # pathspec before 1.1 read an unclosed '[' literally
    assert bad_glob.returncode == 2, bad_glob.stdout
    assert "agentcheck.toml:1" in bad_glob.stderr
