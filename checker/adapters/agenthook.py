"""A coding agent's end-of-turn hook: the event it writes on standard input, and the answer it
reads back, in each agent's own form (docs/agents.md cites each agent's documentation).

| agent   | event      | final text in the event | loop marker      | block with           |
|---------|------------|-------------------------|------------------|----------------------|
| claude  | Stop       | last_assistant_message  | stop_hook_active | decision "block"     |
| codex   | Stop       | last_assistant_message  | stop_hook_active | decision "block"     |
| gemini  | AfterAgent | prompt_response         | stop_hook_active | decision "deny"      |
| copilot | agentStop  | none (a transcript)     | none             | decision "block"     |
| cursor  | stop       | none                    | loop_count       | followup_message     |

Every answer is JSON on standard output with exit status 0; a hook that cannot judge the turn
(broken input, no repository, a policy error) lets the agent stop and says why where a person
sees it: the commit and pull-request checks still stand."""

from __future__ import annotations

import datetime
import json
from typing import Any, NamedTuple

from checker.adapters.hookstate import said
from checker.model.errors import FatalError

AGENTS = ("claude", "codex", "gemini", "copilot", "cursor")
MAX_EVENT_BYTES = 16 * 1024 * 1024  # a turn's event; its transcript is read from a path
# Claude Code keeps the first 10,000 characters of a hook's output; the others are held to
# the same so no agent is sent more than it can use.
FEEDBACK_CHARS = 10_000


class AgentEvent(NamedTuple):
    """What agentcheck reads of an end-of-turn event."""

    agent: str  # one of AGENTS
    cwd: str | None  # the folder the agent works in
    final_message: str | None  # the agent's last message of the turn, where the event has it
    continuing: bool | None  # a stop that follows a block (None: the agent does not say)
    session: str  # the agent's session id, or "" (keys the loop state)
    transcript: str | None = None  # the session's transcript file, where the event names one


def _text_field(event: dict[str, Any], key: str, agent: str) -> str | None:
    value = event.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise FatalError(
            f"the {agent} hook event's {key!r} is {type(value).__name__}, not a string: "
            f"agentcheck reads the JSON {agent} writes on a hook's standard input."
        )
    return value


def read_event(agent: str, raw: bytes) -> AgentEvent:
    """The event of AGENT's end-of-turn hook, from the bytes on standard input."""
    if len(raw) > MAX_EVENT_BYTES:
        raise FatalError(
            f"the {agent} hook event is over {MAX_EVENT_BYTES // (1024 * 1024)} MiB; agentcheck "
            "reads an end-of-turn event, not a transcript."
        )
    if not raw.strip():
        raise FatalError(
            f"the {agent} hook received nothing on standard input: agentcheck hook reads the "
            f"event JSON {agent} writes there. Run it from the agent's hook configuration "
            f"(`agentcheck init --agent {agent}` writes it)."
        )
    try:
        event = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise FatalError(
            f"the {agent} hook's standard input is not JSON ({exc}); agentcheck hook reads "
            f"the event JSON {agent} writes there."
        ) from None
    if not isinstance(event, dict):
        raise FatalError(
            f"the {agent} hook event is a JSON {type(event).__name__}, not an object."
        )
    final = {
        "claude": "last_assistant_message",
        "codex": "last_assistant_message",
        "gemini": "prompt_response",
    }.get(agent)
    active = event.get("stop_hook_active")
    loops = event.get("loop_count")
    continuing: bool | None = None
    if isinstance(active, bool):
        continuing = active
    elif isinstance(loops, int) and not isinstance(loops, bool):
        continuing = loops > 0
    session = event.get("session_id", event.get("sessionId", event.get("conversation_id")))
    return AgentEvent(
        agent=agent,
        cwd=_text_field(event, "cwd", agent),
        final_message=_text_field(event, final, agent) if final else None,
        continuing=continuing,
        session=session if isinstance(session, str) else "",
        transcript=_text_field(event, "transcript_path", agent)
        or _text_field(event, "transcriptPath", agent),
    )


def session_start(transcript: str | None) -> datetime.datetime | None:
    """When the agent's session began: the timestamp of its transcript's first record (Claude
    Code's and Codex's JSON lines both start with one); None where there is no such file."""
    if not transcript:
        return None
    try:
        with open(transcript, "rb") as handle:
            first = handle.readline(1 << 20)
        stamp = json.loads(first).get("timestamp")
        if not isinstance(stamp, str):
            return None
        when = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except (OSError, ValueError, AttributeError, RecursionError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=datetime.timezone.utc)


# Agents whose final text in the event is every text of the prompt so far, joined by newlines,
# the texts before a block included: Gemini CLI 0.61's prompt_response. Its stop_hook_active
# is false on a stop that follows a block when the model ran a tool in between.
CUMULATIVE = frozenset({"gemini"})


def after_block(agent: str, final: str | None, judged: str) -> str | None:
    """What AGENT wrote since the block that judged JUDGED (kept as hookstate.said keeps it),
    where AGENT's final text is cumulative and begins with the judged one ("" when it wrote
    no words since); None when AGENT's text is not cumulative or does not go on from it."""
    if agent not in CUMULATIVE or final is None or not judged:
        return None
    chars = judged.partition(":")[0]
    if not chars.isdigit():
        return None
    size = int(chars)
    if (final[size:] and final[size] != "\n") or said(final[:size]) != judged:
        return None
    return final[size + 1 :]


def block(agent: str, reason: str) -> str:
    """The answer that keeps the agent working, with REASON for the model to act on."""
    if agent == "cursor":
        answer: dict[str, Any] = {"followup_message": reason}
    elif agent == "gemini":
        answer = {"decision": "deny", "reason": reason}
    else:
        answer = {"decision": "block", "reason": reason}
    return json.dumps(answer, ensure_ascii=True) + "\n"


def release(agent: str, notice: str | None) -> str:
    """The answer that lets the agent stop, with NOTICE for the person where there is one."""
    if notice is None:
        return ""
    if agent == "cursor":
        return ""  # Cursor's stop hook has no field for a person; the notice goes to stderr
    return json.dumps({"systemMessage": notice}, ensure_ascii=True) + "\n"
