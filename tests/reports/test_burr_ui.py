"""Runs show up in Burr's tracking UI (`burr`, extra `[ui]`) with each step's state readable.

The server is Burr's own (uvicorn + FastAPI, started on loopback against the run's storage directory); the browser
test opens the run's page in Debian's headless chromium.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from burr_codeagent import AgentConfig, AgentResult, CodeAgent
from burr_codeagent.backends import ScriptedBackend

from ..conftest import broken, make_response
from .conftest import CHROMIUM, dump_dom

for _module in ("uvicorn", "fastapi", "aiofiles", "burr.tracking.server.run"):
    pytest.importorskip(
        _module, reason="Burr's UI server needs the [ui] extra: pip install 'burr-codeagent[ui]'"
    )

PROJECT = "burr-codeagent"


@dataclass(frozen=True)
class TrackedRun:
    result: AgentResult
    base_url: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:  # loopback only
        return json.loads(response.read().decode("utf-8"))


@pytest.fixture
def tracked_run(tmp_path: Path) -> Iterator[TrackedRun]:
    """A scripted two-attempt run tracked into ``tmp_path``, and Burr's server reading that directory."""
    storage = tmp_path / "burr"
    config = AgentConfig(storage_dir=storage, output_dir=tmp_path / "reports", enable_code_execution=False)
    result = CodeAgent(config, backend=ScriptedBackend([broken(1), make_response()])).run("Write factorial")
    port = _free_port()
    env = {
        **os.environ,
        "burr_path": str(storage),
        "BURR_BACKEND_IMPL": "burr.tracking.server.backend.LocalBackend",
    }
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "burr.tracking.server.run:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if _get(f"{base}/ready").get("ready"):
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Burr's server did not start:\n{(tmp_path / 'server.log').read_text()[-3000:]}")
            time.sleep(0.3)
        yield TrackedRun(result, base)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)
        log.close()


def test_the_run_is_found_through_the_api_with_readable_state(tracked_run: TrackedRun) -> None:
    base, app_id = tracked_run.base_url, tracked_run.result.app_id
    projects = {p["id"] for p in _get(f"{base}/api/v0/projects")}
    assert PROJECT in projects
    apps = _get(f"{base}/api/v0/{PROJECT}/__none__/apps")["applications"]
    assert app_id in {a["app_id"] for a in apps}
    steps = _get(f"{base}/api/v0/{PROJECT}/{app_id}/__none__/apps")["steps"]
    actions = [s["step_start_log"]["action"] for s in steps]
    assert actions == ["code_generator", "code_checker", "code_generator", "code_checker", "end"]
    first_check = steps[1]["step_end_log"]["state"]
    assert first_check["check_results"]["findings"][0]["rule"] == "syntax.error"  # findings readable per step
    second_generation = steps[2]["step_end_log"]["state"]
    assert "def factorial" in second_generation["generated_python_response"]["code"]  # and the code


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_the_run_page_shows_our_steps_in_a_browser(tracked_run: TrackedRun, tmp_path: Path) -> None:
    url = f"{tracked_run.base_url}/project/{PROJECT}/null/{tracked_run.result.app_id}"
    dom = dump_dom(url, tmp_path / "profile", "--virtual-time-budget=10000")
    for step in ("code_generator", "code_checker", "end"):
        assert f">{step}<" in dom, f"{step} is not on the run's page"
