"""A loopback OpenAI-compatible Chat Completions server for the benchmarks (not a test fake: asyncio, no threads).

``python bench/_loopback_openai.py --latency 0.5`` prints ``PORT`` on its first line, then answers every
``POST /v1/chat/completions`` after ``latency`` seconds with a tool call filling ``PythonCodeGenerationResponse``
(the ``answers`` JSONL file, if given, supplies one answer per task, matched by a marker in the prompt).
``GET /stats`` returns requests served, the most in flight at once and the server's CPU seconds so far. Binds 127.0.0.1 only; stops on stdin EOF.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

ANSWER: dict[str, Any] = {
    "function_name": "add",
    "code": '"""Addition."""\n\n\ndef add(a: int, b: int) -> int:\n    """Return a + b."""\n    return a + b\n',
    "explanation": "Adds two integers.",
    "dependencies": None,
    "test_code": "from solution import add\n\n\ndef test_add() -> None:\n    assert add(2, 3) == 5\n",
    "usage_examples": ["add(2, 3)"],
}


class Stats:
    served = 0
    in_flight = 0
    max_in_flight = 0
    cpu_at_start = 0.0  # the CPU spent starting up is not serving


def completion(arguments: str) -> bytes:
    body = {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 0,
        "model": "bench",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "PythonCodeGenerationResponse", "arguments": arguments},
                        }
                    ],
                },
            }
        ],
        "usage": {"prompt_tokens": 900, "completion_tokens": 250, "total_tokens": 1150},
    }
    return json.dumps(body).encode()


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, latency: float) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path = lines[0].split(" ")[:2]
            length = 0
            for line in lines[1:]:
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            if length:
                await reader.readexactly(length)
            if method == "GET" and path == "/stats":
                payload = json.dumps(
                    {
                        "served": Stats.served,
                        "max_in_flight": Stats.max_in_flight,
                        "in_flight": Stats.in_flight,
                        "cpu_seconds": time.process_time() - Stats.cpu_at_start,
                    }
                ).encode()
            else:
                Stats.in_flight += 1
                Stats.max_in_flight = max(Stats.max_in_flight, Stats.in_flight)
                try:
                    await asyncio.sleep(latency)
                finally:
                    Stats.in_flight -= 1
                Stats.served += 1
                payload = completion(json.dumps(ANSWER))
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(payload)}\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.CancelledError, ConnectionError):
        pass
    finally:
        writer.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.5)
    args = parser.parse_args()
    server = await asyncio.start_server(lambda r, w: handle(r, w, args.latency), "127.0.0.1", 0, backlog=1024)
    Stats.cpu_at_start = time.process_time()
    print(server.sockets[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the benchmark closes our stdin
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
