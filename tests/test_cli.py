"""The commands besides `diff`: --version, rules, explain, init; and the rule catalog loading
the same way from a source checkout, an editable install and an installed wheel."""

from __future__ import annotations

import json
import site
import subprocess
import sys
from pathlib import Path

import pytest

from checker import __version__
from checker.config import catalog
from checker.config.tomlfile import parse_toml
from tests.conftest import COMMAND, Repo, clean_env, run_agentcheck
from tests.project_copy import project_wheel

PROJECT = Path(__file__).resolve().parents[1]


@pytest.mark.e2e
def test_version(tmp_path: Path) -> None:
    result = run_agentcheck("--version", cwd=tmp_path)
    assert result.code == 0
    assert result.out.strip() == f"agentcheck {__version__}"


def _loaded(*args: str, cwd: Path) -> set[str]:
    """The modules a real run imports, from Python's own import log (-X importtime)."""
    result = run_agentcheck(*args, cwd=cwd, env={**clean_env(), "PYTHONPROFILEIMPORTTIME": "1"})
    assert result.code == 0, result.err
    lines = [line for line in result.err.splitlines() if line.startswith("import time:")]
    return {line.rsplit("|", 1)[1].strip() for line in lines}


@pytest.mark.e2e
def test_the_command_flushes_its_output_before_its_fast_exit(tmp_path: Path) -> None:
    """The command ends with os._exit (cli.run), which frees nothing and flushes nothing: what
    it printed still reaches a pipe (block-buffered, as without PYTHONUNBUFFERED), and a pipe
    closed before the command writes ends it with 130 and no message, as before."""
    env = {k: v for k, v in clean_env().items() if k != "PYTHONUNBUFFERED"}
    printed = run_agentcheck("rules", "--format", "json", cwd=tmp_path, env=env)
    assert printed.code == 0, printed.err
    assert {"AC101", "AC401", "AC601"} <= {r["code"] for r in json.loads(printed.out)}
    # The Action's command writes to stdout itself, without click's flush after each line.
    failing = run_agentcheck(
        "action", "--event", str(tmp_path / "gone.json"), cwd=tmp_path, env=env
    )
    assert failing.code == 2, failing.err
    assert failing.out.startswith("::error title=agentcheck could not run::"), failing.out
    # Output a command leaves in the buffer (the commands flush their own today) still goes out.
    pending = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from checker import cli; sys.stdout.write('pending'); "
            "sys.argv = ['agentcheck', 'diff', '--no-such-option']; cli.run()",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        check=False,
    )
    assert (pending.returncode, pending.stdout) == (2, b"pending"), pending.stderr
    closed = subprocess.Popen(
        [*COMMAND, "rules", "--format", "json"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert closed.stdout is not None
    assert closed.stderr is not None
    closed.stdout.close()
    assert (closed.wait(timeout=60), closed.stderr.read()) == (130, b"")


@pytest.mark.e2e
def test_version_loads_no_git_library(tmp_path: Path) -> None:
    loaded = _loaded("--version", cwd=tmp_path)
    assert "checker.cli" in loaded
    assert not loaded & {"git", "checker.adapters.git", "checker.usecases.diff"}


@pytest.mark.e2e
def test_staged_check_loads_no_reader_it_has_nothing_for(repo: Repo) -> None:
    """Start-up is most of a pre-commit hook's time: the sentence reader and the import
    contracts load only for a run that has a message or a contract. (Who wrote the change is
    asked on every run: a local run reads the agent's environment.)"""
    repo.commit("base", {"notes.md": "one\n", "app.py": "x = 1\n"})
    repo.write("notes.md", "two\n")
    repo.git("add", "notes.md")
    lazy = {
        "checker.domain.claimreader.markdown",
        "checker.domain.importgraph.settings",
    }
    plain = _loaded("diff", "--staged", cwd=repo.root)
    assert {"checker.adapters.git", "checker.checks.claims"} <= plain  # the checks did run
    assert not plain & lazy
    message = repo.write("MSG", "Update notes.md and app.py\n")
    repo.write("agentcheck.toml", '[[imports.contracts]]\ntype = "layers"\nlayers = ["a", "b"]\n')
    assert lazy <= _loaded("diff", "--staged", "--message", str(message), cwd=repo.root)


@pytest.mark.e2e
def test_rules_lists_every_catalog_entry(tmp_path: Path) -> None:
    result = run_agentcheck("rules", "--format", "json", cwd=tmp_path)
    assert result.code == 0
    listed = {r["code"]: r for r in json.loads(result.out)}
    on_disk: dict[str, str] = {}
    for path in sorted((PROJECT / "rules").glob("*.toml")):
        for entry in parse_toml(path.read_text(encoding="utf-8"), str(path)).get("rule", []):
            on_disk[entry["code"]] = entry["severity"]
    assert {c: r["severity"] for c, r in listed.items()} == on_disk
    assert {"AC101", "AC202", "AC303"} <= set(listed)
    text = run_agentcheck("rules", cwd=tmp_path).out.splitlines()
    assert len(text) == len(listed)
    assert text[0].split()[:2] == ["AC101", "error"]


def test_every_rule_has_an_explanation_example_and_allowance() -> None:
    for rule in catalog.all_rules().values():
        assert rule.code.startswith("AC"), rule.code
        assert len(rule.code) == 5, rule.code
        assert rule.severity in ("error", "warning", "info", "off"), rule.code
        assert len(rule.explanation) > 80, rule.code
        assert rule.example, rule.code
        assert rule.allow, rule.code


@pytest.mark.e2e
def test_explain(tmp_path: Path) -> None:
    result = run_agentcheck("explain", "ac301", cwd=tmp_path)
    assert result.code == 0
    assert result.out.startswith("AC301 protected-path (default severity: error; binds agents)")
    assert "Example:" in result.out
    assert "How to allow it:" in result.out
    assert "allow-protected" in result.out


@pytest.mark.e2e
def test_init_writes_a_policy_that_loads_and_refuses_to_overwrite(repo: Repo) -> None:
    repo.commit(
        "base",
        {
            "src/app/__init__.py": "",
            "AGENTS.md": "Rules\n",
            ".github/workflows/ci.yml": "on: push\n",
            "uv.lock": "x\n",
        },
    )
    before = repo.git("status", "--porcelain")
    result = repo.run("init")
    assert result.code == 0, result.err
    written = (repo.root / "agentcheck.toml").read_text()
    assert "AGENTS.md" in written
    assert ".github/workflows/ci.yml" in written
    assert 'roots = ["src"]' in written
    assert repo.git("status", "--porcelain") == before + "?? agentcheck.toml\n"
    repo.write("x.py", "x = 1\n")
    checked = repo.run("diff", "--format", "json")
    assert checked.code == 0, checked.err
    assert checked.json()["summary"]["policy"] == "agentcheck.toml"
    again = repo.run("init")
    assert again.code == 2
    assert "already exists" in again.err
    assert repo.run("init", "--force").code == 0
    printed = repo.run("init", "--stdout")
    assert printed.out == written


def _python_in(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with agentcheck installed from a wheel built here; its
    dependencies come from the test environment, without the editable install."""
    root = tmp_path_factory.mktemp("wheel")
    wheel = project_wheel(tmp_path_factory)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = _python_in(venv)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
        check=True,
        env=clean_env(),
    )
    venv_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # A path line in a .pth file adds the folder without running its own .pth files, so the
    # test environment's editable install stays out.
    Path(venv_site, "test-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return venv


@pytest.mark.e2e
def test_rules_load_from_an_installed_wheel(wheel_venv: Path, tmp_path: Path) -> None:
    python = _python_in(wheel_venv)
    probe = subprocess.run(
        [
            str(python),
            "-c",
            "from checker.config import catalog; print(catalog.rules_dir()); "
            "print(len(catalog.all_rules()))",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(),
        check=True,
    )
    where, count = probe.stdout.split()
    assert str(wheel_venv) in where, where
    assert where.endswith("checker/rules")
    assert int(count) == len(catalog.all_rules())
    script = wheel_venv / "bin" / "agentcheck"
    listed = subprocess.run(
        [str(script), "rules"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(),
        check=True,
    )
    assert len(listed.stdout.splitlines()) == len(catalog.all_rules())


@pytest.mark.e2e
def test_rules_load_from_a_source_checkout(tmp_path: Path) -> None:
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in "
            "repr(f)]; sys.path.insert(0, sys.argv[1]); from checker.config import catalog; "
            "print(catalog.rules_dir()); print(len(catalog.all_rules()))",
            str(PROJECT),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(),
        check=True,
    )
    where, count = probe.stdout.split()
    assert Path(where) == PROJECT / "rules"
    assert int(count) == len(catalog.all_rules())


def test_editable_install_maps_rules_to_the_checkout() -> None:
    assert catalog.rules_dir() == PROJECT / "rules"


def test_readme_rule_table_matches_the_catalog() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| AC")]
    listed = [tuple(cell.strip() for cell in row.strip("|").split("|")) for row in rows]
    expected = [(r.code, r.name, r.severity, r.summary) for r in catalog.all_rules().values()]
    assert listed == expected


@pytest.mark.e2e
def test_a_task_committed_with_its_change_says_where_a_task_lives(repo: Repo) -> None:
    base = repo.commit("Start", {"README.md": "# app\n"})
    repo.write("src/app.py", "APP = 1\n")
    repo.write(".agentcheck/task.toml", 'id = "T-1"\npaths = ["src/**"]\n')
    repo.git("add", "-A")
    staged = repo.run("diff", "--staged", "--format", "json")
    assert staged.code == 0, staged.out  # uncommitted: the task being set up
    assert staged.codes == []
    head = repo.commit("Add the app with its task")
    pushed = repo.run("diff", f"{base}...{head}", "--format", "json")
    assert pushed.code == 1
    (finding,) = [f for f in pushed.json()["findings"] if f["code"] == "AC302"]
    assert finding["path"] == ".agentcheck/task.toml"
    assert "cannot scope it" in finding["message"]
    assert "keep it uncommitted" in finding["message"]
    assert "```agentcheck block" in finding["message"]


@pytest.mark.e2e
def test_scan_renders_sarif_and_github(repo: Repo, tmp_path: Path) -> None:
    repo.commit("Start", {"AGENTS.md": "Run the tests\u202e first.\n", "ok.md": "fine\n"})
    sarif = repo.run("scan", "--format", "sarif")
    assert sarif.code == 1
    results = sarif.json()["runs"][0]["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
            for r in results] == [("AC502", "AGENTS.md")]  # fmt: skip
    summary = tmp_path / "summary.md"
    github = repo.run(
        "scan", "ok.md", "AGENTS.md", "--format", "github",
        env=clean_env(GITHUB_STEP_SUMMARY=str(summary)),
    )  # fmt: skip
    assert github.code == 1
    assert github.out.startswith("::error file=AGENTS.md,line=1,col=14,title=AC502")
    assert "AC502" in summary.read_text()
    clean = repo.run("scan", "ok.md", "--format", "github")
    assert clean.code == 0
    assert "::error" not in clean.out
