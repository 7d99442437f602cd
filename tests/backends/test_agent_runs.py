"""Whole runs through the openai backend and a loopback server: the reported tokens are the server's figures.

Also the ``--record`` / ``--cassette`` round trip: a replay reproduces the run offline, with the same figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.cli import app

from .fakes import BAD_ANSWER, FakeProvider, Reply, Throttle

# attempt 1: an answer failing validation, twice re-asked, still failing; attempt 2: throttled once, then valid
SCRIPT = [
    Reply(BAD_ANSWER, input_tokens=1100, output_tokens=90),
    Reply(BAD_ANSWER, input_tokens=1250, output_tokens=95, cache_read=1024),
    Reply(BAD_ANSWER, input_tokens=1400, output_tokens=97, cache_read=1024),
    Throttle(retry_after="0"),
    Reply(input_tokens=1600, output_tokens=410, cache_read=1024),
]
SERVER_INPUT = 1100 + 1250 + 1400 + 1600
SERVER_OUTPUT = 90 + 95 + 97 + 410


@pytest.fixture(autouse=True)
def _no_tracking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEAGENT_TRACKING", "false")
    monkeypatch.setenv("CODEAGENT_API_BACKOFF_SECONDS", "0.001")


def test_agent_run_reports_the_servers_token_figures(tmp_path: Path) -> None:
    with FakeProvider("openai", SCRIPT) as fake:
        config = AgentConfig(backend="openai", base_url=fake.url + "/v1", max_retries=1, output_dir=tmp_path)
        result = CodeAgent(config).run("Create a function add(a, b) that returns the sum")
    assert len(fake.requests) == 5
    assert [a.error is not None for a in result.attempts] == [True, False]
    assert "did not match PythonCodeGenerationResponse after 3 call(s)" in (result.attempts[0].error or "")
    assert result.attempts[1].response is not None and result.attempts[1].response.function_name == "add"
    metrics = result.metrics
    assert (metrics.input_tokens, metrics.output_tokens) == (SERVER_INPUT, SERVER_OUTPUT)
    assert metrics.total_tokens == SERVER_INPUT + SERVER_OUTPUT
    assert metrics.cache_read_tokens == 3 * 1024
    assert metrics.api_calls == 4, "four answered calls; the throttled request cost nothing"
    assert metrics.estimated_cost_usd is not None and metrics.estimated_cost_usd > 0
    assert result.attempts[0].usage.input_tokens == 1100 + 1250 + 1400
    report = json.loads(result.report_paths["json"].read_text())
    assert report["metrics"]["input_tokens"] == SERVER_INPUT


def test_cli_run_record_and_replay_report_the_same_figures(tmp_path: Path) -> None:
    runner = CliRunner()
    cassette = tmp_path / "run.json"
    task = "Create a function add(a, b) that returns the sum"
    with FakeProvider("openai", SCRIPT) as fake:
        recorded = runner.invoke(
            app,
            [
                "run",
                task,
                "--backend",
                "openai",
                "--base-url",
                fake.url + "/v1",
                "--max-retries",
                "1",
                "--report",
                "json",
                "--output-dir",
                str(tmp_path / "live"),
                "--record",
                str(cassette),
                "-q",
            ],
        )
    assert recorded.exit_code in (0, 1), recorded.output
    live = _json_report(tmp_path / "live")
    assert (live["metrics"]["input_tokens"], live["metrics"]["output_tokens"]) == (
        SERVER_INPUT,
        SERVER_OUTPUT,
    )
    assert live["metrics"]["api_calls"] == 4

    tape = json.loads(cassette.read_text())
    assert tape["backend"] == "openai" and len(tape["interactions"]) == 2
    assert tape["interactions"][0]["error"]["kind"] == "invalid_response"
    assert "sk-" not in cassette.read_text()

    # offline: no server at all
    replayed = runner.invoke(
        app,
        [
            "run",
            task,
            "--cassette",
            str(cassette),
            "--max-retries",
            "1",
            "--report",
            "json",
            "--output-dir",
            str(tmp_path / "replay"),
            "-q",
        ],
    )
    assert replayed.exit_code == recorded.exit_code, replayed.output
    again = _json_report(tmp_path / "replay")
    for key in ("input_tokens", "output_tokens", "cache_read_tokens", "api_calls", "estimated_cost_usd"):
        assert again["metrics"][key] == live["metrics"][key], key
    assert again["code"] == live["code"]
    assert again["attempts"][0]["error"].startswith("invalid response: openai backend: the answer")


def test_cli_reports_a_backend_failure_and_keeps_the_reports(tmp_path: Path) -> None:
    with FakeProvider("openai", [Throttle(retry_after="0")]) as fake:
        result = CliRunner().invoke(
            app,
            [
                *fake.run_args(),
                "--report",
                "json",
                "--output-dir",
                str(tmp_path),
                "-q",
            ],
            env={"CODEAGENT_API_MAX_RETRIES": "2"},
        )
    assert len(fake.requests) == 3
    report = _json_report(tmp_path)
    assert "openai backend: HTTP 429: Too many requests (gave up after 3 attempts" in report["stop_reason"]
    assert result.exit_code == 3, "throttled past the retries is a provider failure, not bad code"


def _json_report(folder: Path) -> dict:  # type: ignore[type-arg]
    files = sorted(folder.glob("*.json"))
    assert len(files) == 1, files
    return json.loads(files[0].read_text())  # type: ignore[no-any-return]
