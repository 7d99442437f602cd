"""Exit codes a CI job can act on: 2 for settings the provider rejects, 3 for a provider that fails, 143 after
SIGTERM with the finished attempts' reports written. The real SDKs talk to loopback fakes of the providers."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from burr_codeagent.backends.base import BackendConfigurationError, BackendError
from burr_codeagent.backends.retry import ApiFailure, RetryPolicy, call_with_retries
from burr_codeagent.cli import app

from .backends.fakes import BAD_ANSWER, GOOD_ANSWER, Fail, FakeProvider, Reply, Stall, Throttle

BROKEN_ANSWER = {**GOOD_ANSWER, "code": "def add(a, b:\n    return a + b\n"}
FAST_RETRIES = {"CODEAGENT_TRACKING": "false", "CODEAGENT_API_BACKOFF_SECONDS": "0.001"}


def _run(url: str, tmp_path: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    args = ["run", "Create add", "--backend", "openai", "--base-url", url, "--no-execution"]
    args += ["--output-dir", str(tmp_path / "r"), "-q", *extra]
    result = CliRunner().invoke(app, args, env={**FAST_RETRIES, **(env or {})})
    return result.exit_code, result.output


def test_a_rejected_api_key_is_a_configuration_error_exit_2(tmp_path: Path) -> None:
    with FakeProvider("openai", [Fail(401)]) as fake:
        code, output = _run(fake.url + "/v1", tmp_path)
    assert code == 2, output
    assert "authentication failed: HTTP 401" in output and "OPENAI_API_KEY" in output
    assert len(fake.requests) == 1


def test_an_unknown_model_is_a_configuration_error_exit_2(tmp_path: Path) -> None:
    with FakeProvider("openai", [Fail(404, "model_not_found")]) as fake:
        code, output = _run(fake.url + "/v1", tmp_path, "--model", "gpt-nope")
    assert code == 2, output
    assert "gpt-nope" in output


def test_a_failing_server_is_a_provider_failure_exit_3(tmp_path: Path) -> None:
    with FakeProvider("openai", [Fail(503)]) as fake:
        code, output = _run(fake.url + "/v1", tmp_path, env={"CODEAGENT_API_MAX_RETRIES": "2"})
    assert code == 3, output
    assert "provider failure" in output and "HTTP 503" in output
    assert "try again later" in output and "CODEAGENT_API_MAX_RETRIES" not in output
    assert len(fake.requests) == 3


def test_throttling_past_the_retries_exits_3_with_the_throttling_hint(tmp_path: Path) -> None:
    with FakeProvider("openai", [Throttle(retry_after="0")]) as fake:
        code, output = _run(fake.url + "/v1", tmp_path, env={"CODEAGENT_API_MAX_RETRIES": "1"})
    assert code == 3, output
    assert "HTTP 429" in output and "raise CODEAGENT_API_MAX_RETRIES" in output


def test_a_server_that_hangs_is_retried_once_within_request_timeout_and_exits_3(tmp_path: Path) -> None:
    started = time.monotonic()
    with FakeProvider("openai", [Stall(30)]) as fake:
        code, output = _run(fake.url + "/v1", tmp_path, "--request-timeout", "0.5")
    assert code == 3, output
    assert len(fake.requests) == 2, "a timed-out request is retried once, not api_max_retries (5) times"
    assert "within 0.5s (request timeout)" in output and "--request-timeout" in output
    assert time.monotonic() - started < 20


def test_retries_stop_when_the_wall_clock_budget_is_spent(tmp_path: Path) -> None:
    with FakeProvider("openai", [Throttle(retry_after="1")]) as fake:
        code, output = _run(
            fake.url + "/v1",
            tmp_path,
            env={"CODEAGENT_API_MAX_RETRIES": "10", "CODEAGENT_API_RETRY_BUDGET_SECONDS": "2.5"},
        )
    assert code == 3, output
    assert 2 <= len(fake.requests) <= 3
    assert "retry budget of 2s ran out" in output or "retry budget of 3s ran out" in output


def test_connection_refused_exits_3(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, output = _run(f"http://127.0.0.1:{port}/v1", tmp_path, env={"CODEAGENT_API_MAX_RETRIES": "1"})
    assert code == 3, output
    assert "cannot reach" in output


def test_malformed_answers_on_every_attempt_exit_3(tmp_path: Path) -> None:
    with FakeProvider("openai", [Reply(BAD_ANSWER)]) as fake:
        code, output = _run(fake.url + "/v1", tmp_path, "--max-retries", "1")
    assert code == 3, output
    assert "no attempt got a usable answer" in output


def test_bad_code_is_still_exit_1(tmp_path: Path) -> None:
    with FakeProvider("openai", [Reply(BROKEN_ANSWER)]) as fake:
        code, output = _run(fake.url + "/v1", tmp_path, "--max-retries", "0")
    assert code == 1, output


def test_a_cassette_that_does_not_match_exits_3(tmp_path: Path) -> None:
    cassette = tmp_path / "run.json"
    with FakeProvider("openai", [Reply()]) as fake:
        code, output = _run(fake.url + "/v1", tmp_path, "--record", str(cassette))
    assert code == 0, output
    result = CliRunner().invoke(
        app,
        ["run", "Create something else entirely", "--cassette", str(cassette), "--no-execution", "-q"],
        env=FAST_RETRIES,
    )
    assert result.exit_code == 3, result.output


def test_check_exits_3_when_a_gate_crashes(tmp_path: Path) -> None:
    plugin = tmp_path / "crashing_gate.py"
    plugin.write_text(
        "from burr_codeagent import hookimpl\n\n\nclass Crash:\n    name = 'crash'\n    description = 'crashes'\n"
        "    rules = {}\n\n    def check(self, ctx):\n        raise RuntimeError('boom')\n\n\n"
        "@hookimpl\ndef register_gates(register):\n    register(Crash())\n"
    )
    source = tmp_path / "ok.py"
    source.write_text('"""Fine."""\n')
    result = CliRunner().invoke(app, ["--plugin", str(plugin), "check", str(source), "--no-execution"])
    assert result.exit_code == 3, result.output
    assert "crashed: crash" in result.output


def test_timeouts_get_fewer_retries_than_throttling() -> None:
    def always(failure: ApiFailure) -> int:
        calls = 0

        def call() -> str:
            nonlocal calls
            calls += 1
            raise OSError("x")

        with pytest.raises(BackendError):
            call_with_retries(
                call,
                backend="demo",
                classify=lambda e: failure,
                policy=RetryPolicy(
                    max_retries=4, max_timeout_retries=1, base_delay=0.0, sleep=lambda s: None
                ),
            )
        return calls

    assert always(ApiFailure("transient", "slow", timed_out=True)) == 2
    assert always(ApiFailure("transient", "429", throttled=True)) == 5


def test_auth_failures_become_configuration_errors() -> None:
    error = ApiFailure("auth", "HTTP 401", hint="Set KEY").to_error("demo", 1)
    assert isinstance(error, BackendConfigurationError)
    assert not isinstance(ApiFailure("transient", "HTTP 503").to_error("demo", 3), BackendConfigurationError)


@pytest.mark.slow
def test_sigterm_writes_the_finished_attempts_reports_and_exits_143(tmp_path: Path) -> None:
    """What a CI cancellation does: the first attempt finished, the second is waiting for the model."""
    out = tmp_path / "r"
    env = {**os.environ, **FAST_RETRIES, "CODEAGENT_OUTPUT_DIR": str(out), "CODEAGENT_REPORT_FORMATS": "json"}
    codeagent = str(Path(sys.executable).parent / "codeagent")
    with FakeProvider("openai", [Reply(BROKEN_ANSWER), Stall(60)]) as fake:
        child = subprocess.Popen(
            [
                codeagent,
                *fake.run_args(),
                "--no-execution",
                "--request-timeout",
                "120",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        fake.wait_for_requests(2, child)
        assert len(fake.requests) == 2, child.communicate(timeout=5)
        child.send_signal(signal.SIGTERM)
        stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 143, stdout + stderr
    assert "terminated (SIGTERM): the reports of the attempts that finished are in" in stderr
    reports = list(out.glob("*.json"))
    assert len(reports) == 1, stdout + stderr
    report = json.loads(reports[0].read_text())
    assert report["stop_reason"] == "interrupted" and len(report["attempts"]) == 1
