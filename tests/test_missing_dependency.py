"""A dependency missing or broken in the Python that runs agentcheck is not a bug in agentcheck:
the command names the module, says to reinstall agentcheck with its dependencies, and exits 2
without a traceback. Run through the real command, with a dependency shadowed on PYTHONPATH by
a module whose import fails, and in a fresh environment that truly lacks them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from checker.model.errors import missing_dependency
from tests.conftest import Repo, clean_env, run_agentcheck
from tests.project_copy import offline_pip_env, project_wheel


def shadow(tmp_path: Path, module: str, error: str) -> dict[str, str]:
    """An environment in which importing MODULE raises ERROR (Python source)."""
    folder = tmp_path / "shadow"
    (folder / module).mkdir(parents=True)
    (folder / module / "__init__.py").write_text(f"raise {error}\n", encoding="utf-8")
    return clean_env(PYTHONPATH=str(folder))


def assert_reinstall_message(err: str, module: str) -> None:
    assert f"cannot import the module '{module}' it depends on" in err, err
    assert "Reinstall agentcheck with its dependencies" in err
    assert "-m pip install --force-reinstall" in err
    assert "bug in agentcheck" not in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.e2e
def test_click_missing_stops_before_any_command(tmp_path: Path) -> None:
    env = shadow(
        tmp_path, "click", "ModuleNotFoundError(\"No module named 'click'\", name='click')"
    )
    done = run_agentcheck("--version", cwd=tmp_path, env=env)
    assert done.code == 2
    assert_reinstall_message(done.err, "click")


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("module", "error"),
    [
        (
            "markdown_it",
            "ModuleNotFoundError(\"No module named 'markdown_it'\", name='markdown_it')",
        ),
        # Too old or half installed: a name it should export is not there.
        (
            "pathspec",
            "ImportError(\"cannot import name 'GitIgnoreSpec' from 'pathspec'\", name='pathspec')",
        ),
    ],
)
def test_a_dependency_a_command_imports_late(repo: Repo, module: str, error: str) -> None:
    repo.commit("Start", {"README.md": "hello\n"})
    repo.commit("Docs", {"README.md": "hello\nworld\n", "docs/a.md": "# A\n"})
    done = repo.run("diff", "HEAD~1", env=shadow(repo.root.parent, module, error))
    assert (done.code, done.out) == (2, "")
    assert_reinstall_message(done.err, module)


@pytest.mark.e2e
def test_installed_without_its_dependencies(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """pip install --no-deps: a real environment with none of them."""
    env = offline_pip_env(tmp_path_factory)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    bin_dir = venv / ("Scripts" if sys.platform == "win32" else "bin")
    pip = [str(bin_dir / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    wheel = project_wheel(tmp_path_factory)
    subprocess.run([*pip, "install", "--no-deps", str(wheel)], check=True, env=env)
    done = subprocess.run(
        [str(bin_dir / "agentcheck"), "diff"],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert_reinstall_message(done.stderr, "click")
    assert f"{bin_dir / 'python'} -m pip install --force-reinstall agent-change-check" in (
        done.stderr
    )


def test_only_imports_from_outside_agentcheck_and_the_standard_library_are_reinstalls() -> None:
    assert missing_dependency(ModuleNotFoundError("no", name="pathspec.patterns")) is not None
    assert missing_dependency(ModuleNotFoundError("no", name="checker.usecases.x")) is None
    assert missing_dependency(ModuleNotFoundError("no", name="json")) is None
    assert missing_dependency(ImportError("no name")) is None
    assert missing_dependency(ValueError("pathspec")) is None
