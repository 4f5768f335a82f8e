"""A scripted model server on 127.0.0.1 for the real agent programs: it speaks Anthropic's
Messages API (Claude Code), OpenAI's Responses API (Codex CLI) and Google's Gemini API (Gemini
CLI), streaming as each program asks, and answers the agent's main conversation from a script:
each call takes the next step (a tool call the agent runs with its own tools, or a final text),
the last text repeating once the script runs out. Side calls (a title, a quota probe: requests
that offer no tools) get a short text; Gemini CLI's side calls that ask for JSON (its router,
its next-speaker check) get an object that hands the turn back to the user. Every request is
kept, so a test can read what the model was sent back."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple


class Step(NamedTuple):
    """One answer of the model: a tool call (TOOL with INPUT) or, with TOOL None, TEXT."""

    text: str = ""
    tool: str | None = None
    input: dict[str, Any] = {}  # noqa: RUF012 - never mutated


def say(text: str) -> Step:
    return Step(text)


def call(tool: str, **arguments: Any) -> Step:
    return Step("", tool, arguments)


class Script:
    """The main conversation's answers, in order; what was asked, kept."""

    def __init__(self, steps: list[Step]) -> None:
        self._steps = list(steps)
        self._next = 0
        self.requests: list[dict[str, Any]] = []  # main-conversation requests, in order
        self.lock = threading.Lock()

    def answer(self, request: dict[str, Any]) -> Step:
        with self.lock:
            self.requests.append(request)
            if self._next < len(self._steps):
                step = self._steps[self._next]
                self._next += 1
                return step
            texts = [s for s in self._steps if s.tool is None]
            return texts[-1] if texts else say("Done.")


_ids = itertools.count(1)


def _sse(events: list[tuple[str, dict[str, Any]]]) -> bytes:
    return b"".join(
        f"event: {name}\ndata: {json.dumps(data)}\n\n".encode() for name, data in events
    )


def _messages_events(step: Step, model: str) -> list[tuple[str, dict[str, Any]]]:
    """One Messages API reply as its stream of events."""
    n = next(_ids)
    usage = {"input_tokens": 10, "output_tokens": 5}
    events: list[tuple[str, dict[str, Any]]] = [
        (
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": f"msg_{n}",
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": usage,
                },
            },
        )
    ]
    block: dict[str, Any]
    if step.tool is None:
        block = {"type": "text", "text": ""}
        delta = {"type": "text_delta", "text": step.text}
        stop = "end_turn"
    else:
        block = {"type": "tool_use", "id": f"toolu_{n}", "name": step.tool, "input": {}}
        delta = {"type": "input_json_delta", "partial_json": json.dumps(step.input)}
        stop = "tool_use"
    events += [
        (
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": block},
        ),
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": {"output_tokens": 5},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    return events


def _message_json(step: Step, model: str) -> dict[str, Any]:
    n = next(_ids)
    if step.tool is None:
        content: list[dict[str, Any]] = [{"type": "text", "text": step.text}]
        stop = "end_turn"
    else:
        content = [{"type": "tool_use", "id": f"toolu_{n}", "name": step.tool, "input": step.input}]
        stop = "tool_use"
    return {
        "id": f"msg_{n}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 5},
    }


def _responses_events(step: Step, model: str) -> list[tuple[str, dict[str, Any]]]:
    """One Responses API reply as its stream of events."""
    n = next(_ids)
    response = {"id": f"resp_{n}", "object": "response", "model": model, "status": "in_progress"}
    if step.tool is None:
        item: dict[str, Any] = {
            "type": "message",
            "id": f"msg_{n}",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": step.text, "annotations": []}],
        }
    else:
        item = {
            "type": "function_call",
            "id": f"fc_{n}",
            "call_id": f"call_{n}",
            "name": step.tool,
            "arguments": json.dumps(step.input),
            "status": "completed",
        }
    usage = {
        "input_tokens": 10,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 5,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 15,
    }
    events: list[tuple[str, dict[str, Any]]] = [
        ("response.created", {"type": "response.created", "response": response}),
        (
            "response.output_item.added",
            {"type": "response.output_item.added", "output_index": 0, "item": item},
        ),
    ]
    if step.tool is None:
        events.append(
            (
                "response.output_text.delta",
                {
                    "type": "response.output_text.delta",
                    "item_id": item["id"],
                    "output_index": 0,
                    "content_index": 0,
                    "delta": step.text,
                },
            )
        )
    events += [
        (
            "response.output_item.done",
            {"type": "response.output_item.done", "output_index": 0, "item": item},
        ),
        (
            "response.completed",
            {
                "type": "response.completed",
                "response": {**response, "status": "completed", "output": [item], "usage": usage},
            },
        ),
    ]
    return events


def _gemini_reply(step: Step, model: str) -> dict[str, Any]:
    """One Gemini API reply (a streamed chunk, or the whole answer: the same shape)."""
    part = (
        {"text": step.text}
        if step.tool is None
        else {"functionCall": {"name": step.tool, "args": step.input}}
    )
    return {
        "candidates": [
            {"content": {"role": "model", "parts": [part]}, "finishReason": "STOP", "index": 0}
        ],
        "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 15},
        "modelVersion": model,
    }


# What Gemini CLI's JSON side calls are answered: the router's choice and the next-speaker
# check's, in one object (each reads its own keys).
_GEMINI_JSON = {
    "reasoning": "a short scripted task",
    "model_choice": "flash",
    "next_speaker": "user",
}


class ModelServer:
    """The server, started on a free port of 127.0.0.1 for the life of a `with` block."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.side_requests: list[tuple[str, dict[str, Any]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_HEAD(self) -> None:
                self.send_response(200)
                self.end_headers()

            def do_GET(self) -> None:
                body = json.dumps({"data": [], "models": []}).encode()
                self._send(200, "application/json", body)

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    request = json.loads(raw or b"{}")
                except ValueError:
                    request = {}
                path = self.path.split("?", 1)[0]
                if path.endswith("/count_tokens"):
                    self._send(200, "application/json", b'{"input_tokens": 10}')
                elif path.endswith("/messages"):
                    self._messages(request)
                elif path.endswith("/responses"):
                    self._responses(request)
                elif ":countTokens" in path:
                    self._send(200, "application/json", b'{"totalTokens": 10}')
                elif "GenerateContent" in path or ":generateContent" in path:
                    self._gemini(request, path)
                else:
                    server.side_requests.append((path, request))
                    self._send(404, "application/json", b'{"error": "not here"}')

            def _send(self, status: int, kind: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _stream(self, events: Iterator[bytes] | bytes) -> None:
                body = events if isinstance(events, bytes) else b"".join(events)
                self._send(200, "text/event-stream", body)

            def _messages(self, request: dict[str, Any]) -> None:
                model = str(request.get("model", "model"))
                if request.get("tools"):
                    step = server.script.answer(request)
                else:
                    server.side_requests.append(("/v1/messages", request))
                    step = say("ok")
                if request.get("stream"):
                    self._stream(_sse(_messages_events(step, model)))
                else:
                    body = json.dumps(_message_json(step, model)).encode()
                    self._send(200, "application/json", body)

            def _responses(self, request: dict[str, Any]) -> None:
                model = str(request.get("model", "model"))
                if request.get("tools"):
                    step = server.script.answer(request)
                else:
                    server.side_requests.append(("/v1/responses", request))
                    step = say("ok")
                self._stream(_sse(_responses_events(step, model)))

            def _gemini(self, request: dict[str, Any], path: str) -> None:
                model = path.rsplit("/", 1)[-1].split(":", 1)[0]
                config = request.get("generationConfig") or {}
                if config.get("responseMimeType") == "application/json":
                    server.side_requests.append((path, request))
                    step = say(json.dumps(_GEMINI_JSON))
                elif request.get("tools"):
                    step = server.script.answer(request)
                else:
                    server.side_requests.append((path, request))
                    step = say("ok")
                reply = json.dumps(_gemini_reply(step, model))
                if ":streamGenerateContent" in path:
                    self._stream(f"data: {reply}\r\n\r\n".encode())
                else:
                    self._send(200, "application/json", reply.encode())

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def __enter__(self) -> ModelServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
