"""`agentcheck hook AGENT` through the real command: each agent's event in, its own blocking
form out, the loop guard, broken input, and the repository left as it was. (The real Claude
Code and Codex programs drive the same command in tests/agent_programs.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Repo, Result, clean_env

pytestmark = pytest.mark.e2e

TASK = 'id = "T-1"\npaths = ["src/**"]\n'


def stop(repo: Repo, agent: str, event: dict[str, Any] | bytes, cache: Path, *args: str) -> Result:
    raw = event if isinstance(event, bytes) else json.dumps(event).encode()
    return repo.run("hook", agent, *args, stdin=raw, env=clean_env(XDG_CACHE_HOME=str(cache)))


def event(
    agent: str, repo: Repo, message: str | None = None, again: bool = False
) -> dict[str, Any]:
    """AGENT's end-of-turn event as its documentation gives it (docs/agents.md)."""
    base: dict[str, Any] = {"cwd": str(repo.root), "session_id": "s-1"}
    if agent in ("claude", "codex"):
        return {
            **base,
            "hook_event_name": "Stop",
            "stop_hook_active": again,
            "last_assistant_message": message,
            "transcript_path": "/nonexistent/transcript.jsonl",
        }
    if agent == "gemini":
        return {
            **base,
            "hook_event_name": "AfterAgent",
            "prompt": "Do the task",
            "prompt_response": message,
            "stop_hook_active": again,
        }
    if agent == "copilot":
        return {"cwd": str(repo.root), "timestamp": 1704614400000, "transcriptPath": "/x.jsonl"}
    return {
        "conversation_id": "c-1",
        "hook_event_name": "stop",
        "status": "completed",
        "loop_count": 1 if again else 0,
        "workspace_roots": [str(repo.root)],
        "cwd": str(repo.root),
    }


@pytest.fixture
def outside(repo: Repo) -> Repo:
    """A task for src/**, and an uncommitted edit outside it."""
    repo.commit("Start", {"src/app.py": "A = 1\n", ".agentcheck/task.toml": TASK})
    repo.write("docs/notes.md", "notes\n")
    return repo


BLOCKS = {
    "claude": ("decision", "block"),
    "codex": ("decision", "block"),
    "gemini": ("decision", "deny"),
    "copilot": ("decision", "block"),
}


@pytest.mark.parametrize("agent", ["claude", "codex", "gemini", "copilot", "cursor"])
def test_each_agent_is_answered_in_its_own_blocking_form(
    agent: str, outside: Repo, tmp_path: Path
) -> None:
    result = stop(outside, agent, event(agent, outside, "Done."), tmp_path)
    assert result.code == 0, result.err
    answer = json.loads(result.out)
    if agent == "cursor":
        feedback = answer["followup_message"]
    else:
        key, value = BLOCKS[agent]
        assert answer[key] == value
        feedback = answer["reason"]
    assert "docs/notes.md:1 AC101 (error) docs/notes.md is outside the task's paths" in feedback
    assert "Way back:" in feedback
    assert outside.git("status", "--porcelain") == "?? docs/\n"  # nothing written in the repo


@pytest.mark.parametrize("agent", ["claude", "codex", "gemini"])
def test_the_final_message_is_a_claim_source(agent: str, repo: Repo, tmp_path: Path) -> None:
    repo.commit("Start", {"src/app.py": "A = 1\n", "src/b.py": "B = 1\n"})
    repo.write("src/app.py", "A = 2\n")
    true = stop(repo, agent, event(agent, repo, "I updated src/app.py."), tmp_path)
    assert (true.code, true.out) == (0, "")
    false = stop(repo, agent, event(agent, repo, "I updated src/b.py."), tmp_path)
    assert "AC601" in json.loads(false.out)["reason"]


def test_gemini_s_cumulative_response_is_judged_from_the_last_block_on(
    repo: Repo, tmp_path: Path
) -> None:
    """Gemini CLI's prompt_response joins every text of the prompt (as Gemini CLI 0.61 sends
    it, tests/agent_programs): after a block, the corrected report is judged on its own."""
    repo.commit("Start", {"src/app.py": "A = 1\n", "src/b.py": "B = 1\n"})
    repo.write("src/app.py", "A = 2\n")
    first = "I updated src/b.py."
    blocked = stop(repo, "gemini", event("gemini", repo, first), tmp_path)
    assert "AC601" in json.loads(blocked.out)["reason"]
    corrected = f"{first}\nI updated src/app.py, not src/b.py."
    # stop_hook_active is false when the model ran a tool after the block, as here.
    again = stop(repo, "gemini", event("gemini", repo, corrected), tmp_path)
    assert (again.code, again.out) == (0, "")
    # A text that does not begin with the judged one is judged whole.
    stop(repo, "gemini", event("gemini", repo, first), tmp_path)
    other = f"Earlier: {first}\nI updated src/app.py."
    whole = stop(repo, "gemini", event("gemini", repo, other, again=True), tmp_path)
    assert "AC601" in json.loads(whole.out)["reason"]


def test_warnings_block_in_the_loop(repo: Repo, tmp_path: Path) -> None:
    repo.commit("Start", {"README.md": "r\n"})
    repo.write("CLAUDE.md", "Be brief.\n")  # AC303 is a warning
    blocked = stop(repo, "claude", event("claude", repo), tmp_path)
    assert "AC303" in json.loads(blocked.out)["reason"]
    repo.write("agentcheck.toml", '[hooks]\nfail-on = "error"\n')
    repo.commit("policy")
    repo.write("CLAUDE.md", "Be briefer.\n")
    assert stop(repo, "claude", event("claude", repo), tmp_path).out == ""


def test_the_same_findings_block_at_most_max_blocks_times(outside: Repo, tmp_path: Path) -> None:
    answers = []
    for again in (False, True, True):
        result = stop(outside, "claude", event("claude", outside, "Done.", again), tmp_path)
        answers.append(json.loads(result.out))
    assert [a.get("decision") for a in answers] == ["block", "block", None]
    assert "lets the agent stop" in answers[2]["systemMessage"]
    # A new turn starts a new count.
    fresh = stop(outside, "claude", event("claude", outside, "Done."), tmp_path)
    assert json.loads(fresh.out)["decision"] == "block"


def test_cursor_loop_count_and_max_blocks_from_the_policy(repo: Repo, tmp_path: Path) -> None:
    repo.commit(
        "Start",
        {
            "src/app.py": "A = 1\n",
            ".agentcheck/task.toml": TASK,
            "agentcheck.toml": "[hooks]\nmax-blocks = 1\n",
        },
    )
    repo.write("docs/notes.md", "notes\n")
    first = stop(repo, "cursor", event("cursor", repo), tmp_path)
    assert "followup_message" in json.loads(first.out)
    second = stop(repo, "cursor", event("cursor", repo, again=True), tmp_path)
    assert second.out == ""  # Cursor's stop has no field for a notice: it goes to stderr
    assert "lets the agent stop" in second.err


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b"", "received nothing on standard input"),
        (b"{not json", "is not JSON"),
        (b"[1, 2]", "is a JSON list, not an object"),
        (b'{"cwd": "/nonexistent/folder"}', "is not a folder on this machine"),
    ],
)
def test_broken_input_lets_the_agent_stop_and_says_why(
    raw: bytes, fragment: str, repo: Repo, tmp_path: Path
) -> None:
    repo.commit("Start", {"a": "a\n"})
    result = stop(repo, "claude", raw, tmp_path)
    assert result.code == 0
    notice = json.loads(result.out)["systemMessage"]
    assert fragment in notice
    assert "could not check this turn" in notice
    assert fragment in result.err
    assert "Traceback" not in result.err


def test_not_a_repository_and_a_policy_error_fail_open(repo: Repo, tmp_path: Path) -> None:
    elsewhere = tmp_path / "plain"
    elsewhere.mkdir()
    result = stop(repo, "codex", {"cwd": str(elsewhere)}, tmp_path)
    assert result.code == 0
    assert "is not inside a git repository" in json.loads(result.out)["systemMessage"]
    repo.commit("Start", {"agentcheck.toml": "fail-on = 3\n"})
    broken = stop(repo, "gemini", event("gemini", repo, "ok"), tmp_path)
    assert "agentcheck.toml" in json.loads(broken.out)["systemMessage"]


def test_an_unknown_agent_is_a_usage_error(repo: Repo, tmp_path: Path) -> None:
    repo.commit("Start", {"a": "a\n"})
    result = stop(repo, "aider", {"cwd": str(repo.root)}, tmp_path)
    assert result.code == 2
    assert "aider" in result.err


def test_feedback_stays_within_the_agents_cap_and_shows_hidden_text(
    repo: Repo, tmp_path: Path
) -> None:
    repo.commit("Start", {"src/app.py": "A = 1\n", ".agentcheck/task.toml": TASK})
    for i in range(300):
        repo.write(f"docs/page{i:03}.md", "x\n")
    repo.write("AGENTS.md", "Hi\u200b\U000e0061\U000e0062\n")
    result = stop(repo, "claude", event("claude", repo), tmp_path)
    reason = json.loads(result.out)["reason"]
    assert len(reason) <= 10_000
    assert "more (" in reason  # the rest summarised
    assert not any(0xE0000 <= ord(c) <= 0xE007F or c == "\u200b" for c in reason)


# Where the agent's run began, and what it may not touch.


def _session(tmp_path: Path) -> str:
    """A transcript whose first record is stamped now: the session begins (the reflog has
    whole seconds, so the person's earlier work is made at least two seconds before)."""
    import datetime
    import time

    time.sleep(2.1)
    transcript = tmp_path / "transcript.jsonl"
    now = datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")
    transcript.write_text(json.dumps({"timestamp": now, "type": "user"}) + "\n")
    return str(transcript)


def test_the_run_begins_where_head_was_when_the_session_began(repo: Repo, tmp_path: Path) -> None:
    """No remote: the person's own earlier commits are not the agent's, and a commit the agent
    makes (or pushes) during the session does not hide its change."""
    repo.commit("Start", {"src/app.py": "A = 1\n", ".agentcheck/task.toml": TASK})
    repo.commit("The person's work", {".github/workflows/ci.yml": "on: push\n"})
    stop = {**event("claude", repo, "Done."), "transcript_path": _session(tmp_path)}
    repo.commit("The agent's commit", {"docs/notes.md": "notes\n"})
    result = stop_with(repo, stop, tmp_path)
    reason = json.loads(result.out)["reason"]
    assert "docs/notes.md:1 AC101" in reason
    assert "ci.yml" not in reason  # committed before the session: the person's


def test_without_a_transcript_the_remote_default_branch_is_the_base(
    repo: Repo, tmp_path: Path
) -> None:
    repo.commit("Start", {"src/app.py": "A = 1\n", ".agentcheck/task.toml": TASK})
    origin = tmp_path / "origin.git"
    repo.git("clone", "-q", "--bare", str(repo.root), str(origin))
    repo.git("remote", "add", "origin", str(origin))
    repo.git("fetch", "-q", "origin")
    repo.git("remote", "set-head", "origin", "main")
    repo.commit("The agent's commit", {"docs/notes.md": "notes\n"})
    found = json.loads(stop_with(repo, event("codex", repo, "Done."), tmp_path).out)["reason"]
    assert "docs/notes.md:1 AC101" in found
    # --base and [hooks] base name it outright.
    assert stop(repo, "codex", event("codex", repo), tmp_path, "--base", "HEAD").out == ""


def test_the_policy_is_read_where_the_run_began_not_from_the_work_tree(
    repo: Repo, tmp_path: Path
) -> None:
    repo.commit("Start", {"src/app.py": "A = 1\n", ".agentcheck/task.toml": TASK})
    stop = {**event("claude", repo, "Done."), "transcript_path": _session(tmp_path)}
    repo.write(".github/workflows/ci.yml", "on: push\n")
    repo.write("agentcheck.toml", 'exclude = ["**"]\n[hooks]\nfail-on = "never"\n')
    reason = json.loads(stop_with(repo, stop, tmp_path).out)["reason"]
    assert ".github/workflows/ci.yml:1 AC301 (error)" in reason  # exclude did not apply
    assert "agentcheck.toml:1 AC302 (error)" in reason


def test_a_task_written_during_the_run_is_reported(repo: Repo, tmp_path: Path) -> None:
    repo.commit("Start", {"src/app.py": "A = 1\n"})
    repo.write(".agentcheck/task.toml", TASK)  # the person's task, before the session
    stop = {**event("claude", repo, "Done."), "transcript_path": _session(tmp_path)}
    repo.write(".agentcheck/task.toml", 'id = "T-1"\npaths = ["**"]\n')  # the agent widens it
    reason = json.loads(stop_with(repo, stop, tmp_path).out)["reason"]
    assert "AC302" in reason
    assert "written during the agent's run" in reason


def stop_with(repo: Repo, payload: dict[str, Any], cache: Path) -> Result:
    return stop(repo, "claude" if "last_assistant_message" in payload else "codex", payload, cache)
