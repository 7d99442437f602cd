"""Loopback fakes of the providers' wire protocols, driven by a script of behaviours.

``FakeProvider("openai" | "anthropic" | "bedrock")`` runs a threaded ``http.server`` on 127.0.0.1 that answers
``POST /v1/chat/completions``, ``POST /v1/messages`` or ``POST /model/{modelId}/converse`` the way the real service
does, so the real SDKs (openai, anthropic, boto3) talk to it unmodified. Each request takes the next step of the
script (the last step repeats): a reply with chosen usage figures, a throttle, a server error, a stall, a malformed
body, a truncated answer, an authentication or not-found error. Every request is recorded for assertions.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import unquote

Protocol = Literal["openai", "anthropic", "bedrock"]

GOOD_ANSWER: dict[str, Any] = {
    "function_name": "add",
    "code": '"""Addition."""\n\n\ndef add(a: int, b: int) -> int:\n    """Return a + b."""\n    return a + b\n',
    "explanation": "Adds two integers.",
    "dependencies": None,
    "test_code": "from solution import add\n\n\ndef test_add() -> None:\n    assert add(2, 3) == 5\n",
    "usage_examples": ["add(2, 3)"],
}
BAD_ANSWER: dict[str, Any] = {"function_name": "add", "explanation": "forgot the code and the tests"}


@dataclass(frozen=True)
class Reply:
    """Answer with ``answer`` (a dict for the tool call, or raw text) and these usage figures.

    ``input_tokens`` is what the provider puts in its own input field; cache figures go in the cache fields.
    """

    answer: dict[str, Any] | str = field(default_factory=lambda: dict(GOOD_ANSWER))
    input_tokens: int = 100
    output_tokens: int = 20
    cache_read: int = 0
    cache_write: int = 0
    truncated: bool = False


@dataclass(frozen=True)
class Throttle:
    """429 (Bedrock: ThrottlingException) with a Retry-After header; ``status=529`` for Anthropic's overload."""

    retry_after: str | None = "0"
    status: int = 429


@dataclass(frozen=True)
class Fail:
    """An HTTP error status with the provider's error body (500, 401, 403, 404 ...)."""

    status: int = 500
    code: str = ""


@dataclass(frozen=True)
class Stall:
    """Wait ``seconds`` before answering (longer than the client's timeout)."""

    seconds: float = 5.0


@dataclass(frozen=True)
class Malformed:
    """HTTP 200 with a body that is not JSON."""


@dataclass(frozen=True)
class Limited:
    """Answer like a real provider with an output limit: ``answer`` (the fields the requested tool asks for) costs
    one token per :data:`CHARS_PER_TOKEN` characters of its JSON; longer than the request's ``max_tokens``, it is
    cut there and sent with stop reason ``length`` / ``max_tokens``."""

    answer: dict[str, Any] = field(default_factory=lambda: dict(GOOD_ANSWER))
    input_tokens: int = 100


CHARS_PER_TOKEN = 4

Step = Reply | Throttle | Fail | Stall | Malformed | Limited


@dataclass
class Received:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class _Server(ThreadingHTTPServer):
    # socketserver's default backlog of 5 drops the SYNs of a burst of concurrent clients (a 1 s retransmit each)
    request_queue_size = 256


class FakeProvider:
    """A loopback server speaking one provider's protocol. Use as a context manager."""

    def __init__(self, protocol: Protocol, script: Sequence[Step] = (Reply(),)) -> None:
        self.protocol = protocol
        self.script = list(script) or [Reply()]
        self.requests: list[Received] = []
        self._served: list[Step] = []
        self._limited: list[Reply] = []  # what ``Limited`` steps sent, in order
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self.in_flight = 0
        self.max_in_flight = 0
        """The most requests the fake was serving at the same moment."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    body = {"_unparsed": raw.decode("utf-8", "replace")}
                step = fake._record(Received("POST", self.path, dict(self.headers.items()), body))
                with fake._lock:
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                try:
                    fake._serve(self, step, body)
                finally:
                    with fake._lock:
                        fake.in_flight -= 1

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    # -- lifecycle ------------------------------------------------------------------------------------------------

    def __enter__(self) -> FakeProvider:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        """Base URL: ``http://127.0.0.1:PORT`` (append ``/v1`` for OpenAI clients)."""
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def run_args(self, *extra: str, task: str = "Create add") -> list[str]:
        """``codeagent run TASK`` arguments pointing the openai backend at this fake, then ``extra``."""
        return ["run", task, "--backend", "openai", "--base-url", self.url + "/v1", *extra]

    def wait_for_requests(
        self, count: int, process: subprocess.Popen[str] | None = None, timeout: float = 90
    ) -> None:
        """Wait until the fake has received ``count`` requests (or ``timeout`` s passed, or ``process`` exited)."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                return
            time.sleep(0.1)

    # -- what the fake saw and reported -------------------------------------------------------------------------

    @property
    def answered(self) -> list[Reply]:
        """The replies actually served (what the provider billed); ``Limited`` steps as they were sent."""
        return [step for step in self._served if isinstance(step, Reply)] + list(self._limited)

    def reported_usage(self) -> tuple[int, int]:
        """Total (input incl. cache, output) tokens over every reply served."""
        replies = self.answered
        return (
            sum(
                r.input_tokens + (r.cache_read + r.cache_write if self.protocol != "openai" else 0)
                for r in replies
            ),
            sum(r.output_tokens for r in replies),
        )

    def _record(self, received: Received) -> Step:
        with self._lock:
            index = len(self.requests)
            self.requests.append(received)
            step = self.script[min(index, len(self.script) - 1)]
            self._served.append(step)
            return step

    # -- serving ---------------------------------------------------------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler, step: Step, body: dict[str, Any]) -> None:
        if isinstance(step, Stall):
            self._closing.wait(step.seconds)
            step = Reply()
        if isinstance(step, Malformed):
            self._send(handler, 200, b'{"id": "broken", "choices": [', {})
            return
        if isinstance(step, Throttle):
            headers = {"Retry-After": step.retry_after} if step.retry_after is not None else {}
            self._error(handler, step.status, "", headers)
            return
        if isinstance(step, Fail):
            self._error(handler, step.status, step.code, {})
            return
        if isinstance(step, Limited):
            step = _within_limit(step, body, self.protocol)
            with self._lock:
                self._limited.append(step)
        payload = {"openai": _openai_reply, "anthropic": _anthropic_reply, "bedrock": _bedrock_reply}[
            self.protocol
        ](step, body, handler.path)
        self._send(handler, 200, json.dumps(payload).encode(), {"Content-Type": "application/json"})

    def _error(
        self, handler: BaseHTTPRequestHandler, status: int, code: str, headers: dict[str, str]
    ) -> None:
        message = {
            429: "Too many requests",
            529: "Overloaded",
            401: "invalid api key",
            403: "access denied",
            404: "model not found",
        }.get(status, "internal error")
        if self.protocol == "openai":
            body: dict[str, Any] = {
                "error": {"message": message, "type": code or "server_error", "code": code or None}
            }
        elif self.protocol == "anthropic":
            kind = {
                429: "rate_limit_error",
                529: "overloaded_error",
                401: "authentication_error",
                403: "permission_error",
                404: "not_found_error",
            }.get(status, "api_error")
            body = {"type": "error", "error": {"type": code or kind, "message": message}}
        else:
            kind = code or {
                429: "ThrottlingException",
                401: "UnrecognizedClientException",
                403: "AccessDeniedException",
                404: "ResourceNotFoundException",
                400: "ValidationException",
            }.get(status, "InternalServerException")
            headers = {
                **headers,
                "x-amzn-ErrorType": f"{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/",
            }
            body = {"message": message}
        self._send(
            handler, status, json.dumps(body).encode(), {"Content-Type": "application/json", **headers}
        )

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, data: bytes, headers: dict[str, str]) -> None:
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        try:
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


def _answer_json(answer: dict[str, Any] | str) -> str:
    return answer if isinstance(answer, str) else json.dumps(answer)


def _openai_reply(step: Reply, body: dict[str, Any], path: str) -> dict[str, Any]:
    tools = body.get("tools") or []
    message: dict[str, Any] = {"role": "assistant", "content": None}
    if tools:
        name = tools[0]["function"]["name"]
        message["tool_calls"] = [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": name, "arguments": _answer_json(step.answer)},
            }
        ]
    else:
        message["content"] = _answer_json(step.answer)
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [
            {"index": 0, "message": message, "finish_reason": "length" if step.truncated else "stop"}
        ],
        "usage": {
            "prompt_tokens": step.input_tokens,
            "completion_tokens": step.output_tokens,
            "total_tokens": step.input_tokens + step.output_tokens,
            "prompt_tokens_details": {"cached_tokens": step.cache_read},
        },
    }


def _anthropic_reply(step: Reply, body: dict[str, Any], path: str) -> dict[str, Any]:
    tools = body.get("tools") or []
    if tools and isinstance(step.answer, dict):
        content: list[dict[str, Any]] = [
            {"type": "tool_use", "id": "toolu_1", "name": tools[0]["name"], "input": step.answer}
        ]
    else:
        content = [{"type": "text", "text": _answer_json(step.answer)}]
    return {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "fake"),
        "content": content,
        "stop_reason": "max_tokens" if step.truncated else "tool_use",
        "stop_sequence": None,
        "usage": {
            "input_tokens": step.input_tokens,
            "output_tokens": step.output_tokens,
            "cache_creation_input_tokens": step.cache_write,
            "cache_read_input_tokens": step.cache_read,
        },
    }


def _bedrock_reply(step: Reply, body: dict[str, Any], path: str) -> dict[str, Any]:
    tools = (body.get("toolConfig") or {}).get("tools") or []
    if tools and isinstance(step.answer, dict):
        name = tools[0]["toolSpec"]["name"]
        content: list[dict[str, Any]] = [
            {"toolUse": {"toolUseId": "tooluse_1", "name": name, "input": step.answer}}
        ]
    else:
        content = [{"text": _answer_json(step.answer)}]
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": "max_tokens" if step.truncated else "tool_use",
        "usage": {
            "inputTokens": step.input_tokens,
            "outputTokens": step.output_tokens,
            "totalTokens": step.input_tokens + step.output_tokens + step.cache_read + step.cache_write,
            "cacheReadInputTokens": step.cache_read,
            "cacheWriteInputTokens": step.cache_write,
        },
        "metrics": {"latencyMs": 5},
    }


def bedrock_model_id(path: str) -> str:
    """The model id in a Converse path ``/model/{modelId}/converse``."""
    return unquote(path.split("/")[2])


def _requested(body: dict[str, Any], protocol: Protocol) -> tuple[set[str], int]:
    """The properties of the tool the request asks for, and its output limit."""
    if protocol == "openai":
        tool = (body.get("tools") or [{}])[0].get("function", {}).get("parameters", {})
        limit = body.get("max_tokens") or body.get("max_completion_tokens")
    elif protocol == "anthropic":
        tool = (body.get("tools") or [{}])[0].get("input_schema", {})
        limit = body.get("max_tokens")
    else:
        spec = ((body.get("toolConfig") or {}).get("tools") or [{}])[0].get("toolSpec", {})
        tool = spec.get("inputSchema", {}).get("json", {})
        limit = (body.get("inferenceConfig") or {}).get("maxTokens")
    return set(tool.get("properties", {})), int(limit or 10**9)


def _within_limit(step: Limited, body: dict[str, Any], protocol: Protocol) -> Reply:
    fields, limit = _requested(body, protocol)
    answer = {k: v for k, v in step.answer.items() if k in fields}
    text = json.dumps(answer)
    tokens = -(-len(text) // CHARS_PER_TOKEN)
    if tokens <= limit:
        return Reply(answer, input_tokens=step.input_tokens, output_tokens=tokens)
    room = limit * CHARS_PER_TOKEN
    if protocol == "openai":  # the tool call's arguments stop mid-JSON
        return Reply(text[:room], input_tokens=step.input_tokens, output_tokens=limit, truncated=True)
    cut: dict[str, Any] = {}  # Anthropic and Bedrock send the part of the tool input that was complete
    for key, value in answer.items():
        if len(json.dumps({**cut, key: value})) > room:
            break
        cut[key] = value
    return Reply(cut, input_tokens=step.input_tokens, output_tokens=limit, truncated=True)
