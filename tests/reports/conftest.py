"""Fixtures for the report tests: a real scripted run (two attempts: broken, then good) and a real check."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from burr_codeagent import AgentConfig, AgentResult, CheckReport, CodeAgent, check
from burr_codeagent.backends import ScriptedBackend
from burr_codeagent.reports.base import RenderContext
from burr_codeagent.visualize import graph_mermaid

from ..conftest import GOOD_TESTS, broken, make_response

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def dump_dom(url: str, profile: Path, *extra: str, timeout: float = 180) -> str:
    """The DOM of ``url`` after headless Chromium rendered it (flags that keep it off this machine's closed network)."""
    assert CHROMIUM is not None
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            *extra,
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


SCHEMAS = Path(__file__).resolve().parents[2] / ".." / "shared" / "schemas"
SARIF_SCHEMA = SCHEMAS / "sarif-schema-2.1.0.json"

FLAWED_CODE = '''\
"""Runs a shell command."""
import os


def run(command):
    return os.system("ls " + command)
'''


def run_agent(tmp_path: Path, responses: list[Any], formats: list[str], **settings: Any) -> AgentResult:
    """Run the agent for real with scripted model answers, writing ``formats`` under ``tmp_path/reports``."""
    config = AgentConfig(
        storage_dir=tmp_path / "burr",
        output_dir=tmp_path / "reports",
        report_formats=formats,
        enable_code_execution=settings.pop("enable_code_execution", False),
        **settings,
    )
    return CodeAgent(config, backend=ScriptedBackend(responses, usage=(1200, 340))).run("Write factorial")


@pytest.fixture
def two_attempts(tmp_path: Path) -> AgentResult:
    """A run whose first answer does not compile and whose second passes."""
    return run_agent(tmp_path, [broken(1), make_response()], ["json"])


@pytest.fixture
def context(two_attempts: AgentResult) -> RenderContext:
    """The context the agent itself renders with (redacted settings, the graph)."""
    return RenderContext(config=two_attempts.config, graph_mermaid=graph_mermaid(CodeAgent().graph()))


@pytest.fixture
def flawed_report() -> CheckReport:
    """A check with critical security findings and warnings, no tests."""
    return check(FLAWED_CODE, config=AgentConfig(enable_code_execution=False))


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


__all__ = ["FLAWED_CODE", "GOOD_TESTS", "SARIF_SCHEMA", "load_json", "run_agent"]
