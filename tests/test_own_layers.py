"""agentcheck holds itself to its own import contracts (agentcheck.toml: the stages as one
layers contract, and the forbidden ones): its whole history passes its own gate, and an import
up the stages planted in a copy of the project fails it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import Repo, clean_env, run_agentcheck
from tests.project_copy import PROJECT, committed_project

pytestmark = pytest.mark.e2e


def _root_commit() -> str:
    if not (PROJECT / ".git").exists():
        pytest.skip("not a git checkout of agentcheck: its history is needed")
    roots = subprocess.run(
        ["git", "rev-list", "--max-parents=0", "HEAD"],
        cwd=PROJECT,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return roots[-1]


def test_the_projects_history_keeps_its_own_import_contracts() -> None:
    root = _root_commit()
    for args in ((f"{root}..HEAD",), ("--since", root)):  # committed; and uncommitted work too
        result = run_agentcheck("diff", *args, "--select", "AC4", "--format", "json", cwd=PROJECT)
        assert result.code == 0, result.out + result.err
        document = result.json()
        assert document["findings"] == [], args
        assert document["summary"]["policy"] == "agentcheck.toml"
        assert document["summary"]["files"] > 50, "the history's files were read"


def test_an_import_up_the_stages_fails_the_projects_own_gate(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    source = committed_project(tmp_path_factory)
    copy = Repo(tmp_path / "copy")
    copy.git("pull", "-q", str(source), "HEAD")
    copy.write("checker/model/planted.py", '"""Planted."""\n\nfrom checker.cli import main\n')
    copy.write("checker/checks/planted.py", '"""Planted."""\n\nimport subprocess\n')
    result = copy.run("diff", "--select", "AC4", "--format", "json")
    assert result.code == 1, result.err
    found = {(f["code"], f["path"], f["line"], f["severity"]) for f in result.json()["findings"]}
    assert found == {
        ("AC401", "checker/model/planted.py", 3, "error"),
        ("AC402", "checker/checks/planted.py", 3, "error"),
    }
    messages = " ".join(f["message"] for f in result.json()["findings"])
    assert "checker.model.planted -> checker.cli" in messages
    assert "'stages of the data flow'" in messages
    assert "'checks never call git'" in messages
    # Committed, the same imports fail a range.
    copy.commit("plant upward imports")
    committed = copy.run("diff", "HEAD~1..HEAD", "--select", "AC4", "--format", "json")
    assert committed.code == 1, committed.err
    assert {f["code"] for f in committed.json()["findings"]} == {"AC401", "AC402"}
