"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit (`pre-commit try-repo`) from
this project's current files against real repositories.

try-repo installs a hook repository from a commit, so a session fixture commits the project's
current files (committed or not) into a repository of their own. pre-commit then builds its
virtualenv and pip-installs agentcheck there; the dependencies come from a wheelhouse built
once per session, so each run installs without reaching the network."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checker.checks import registry
from tests import memory
from tests.conftest import Repo, clean_env, run_agentcheck
from tests.project_copy import PROJECT, built_once, committed_project, offline_pip_env, run

PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which(
    "pre-commit"
)
TASK = 'id = "T-1"\npaths = ["src/**", "tests/**"]\n'

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit (a test dependency) is absent"),
]


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return committed_project(tmp_path_factory)


@pytest.fixture(scope="session")
def hook_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = offline_pip_env(tmp_path_factory)
    # One store for the session's workers: pre-commit locks it, and installs the hook
    # repository's environment once instead of once a worker.
    env["PRE_COMMIT_HOME"] = str(built_once(tmp_path_factory, "pre-commit-home", lambda _: None))
    env["PRE_COMMIT_COLOR"] = "never"
    return env


def try_repo(
    repo: Repo, hook_repo: Path, env: dict[str, str], hook: str, *args: str, verbose: bool = True
) -> tuple[int, str]:
    """`pre-commit try-repo`, as the README tells a user to try the hooks. It installs the hook
    repository into a store of its own on every call (a virtualenv and a pip install), so the
    other tests run the same hooks with `run_hook`."""
    shown = ["--verbose"] if verbose else []
    return _pre_commit(repo, env, "try-repo", str(hook_repo), hook, *shown, *args)


def run_hook(
    repo: Repo, hook_repo: Path, env: dict[str, str], hook: str, *args: str, verbose: bool = True
) -> tuple[int, str]:
    """`pre-commit run HOOK` under a configuration naming the hook repository at its commit, as a
    user's .pre-commit-config.yaml does: what try-repo runs, but installed once per session in
    the session's pre-commit store. The configuration lies outside the repository under test."""
    rev = run("git", "rev-parse", "HEAD", cwd=hook_repo).strip()
    config = repo.root.parent / f"{repo.root.name}-pre-commit-config.yaml"
    config.write_text(
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n      - id: {hook}\n",
        encoding="utf-8",
    )
    shown = ["--verbose"] if verbose else []
    return _pre_commit(repo, env, "run", "--config", str(config), hook, *shown, *args)


def _pre_commit(repo: Repo, env: dict[str, str], *args: str) -> tuple[int, str]:
    done = subprocess.run(
        [str(PRE_COMMIT), *args],
        cwd=repo.root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    return done.returncode, done.stdout + done.stderr


@pytest.fixture
def project(repo: Repo) -> Repo:
    repo.commit(
        "Start",
        {
            ".agentcheck/task.toml": TASK,
            "src/app.py": "APP = 1\n",
            "docs/old.md": "# Old\n",
        },
    )
    return repo


@pytest.mark.e2e
def test_staged_out_of_scope_change_is_refused(
    project: Repo, hook_repo: Path, hook_env: dict[str, str]
) -> None:
    project.write("docs/new.md", "# New\n")
    project.git("add", "docs/new.md")
    project.git("rm", "-q", "docs/old.md")  # pre-commit never passes deleted files to hooks
    code, out = try_repo(project, hook_repo, hook_env, "agentcheck")
    assert code == 1, out
    assert "agentcheck (staged change)" in out
    assert "Failed" in out
    assert "docs/new.md:1:1: AC101" in out
    assert "docs/old.md" in out
    assert "AC101" in out


@pytest.mark.e2e
def test_staged_in_scope_change_passes(
    project: Repo, hook_repo: Path, hook_env: dict[str, str]
) -> None:
    project.write("src/feature.py", "FEATURE = 1\n")
    project.git("add", "src/feature.py")
    # Neither an untracked nor an unstaged out-of-scope file is part of the commit.
    project.write("notes/todo.md", "later\n")
    project.write("docs/old.md", "# Edited, not staged\n")
    code, out = run_hook(project, hook_repo, hook_env, "agentcheck")
    assert code == 0, out
    assert "Passed" in out
    assert "AC101" not in out


@pytest.mark.e2e
def test_pre_push_checks_the_commits_being_pushed(
    project: Repo, hook_repo: Path, hook_env: dict[str, str]
) -> None:
    pushed = project.commit("Already on the remote", {"docs/pushed.md": "# Pushed\n"})
    project.commit("In scope", {"src/more.py": "MORE = 1\n"})
    local = project.commit("Out of scope", {"ops/deploy.md": "# Deploy\n"})
    code, out = run_hook(
        project,
        hook_repo,
        hook_env,
        "agentcheck-push",
        "--hook-stage",
        "pre-push",
        "--from-ref",
        pushed,
        "--to-ref",
        local,
    )
    assert code == 1, out
    assert "agentcheck (commits being pushed)" in out
    assert "ops/deploy.md:1:1: AC101" in out
    assert "docs/pushed.md" not in out, "what the remote has is not checked again"
    assert f"{pushed}...{local}" in out


@pytest.mark.e2e
def test_commit_msg_hook_checks_the_message(
    project: Repo, hook_repo: Path, hook_env: dict[str, str], tmp_path: Path
) -> None:
    # Claims are warnings by default; this policy makes them fail the commit.
    project.commit("Policy", {"agentcheck.toml": '[severity]\nAC601 = "error"\n'})
    project.write("src/app.py", "APP = 2\n")
    project.git("add", "src/app.py")
    message = tmp_path / "COMMIT_EDITMSG"
    hidden = "".join(chr(0xE0000 + ord(c)) for c in "obey")
    message.write_text(
        f"Fix the parser in src/parser.py{hidden}\n\n# Please enter the commit message\n",
        encoding="utf-8",
    )
    code, out = run_hook(
        project,
        hook_repo,
        hook_env,
        "agentcheck-msg",
        "--hook-stage",
        "commit-msg",
        "--commit-msg-filename",
        str(message),
    )
    assert "agentcheck (commit message)" in out
    assert code == 1, out
    assert "AC601" in out
    assert "src/parser.py" in out
    # The hidden-Unicode family (AC5), once a check reports it, finds the tag characters too.
    if any("AC501" in check.codes for check in registry()):
        assert "AC501" in out


@pytest.mark.e2e
def test_commit_msg_hook_passes_a_true_message(
    project: Repo, hook_repo: Path, hook_env: dict[str, str], tmp_path: Path
) -> None:
    project.commit("Policy", {"agentcheck.toml": '[severity]\nAC601 = "error"\n'})
    project.write("src/app.py", "APP = 2\n")
    project.write("docs/new.md", "# New, out of the task's scope\n")
    project.git("add", "-A")
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text("Bump APP in src/app.py\n", encoding="utf-8")
    code, out = run_hook(
        project,
        hook_repo,
        hook_env,
        "agentcheck-msg",
        "--hook-stage",
        "commit-msg",
        "--commit-msg-filename",
        str(message),
    )
    assert code == 0, out
    assert "Passed" in out
    assert "AC101" not in out, "scope is the agentcheck hook's job, not the message hook's"


def test_hooks_file_is_a_valid_manifest_for_pre_commit_3_2() -> None:
    """pre-commit's own loader accepts the manifest; every hook requires pre-commit 3.2, whose
    stage names it uses."""
    loader = (
        "import json, sys; from pre_commit.clientlib import load_manifest; "
        "print(json.dumps(load_manifest(sys.argv[1])))"
    )
    manifest = PROJECT / ".pre-commit-hooks.yaml"
    hooks = json.loads(run(sys.executable, "-c", loader, str(manifest), cwd=PROJECT))
    by_id = {hook["id"]: hook for hook in hooks}
    assert set(by_id) == {"agentcheck", "agentcheck-push", "agentcheck-unicode", "agentcheck-msg"}
    for hook in hooks:
        assert hook["language"] == "python"
        assert hook["minimum_pre_commit_version"] == "3.2.0"
        assert hook["entry"].startswith("agentcheck ")
    for diff_hook in ("agentcheck", "agentcheck-push"):
        assert by_id[diff_hook]["pass_filenames"] is False
        assert by_id[diff_hook]["always_run"] is True
    assert by_id["agentcheck-msg"]["stages"] == ["commit-msg"]
    assert by_id["agentcheck-msg"]["entry"].endswith("--message")
    assert by_id["agentcheck-push"]["stages"] == ["pre-push"]
    assert by_id["agentcheck-unicode"]["types"] == ["text"]
    # pre-commit shows a passing hook's output only for verbose hooks: warnings must show.
    assert all(hook["verbose"] is True for hook in hooks)
    assert all("--quiet" in hook["entry"].split() for hook in hooks)
    assert os.path.basename(by_id["agentcheck-unicode"]["entry"].split()[1]) == "scan"


@pytest.fixture(scope="session")
def scan_command(tmp_path_factory: pytest.TempPathFactory) -> None:
    if run_agentcheck("scan", "--help", cwd=tmp_path_factory.getbasetemp()).code != 0:
        pytest.skip("`agentcheck scan` is not in this version yet; the hook entry calls it")


@pytest.mark.e2e
def test_unicode_hook_scans_the_files_pre_commit_passes(
    scan_command: None, project: Repo, hook_repo: Path, hook_env: dict[str, str]
) -> None:
    project.write("docs/guide.md", "Run the tests\u202e and then deploy.\n")
    project.write("src/clean.py", "CLEAN = 1\n")
    project.git("add", "-A")
    code, out = run_hook(project, hook_repo, hook_env, "agentcheck-unicode")
    assert code == 1, out
    assert "agentcheck (hidden Unicode)" in out
    assert "docs/guide.md" in out
    assert "AC502" in out
    assert "src/clean.py:" not in out, "no finding in the clean file"
    assert "\u202e" not in out, "the report shows the character escaped, never raw"


# -- what the hook entries rely on, without pre-commit ----------------------------------------


@pytest.mark.e2e
def test_pre_push_reads_the_refs_pre_commit_sets(project: Repo) -> None:
    base = project.git("rev-parse", "HEAD").strip()
    head = project.commit("Out of scope", {"ops/deploy.md": "# Deploy\n"})
    pushed = project.run(
        "diff",
        "--pre-push",
        "--format",
        "json",
        env=clean_env(PRE_COMMIT="1", PRE_COMMIT_FROM_REF=base, PRE_COMMIT_TO_REF=head),
    )
    assert pushed.code == 1
    assert pushed.codes == ["AC101"]
    assert pushed.json()["summary"]["source"] == f"git diff {base}...{head}"
    # pre-commit sets no refs when the push carries the root commit: nothing to compare with.
    new_history = project.run("diff", "--pre-push", env=clean_env(PRE_COMMIT="1"))
    assert new_history.code == 0
    assert "new history" in new_history.out
    # Outside pre-commit the option says how to name the range instead.
    by_hand = project.run("diff", "--pre-push")
    assert by_hand.code == 2
    assert "PRE_COMMIT_FROM_REF" in by_hand.err
    both = project.run("diff", "--pre-push", "--staged")
    assert both.code == 2
    assert "cannot be combined" in both.err


@pytest.mark.e2e
def test_unknown_codes_select_nothing_only_when_allowed(project: Repo) -> None:
    # AC0 is a family no rule has.
    project.write("ops/deploy.md", "# Deploy\n")
    project.git("add", "-A")
    strict = project.run("diff", "--staged", "--select", "AC0")
    assert strict.code == 2
    assert "AC0" in strict.err
    lenient = project.run(
        "diff", "--staged", "--allow-unknown-codes", "--select", "AC0", "--format", "json"
    )
    assert lenient.code == 0, lenient.err
    assert lenient.codes == []
    mixed = project.run(
        "diff", "--staged", "--allow-unknown-codes", "--select", "AC0,AC1", "--format", "json"
    )
    assert mixed.code == 1
    assert mixed.codes == ["AC101"]


@pytest.mark.e2e
def test_an_agents_commit_is_bound_where_a_persons_is_advised(
    repo: Repo, hook_repo: Path, hook_env: dict[str, str]
) -> None:
    """The hook runs in the environment of whoever runs `git commit`: an agent's shell sets its
    variables (rules/agents.toml), so the staged change binds the agent. (The same change by a
    person is advised: tests/test_authorship.py runs that side without pre-commit.)"""
    repo.commit("Start", {"README.md": "# app\n"})
    repo.write(".github/workflows/ci.yml", "on: push\n")
    repo.git("add", "-A")
    code, out = run_hook(repo, hook_repo, {**hook_env, "CLAUDECODE": "1"}, "agentcheck")
    assert code == 1, out
    assert "AC301" in out
    assert "agent change (Claude Code: environment CLAUDECODE=1): every rule binds" in out


# -- what a pre-commit user sees ---------------------------------------------------------------


def test_a_warning_shows_on_a_commit_that_passes(
    repo: Repo, hook_repo: Path, hook_env: dict[str, str]
) -> None:
    """pre-commit prints a hook's output only when it fails, unless the hook is verbose: a
    person's edit of CI configuration (advice, which passes) must not hide behind "Passed"."""
    repo.commit("Start", {"README.md": "# app\n"})
    repo.write("src/app.py", "APP = 2\n")
    repo.git("add", "-A")
    code, out = run_hook(repo, hook_repo, hook_env, "agentcheck", verbose=False)
    assert code == 0, out
    assert "Passed" in out
    assert "All checks passed" not in out, "--quiet: a clean run adds nothing"
    repo.git("commit", "-qm", "App")
    repo.write(".github/workflows/ci.yml", "on: push\n")
    repo.git("add", "-A")
    code, out = run_hook(repo, hook_repo, hook_env, "agentcheck", verbose=False)
    assert code == 0, out
    assert "Passed" in out
    assert ".github/workflows/ci.yml:1:1: AC301 (advice)" in out
    assert "help: " in out


def test_the_commit_that_sets_agentcheck_up_passes_its_own_hook(
    repo: Repo, hook_repo: Path, hook_env: dict[str, str], tmp_path: Path
) -> None:
    """The README's recipe, as a user follows it: a .pre-commit-config.yaml naming agentcheck's
    hooks, `pre-commit install`, and the commit that adds the file, made in an agent's shell
    (where every rule binds). Adding agentcheck's own hook entry sets the gate up."""
    named = tmp_path / "hosted" / "agentcheck"  # where agentcheck is hosted: a repository so named
    named.parent.mkdir()
    named.symlink_to(hook_repo, target_is_directory=True)
    rev = run("git", "rev-parse", "HEAD", cwd=hook_repo).strip()
    repo.commit("Start", {"README.md": "# app\n", "src/app.py": "APP = 1\n"})
    config = (
        "default_install_hook_types: [pre-commit, commit-msg]\n"
        "repos:\n"
        f"  - repo: {named}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: agentcheck\n"
        "      - id: agentcheck-msg\n"
    )
    repo.write(".pre-commit-config.yaml", config)
    env = {**hook_env, "CLAUDECODE": "1"}
    run(str(PRE_COMMIT), "install", cwd=repo.root, env=env)
    repo.git("add", "-A")

    def commit(message: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "commit", "-m", message],
            cwd=repo.root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )

    done = commit("Set up agentcheck's pre-commit hooks")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "AC301" not in done.stdout + done.stderr
    # Once set up, an edit of agentcheck's hooks is a protected-path change like any other.
    repo.write(".pre-commit-config.yaml", config + "      - id: agentcheck-unicode\n")
    repo.git("add", "-A")
    done = commit("Scan files too")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "AC301 .pre-commit-config.yaml is a protected path" in done.stdout + done.stderr


# -- setting agentcheck up in .pre-commit-config.yaml, in process -------------------------------

HOOKS = """  - repo: https://github.com/OWNER/agentcheck
    rev: v0.1.0
    hooks:
      - id: agentcheck
      - id: agentcheck-push
"""
OTHERS = """repos:
  - repo: https://github.com/psf/black
    rev: 24.1.0
    hooks:
      - id: black
"""


@pytest.mark.parametrize(
    ("base", "head", "setting_up"),
    [
        (None, "repos:\n" + HOOKS, True),
        (None, "default_install_hook_types: [pre-commit, pre-push]\nrepos:\n" + HOOKS, True),
        (OTHERS, OTHERS + HOOKS, True),
        (OTHERS, OTHERS.replace("repos:\n", "repos:\n" + HOOKS), True),
        (
            OTHERS,
            OTHERS
            + "  - repo: local\n    hooks:\n      - id: gate\n        name: gate\n"
            "        entry: agentcheck diff --staged\n        language: system\n",
            True,
        ),
        # Not only agentcheck's hooks: another hook, or an edit of what was there.
        (None, OTHERS, False),
        (OTHERS, OTHERS.replace("black\n", "black\n        args: [-q]\n") + HOOKS, False),
        (OTHERS, OTHERS.replace("24.1.0", "25.1.0") + HOOKS, False),
        # Another repository's hook that only takes agentcheck's name.
        (OTHERS, OTHERS + HOOKS.replace("OWNER/agentcheck", "someone/tools"), False),
        (
            OTHERS,
            OTHERS
            + "  - repo: local\n    hooks:\n      - id: agentcheck\n        name: x\n"
            "        entry: curl example.com\n        language: system\n",
            False,
        ),
        (
            OTHERS,
            OTHERS + HOOKS + "        additional_dependencies: [something]\n",
            False,
        ),
        # agentcheck already set up: changing its hooks is not setting it up.
        (OTHERS + HOOKS, OTHERS + HOOKS + "        args: [--fail-on, never]\n", False),
        (OTHERS + HOOKS, OTHERS + HOOKS + "      - id: agentcheck-msg\n", False),
    ],
)  # fmt: skip
def test_only_adding_agentcheck_hooks_sets_it_up(
    base: str | None, head: str, setting_up: bool
) -> None:
    before = {"README.md": "# app\n"} | ({} if base is None else {".pre-commit-config.yaml": base})
    after = {"README.md": "# app\n", ".pre-commit-config.yaml": head}
    for kind in ("index", "range"):
        found = memory.codes(memory.findings(before, after, kind=kind))
        assert ("AC301" not in found) == setting_up, (kind, found)
