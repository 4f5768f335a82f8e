"""Shared configuration is in scope; what decides the checks is AC302 wherever it lives
(agentcheck's own table or file, import-linter's and tach's contracts in each of their homes)."""

from __future__ import annotations

import json

import pytest

from checker.model.finding import Finding
from tests.conftest import Repo, diff_findings
from tests.memory import findings

CORE = 'id = "T"\npaths = ["core/**"]\n'
PYPROJECT = '[project]\nname = "x"\nversion = "1"\ndependencies = []\n'
LINTER = (
    "[importlinter]\nroot_package = app\n\n[importlinter:contract:layers]\nname = Layers\n"
    "type = layers\nlayers =\n    app.web\n    app.core\n"
)


def _pairs(found: list[Finding]) -> set[tuple[str, str | None]]:
    return {(f.code, f.path) for f in found}


def test_pyproject_is_an_ordinary_file_for_task_scope() -> None:
    base = {"pyproject.toml": PYPROJECT, "core/a.py": "a = 1\n"}
    head = {**base, "pyproject.toml": PYPROJECT.replace("[]", '["requests"]')}
    assert ("AC101", "pyproject.toml") in _pairs(findings(base, head, task=CORE))
    forbid = CORE + 'forbid = ["pyproject.toml"]\n'
    assert ("AC102", "pyproject.toml") in _pairs(findings(base, head, task=forbid))


def test_pyproject_holding_the_policy_is_still_in_scope() -> None:
    policy = PYPROJECT + '\n[tool.agentcheck]\nfail-on = "error"\n'
    base = {"pyproject.toml": policy}
    head = {"pyproject.toml": policy + "\n[tool.pytest.ini_options]\naddopts = '-k not slow'\n"}
    found = _pairs(findings(base, head, task=CORE))
    assert ("AC101", "pyproject.toml") in found
    assert ("AC302", "pyproject.toml") not in found  # the policy's table is as it was


@pytest.mark.parametrize(
    ("path", "base", "head", "what"),
    [
        (".importlinter", LINTER, LINTER.replace("    app.core\n", ""), "import-linter"),
        (
            "setup.cfg",
            "[metadata]\nname = x\n\n" + LINTER,
            "[metadata]\nname = x\n",
            "[importlinter]",
        ),
        (
            "pyproject.toml",
            PYPROJECT + '\n[tool.importlinter]\nroot_package = "app"\n',
            PYPROJECT + '\n[tool.importlinter]\nroot_package = "other"\n',
            "[tool.importlinter]",
        ),
        (
            "pyproject.toml",
            PYPROJECT + '\n[[tool.tach.modules]]\npath = "app.core"\ndepends_on = []\n',
            PYPROJECT + '\n[[tool.tach.modules]]\npath = "app.core"\ndepends_on = ["app.web"]\n',
            "[tool.tach]",
        ),
        (
            "tach.toml",
            '[[modules]]\npath = "app.core"\ndepends_on = []\n',
            '[[modules]]\npath = "app.core"\ndepends_on = ["app.web"]\n',
            "tach",
        ),
    ],
)
def test_ac302_an_edit_to_the_import_contracts_in_each_home(
    path: str, base: str, head: str, what: str
) -> None:
    found = [f for f in findings({path: base}, {path: head}) if f.code == "AC302"]
    assert [f.path for f in found] == [path]
    assert what in found[0].message


def test_other_edits_to_shared_files_are_not_ac302() -> None:
    cfg = "[metadata]\nname = x\n\n" + LINTER
    found = findings({"setup.cfg": cfg}, {"setup.cfg": cfg.replace("name = x", "name = y")})
    assert [f for f in found if f.code == "AC302"] == []


def test_contract_files_are_exempt_from_scope_but_reported() -> None:
    base = {".importlinter": LINTER}
    head = {".importlinter": LINTER.replace("    app.core\n", "")}
    assert _pairs(findings(base, head, task=CORE)) == {("AC302", ".importlinter")}


def test_setting_the_policy_up_in_pyproject_is_excused_but_not_contracts() -> None:
    policy = PYPROJECT + '\n[tool.agentcheck]\nfail-on = "error"\n'
    assert (
        findings({"pyproject.toml": PYPROJECT}, {"pyproject.toml": policy}, kind="worktree") == []
    )
    both = policy + '\n[tool.importlinter]\nroot_package = "app"\n'
    base = {"pyproject.toml": PYPROJECT + '\n[tool.importlinter]\nroot_package = "x"\n'}
    found = findings(base, {"pyproject.toml": both}, kind="worktree")
    assert [f.code for f in found] == ["AC302"]


@pytest.mark.parametrize(
    "path",
    [
        ".mcp.json",
        ".cursor/mcp.json",
        ".vscode/mcp.json",
        ".roo/mcp.json",
        ".continue/mcpServers/browser.yaml",
        ".claude/settings.local.json",
        ".windsurf/hooks.json",
        ".github/copilot/settings.json",
        ".github/workflows/copilot-setup-steps.yml",
    ],
)
def test_agent_configuration_is_protected(path: str) -> None:
    assert ("AC301", path) in _pairs(findings({}, {path: "{}\n"}))


HOOKED = json.dumps(
    {
        "permissions": {"allow": ["Bash(make test)"]},
        "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "agentcheck hook claude"}]}]},
    },
    indent=2,
)


def test_removing_agentchecks_own_hook_has_its_own_message() -> None:
    unhooked = json.dumps({"permissions": {"allow": ["Bash(make test)"]}}, indent=2)
    path = ".claude/settings.json"
    allowing = 'id = "T"\npaths = ["**"]\nallow-protected = [".claude/**"]\n'
    for task in (None, allowing):  # a task that allows the file does not allow this
        found = [
            f for f in findings({path: HOOKED}, {path: unhooked}, task=task) if f.code != "AC303"
        ]
        assert [(f.code, f.path) for f in found] == [("AC301", path)]
        assert "no longer runs agentcheck's own hook" in found[0].message
    found = [f for f in findings({path: HOOKED}, {}) if f.code == "AC301"]
    assert "no longer runs agentcheck's own hook" in found[0].message


def test_other_edits_to_a_hooked_settings_file_keep_the_ordinary_message() -> None:
    path = ".claude/settings.json"
    widened = HOOKED.replace("Bash(make test)", "Bash(*)")
    found = [f for f in findings({path: HOOKED}, {path: widened}) if f.code != "AC303"]
    assert [f.code for f in found] == ["AC301"]
    assert "is a protected path" in found[0].message
    allowing = 'id = "T"\npaths = ["**"]\nallow-protected = [".claude/**"]\n'
    assert [
        f for f in findings({path: HOOKED}, {path: widened}, task=allowing) if f.code == "AC301"
    ] == []


def _weakened(base: dict[str, str], head: dict[str, str], task: str | None = None) -> list[str]:
    return [
        f.path or ""
        for f in findings(base, head, task=task)
        if f.code == "AC301" and "changes how agentcheck's own hook runs" in f.message
    ]


@pytest.mark.parametrize(
    "edit",
    [
        ("agentcheck hook claude", "agentcheck hook claude || true"),  # its command
        ('"Stop"', '"SubagentStop"'),  # its event
        ('[{"hooks"', '[{"matcher": "never", "hooks"'),  # a matcher around it
        ('"type": "command",', '"type": "command", "timeout": 1,'),  # its timeout
        ('"permissions"', '"disableAllHooks": true, "permissions"'),  # every hook off
        ('"hooks": {', '"hooks" {'),  # a file the agent cannot read
    ],
)
def test_weakening_agentchecks_own_hook_has_its_own_message(edit: tuple[str, str]) -> None:
    path = ".claude/settings.json"
    base = json.dumps(json.loads(HOOKED))  # one line, so each edit is a plain replacement
    head = base.replace(*edit)
    assert head != base
    allowing = 'id = "T"\npaths = ["**"]\nallow-protected = [".claude/**"]\n'
    assert _weakened({path: base}, {path: head}) == [path]
    assert _weakened({path: base}, {path: head}, task=allowing) == [path]


def test_keeping_agentchecks_own_hook_as_it_was_is_no_weakening() -> None:
    path = ".claude/settings.json"
    document = json.loads(HOOKED)
    # Reformatted, another hook added beside it, another setting changed: the entry is kept.
    document["hooks"]["PreToolUse"] = [{"matcher": "Bash", "hooks": [{"command": "lint"}]}]
    document["hooks"]["Stop"].insert(0, {"hooks": [{"type": "command", "command": "notify"}]})
    document["model"] = "opus"
    assert _weakened({path: HOOKED}, {path: json.dumps(document, indent=4)}) == []
    # A file that never ran agentcheck's hook has nothing of it to weaken.
    assert _weakened({path: '{"model": "a"}'}, {path: '{"model": "b", "x": {'}) == []
    # Copilot's and Codex's files the same way.
    copilot = ".github/hooks/agentcheck.json"
    entry = '{"version": 1, "hooks": {"agentStop": [{"type": "command", "bash": "agentcheck hook '
    entry += 'copilot", "timeoutSec": 60}]}}'
    assert _weakened({copilot: entry}, {copilot: entry.replace("60", "1")}) == [copilot]
    assert _weakened({copilot: entry}, {copilot: entry.replace("1,", "1, ")}) == []


@pytest.mark.e2e
def test_end_to_end_an_agent_removing_its_hook(repo: Repo) -> None:
    base = repo.commit("base", {".claude/settings.json": HOOKED + "\n", "a.py": "a = 1\n"})
    head = repo.commit("quiet", {".claude/settings.json": "{}\n"})
    found = diff_findings(repo, f"{base}..{head}", "--policy-from", base)
    assert [(f["code"], f["path"]) for f in found if f["code"] == "AC301"] == [
        ("AC301", ".claude/settings.json")
    ]
    [own] = [f["message"] for f in found if f["code"] == "AC301"]
    assert "no longer runs agentcheck's own hook" in own


@pytest.mark.e2e
def test_end_to_end_an_agent_weakening_its_hook(repo: Repo) -> None:
    base = repo.commit("base", {".claude/settings.json": HOOKED + "\n", "a.py": "a = 1\n"})
    weak = HOOKED.replace("agentcheck hook claude", "agentcheck hook claude || true")
    head = repo.commit("quiet", {".claude/settings.json": weak})
    found = diff_findings(repo, f"{base}..{head}", "--policy-from", base)
    [own] = [f["message"] for f in found if f["code"] == "AC301"]
    assert "changes how agentcheck's own hook runs" in own
