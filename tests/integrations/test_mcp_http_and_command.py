"""``codeagent mcp --http``: streamable HTTP on loopback; the command's own argument checks; the import aliasing."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mcp import Client
from typer.testing import CliRunner

from burr_codeagent.cli import app
from burr_codeagent.integrations.mcp_command import parse_http_address
from burr_codeagent.integrations.module_alias import alias_module_imports

from ..conftest import GOOD_CODE, GOOD_TESTS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}: {process.stderr.read()!r}")  # type: ignore[union-attr]
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server never listened")


@pytest.mark.slow
async def test_streamable_http_on_loopback_serves_check_code(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "CODEAGENT_PLUGINS": ""}
    process = subprocess.Popen(
        [sys.executable, "-m", "burr_codeagent", "mcp", "--http", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port, process)
        async with Client(f"http://127.0.0.1:{port}/mcp", read_timeout_seconds=120) as client:
            tools = [t.name for t in (await client.list_tools()).tools]
            result = await client.call_tool("check_code", {"code": GOOD_CODE, "tests": GOOD_TESTS})
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert "check_code" in tools
    assert result.structured_content is not None and result.structured_content["passed"] is True
    assert result.structured_content["tests"]["passed"] == 2
    assert f"serving streamable HTTP on http://127.0.0.1:{port}/mcp" in stderr.decode()


def test_a_non_loopback_http_host_needs_allow_remote() -> None:
    result = CliRunner().invoke(app, ["mcp", "--http", "0.0.0.0:8765"])
    assert result.exit_code == 2
    assert "not a loopback address; add --allow-remote" in result.output


@pytest.mark.parametrize("value", ["http", "host:", "127.0.0.1:0", "127.0.0.1:70000"])
def test_bad_http_addresses_are_usage_errors(value: str) -> None:
    result = CliRunner().invoke(app, ["mcp", "--http", value])
    assert result.exit_code == 2
    assert "give HOST:PORT or PORT" in result.output


def test_http_address_forms() -> None:
    assert parse_http_address("8000") == ("127.0.0.1", 8000)
    assert parse_http_address("localhost:9") == ("localhost", 9)
    assert parse_http_address("[::1]:8080") == ("::1", 8080)


def test_tests_importing_the_module_by_name_are_aliased_to_solution() -> None:
    tests = (
        "import shapes\nimport shapes as s, os\nfrom shapes import area  # keep\n"
        "from shapes.sub import x\nfrom .shapes import y\n'from shapes import area'\n"
    )
    assert alias_module_imports(tests, "shapes") == (
        "import solution as shapes\nimport solution as s, os\nfrom solution import area  # keep\n"
        "from shapes.sub import x\nfrom .shapes import y\n'from shapes import area'\n"
    )
    assert alias_module_imports("def broken(:\n", "shapes") == "def broken(:\n"
    assert alias_module_imports(tests, "my-module") == tests
