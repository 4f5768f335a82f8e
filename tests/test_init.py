"""`agentcheck init` as a new user runs it, through the real command: on a repository shaped
like kedro (import-linter contracts in pyproject.toml, agent skills with scripts, many CI
workflows), and `init --agent NAME` for each agent."""

from __future__ import annotations

import json

import pytest

from checker.config.tomlfile import parse_toml
from tests.conftest import Repo

pytestmark = pytest.mark.e2e

PYPROJECT = """[project]
name = "shop"

[tool.pytest.ini_options]
addopts = "-q"

[tool.ruff]
line-length = 100

[tool.importlinter]
root_package = "shop"

[[tool.importlinter.contracts]]
name = "layers"
type = "layers"
layers = ["shop.api", "shop.db"]

[[tool.importlinter.contracts]]
name = "ui never touches db"
type = "forbidden"
source_modules = ["shop.ui"]
forbidden_modules = ["shop.db"]
"""


@pytest.fixture
def shop(repo: Repo) -> Repo:
    files: dict[str, str | bytes] = {
        "pyproject.toml": PYPROJECT,
        "shop/__init__.py": "",
        "shop/api/__init__.py": "",
        "shop/db/__init__.py": "",
        "shop/ui/__init__.py": "",
        "AGENTS.md": "# Agents\n",
        ".agents/skills/babysit/SKILL.md": "# Babysit\n",
        ".agents/skills/babysit/scripts/run_checks.sh": "#!/bin/sh\nmake test\n",
        ".agents/scripts/post_review.sh": "#!/bin/sh\ngh pr review\n",
    }
    files |= {f".github/workflows/job{n:02}.yml": "on: push\n" for n in range(10)}
    repo.commit("Start", files)
    return repo


def test_init_on_a_pyproject_centred_repository(shop: Repo) -> None:
    result = shop.run("init")
    assert result.code == 0, result.err
    assert "Found 2 import contracts in pyproject.toml [tool.importlinter]" in result.out
    assert "agentcheck will check every change against them" in result.out
    assert "`agentcheck init --pyproject`" in result.out  # offered: tools live in pyproject
    assert "[tool.importlinter]" in result.out
    written = (shop.root / "agentcheck.toml").read_text()
    policy = parse_toml(written, "agentcheck.toml")
    assert "roots" not in policy["imports"]  # the contracts say where the packages are
    assert "2 import contracts found in pyproject.toml [tool.importlinter]" in written
    instructions = next(line for line in written.splitlines() if "instruction files" in line)
    assert ".agents/skills/babysit/SKILL.md" in instructions
    assert "AGENTS.md" in instructions
    assert ".sh" not in instructions
    assert "AC303 also watches 2 other files under those folders (scripts, data)." in written
    protected = next(line for line in written.splitlines() if "Protected files found" in line)
    assert ".github/workflows/job07.yml, and 2 more (8 of 10 files shown)" in protected
    assert "job08" not in protected


def test_init_pyproject_adds_a_table_that_sets_the_policy_up(shop: Repo) -> None:
    printed = shop.run("init", "--pyproject", "--stdout")
    assert printed.code == 0, printed.err
    assert printed.out.count("[tool.agentcheck") == 6  # the table and its subtables
    assert "Found 2 import contracts" in printed.err  # notes stay off the printed policy
    result = shop.run("init", "--pyproject")
    assert result.code == 0, result.err
    assert "Added [tool.agentcheck] to" in result.out
    assert not (shop.root / "agentcheck.toml").exists()
    text = (shop.root / "pyproject.toml").read_text()
    assert text.startswith(PYPROJECT)  # appended: nothing of the user's file changes
    table = parse_toml(text, "pyproject.toml")["tool"]["agentcheck"]
    assert table["size"]["max-lines"] == 1000
    shop.git("add", "-A")
    staged = shop.run("diff", "--staged", "--format", "json")
    assert staged.code == 0, staged.out
    assert staged.json()["summary"]["policy"] == "pyproject.toml [tool.agentcheck]"
    assert staged.codes == []  # the policy being set up, not edited (AC302)
    again = shop.run("init", "--pyproject")
    assert again.code == 2
    assert "already has a [tool.agentcheck] table" in again.err


def test_init_pyproject_without_a_pyproject(repo: Repo) -> None:
    repo.commit("Start", {"README.md": "# app\n"})
    result = repo.run("init", "--pyproject")
    assert result.code == 2
    assert "no pyproject.toml" in result.err
    assert "Traceback" not in result.err


HOOK_FILES = {
    "claude": (".claude/settings.json", ("hooks", "Stop")),
    "codex": (".codex/hooks.json", ("hooks", "Stop")),
    "gemini": (".gemini/settings.json", ("hooks", "AfterAgent")),
    "copilot": (".github/hooks/agentcheck.json", ("hooks", "agentStop")),
    "cursor": (".cursor/hooks.json", ("hooks", "stop")),
}


@pytest.mark.parametrize("agent", sorted(HOOK_FILES))
def test_init_agent_merges_its_hook_through_the_real_command(repo: Repo, agent: str) -> None:
    path, (hooks, event) = HOOK_FILES[agent]
    other = {"command": "make lint"} if agent in ("cursor",) else {"type": "command"}
    existing = {"keep": True, hooks: {event: [other], "Other": [{"x": 1}]}}
    repo.commit("Start", {path: json.dumps(existing), "README.md": "# app\n"})
    first = repo.run("init", "--agent", agent)
    assert first.code == 0, first.err
    assert f"{path}: added to it: {event} runs `agentcheck hook {agent}`" in first.out
    document = json.loads((repo.root / path).read_text())
    assert document["keep"] is True
    assert document[hooks]["Other"] == [{"x": 1}]
    entries = document[hooks][event]
    assert entries[0] == other  # the hook already there stays first
    assert f"agentcheck hook {agent}" in json.dumps(entries[1])
    written = (repo.root / path).read_bytes()
    again = repo.run("init", "--agent", agent)
    assert again.code == 0
    assert again.out.strip() == f"{path}: already runs `agentcheck hook {agent}`; nothing changed."
    assert (repo.root / path).read_bytes() == written
    (repo.root / path).write_text('{"hooks": ')
    broken = repo.run("init", "--agent", agent)
    assert broken.code == 2
    assert broken.err.startswith(f"agentcheck: error: {path}: not valid JSON")
