"""`agentcheck init --agent NAME`: each agent's end-of-turn hook written or merged into its own
configuration file, other settings and hooks kept, idempotent, malformed files refused."""

from __future__ import annotations

import json

import pytest

from checker.model.errors import FatalError
from checker.usecases.init import agent_hook, merge_agent_hook
from tests.conftest import Repo

AGENTS = ("claude", "codex", "gemini", "copilot", "cursor")


def grouped(agent: str) -> list[dict[str, object]]:
    return [{"hooks": [{"type": "command", "command": f"agentcheck hook {agent}"}]}]


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        ("claude", {"hooks": {"Stop": grouped("claude")}}),
        ("codex", {"hooks": {"Stop": grouped("codex")}}),
        ("gemini", {"hooks": {"AfterAgent": grouped("gemini")}}),
        (
            "copilot",
            {
                "hooks": {
                    "agentStop": [
                        {"type": "command", "bash": "agentcheck hook copilot", "timeoutSec": 60}
                    ]
                },
                "version": 1,
            },
        ),
        ("cursor", {"hooks": {"stop": [{"command": "agentcheck hook cursor"}]}, "version": 1}),
    ],
)  # fmt: skip
def test_a_new_file_holds_the_agents_own_hook_shape(agent: str, expected: object) -> None:
    written = merge_agent_hook(None, agent_hook(agent), agent)
    assert written is not None
    assert json.loads(written) == expected


def test_other_settings_and_hooks_are_kept_and_a_second_run_changes_nothing() -> None:
    existing = {
        "model": "opus",
        "hooks": {
            "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "x"}]}],
            "Stop": [{"hooks": [{"type": "command", "command": "make lint"}]}],
        },
    }
    merged = merge_agent_hook(json.dumps(existing), agent_hook("claude"), "claude")
    assert merged is not None
    document = json.loads(merged)
    assert document["model"] == "opus"
    assert document["hooks"]["PreToolUse"] == existing["hooks"]["PreToolUse"]  # type: ignore[index]
    assert [g["hooks"][0]["command"] for g in document["hooks"]["Stop"]] == [
        "make lint",
        "agentcheck hook claude",
    ]
    assert merge_agent_hook(merged, agent_hook("claude"), "claude") is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "a JSON list, not an object"),
        ('{"hooks": []}', '"hooks" is a JSON list'),
        ('{"hooks": {"Stop": {}}}', '"hooks.Stop" is a JSON dict'),
    ],
)
def test_a_malformed_file_is_refused_by_name(text: str, fragment: str) -> None:
    with pytest.raises(FatalError) as caught:
        merge_agent_hook(text, agent_hook("claude"), "claude")
    assert str(caught.value).startswith(".claude/settings.json: ")
    assert fragment in str(caught.value)


@pytest.mark.e2e
def test_init_agent_end_to_end(repo: Repo) -> None:
    repo.commit("Start", {"README.md": "# app\n", ".cursor/hooks.json": '{"version": 1}\n'})
    first = repo.run("init", "--agent", "claude", "--agent", "cursor", cwd=repo.root / ".cursor")
    assert first.code == 0, first.err
    assert ".claude/settings.json: wrote it: Stop runs `agentcheck hook claude`" in first.out
    assert ".cursor/hooks.json: added to it: stop runs `agentcheck hook cursor`" in first.out
    paths = (".claude/settings.json", ".cursor/hooks.json")
    written = {p: (repo.root / p).read_bytes() for p in paths}
    assert not (repo.root / "agentcheck.toml").exists()  # --agent writes hooks only
    again = repo.run("init", "--agent", "claude", "--agent", "cursor")
    assert again.code == 0
    assert again.out.count("nothing changed") == 2
    assert {p: (repo.root / p).read_bytes() for p in written} == written


@pytest.mark.e2e
def test_init_agent_refuses_a_malformed_file_with_exit_2(repo: Repo) -> None:
    repo.commit("Start", {".gemini/settings.json": "{\n  broken\n"})
    result = repo.run("init", "--agent", "gemini")
    assert result.code == 2
    assert result.err.startswith("agentcheck: error: .gemini/settings.json: not valid JSON")
    assert "Traceback" not in result.err
    assert (repo.root / ".gemini/settings.json").read_text() == "{\n  broken\n"
