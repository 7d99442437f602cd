"""A gate whose own machinery fails is retried once, then reported as a non-blocking gate error, never as the
code's fault."""

from __future__ import annotations

import errno
import subprocess
from collections.abc import Callable, Iterator

import pytest

from burr_codeagent import AgentConfig, Finding, Severity, check, hookimpl
from burr_codeagent.gates.base import Gate, GateContext, GateUnavailable

CODE = 'def double(x: int) -> int:\n    """Twice x."""\n    return 2 * x\n'
TESTS = "from solution import double\n\n\ndef test_double():\n    assert double(2) == 4\n"


def plugin(gate: object) -> object:
    class P:
        @hookimpl
        def register_gates(self, register: Callable[[Gate], None]) -> None:
            register(gate)  # type: ignore[arg-type]

    return P()


class Flaky:
    """Fails with EAGAIN the first ``failures`` times, then reports one warning."""

    name = "flaky"
    description = "fails to fork at first"
    rules = {"flaky.found": "found"}

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        self.calls += 1
        if self.calls <= self.failures:
            raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")
        yield Finding(gate="flaky", rule="flaky.found", severity=Severity.WARNING, message="found")


class Missing:
    name = "missing_tool"
    description = "its tool is not installed"
    rules: dict[str, str] = {}

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        raise GateUnavailable("the tool `frobnicate` is not installed")
        yield  # pragma: no cover - makes this a generator


def only(gate: str) -> AgentConfig:
    return AgentConfig(tracking=False, enable_code_execution=False, gates={"enable": [gate]})


def test_an_eagain_is_retried_once_and_the_second_run_counts() -> None:
    gate = Flaky(failures=1)
    report = check(CODE, config=only("flaky"), plugins=[plugin(gate)])
    assert gate.calls == 2
    assert [(g.name, g.status) for g in report.gates] == [("flaky", "ok")]
    assert [f.rule for f in report.findings] == ["flaky.found"]


def test_a_gate_that_cannot_run_twice_is_a_non_blocking_error() -> None:
    report = check(CODE, config=only("missing_tool"), plugins=[plugin(Missing())])
    [run] = report.gates
    assert run.status == "error" and "frobnicate" in (run.error or "")
    assert [(f.rule, f.severity) for f in report.findings] == [("missing_tool.unavailable", Severity.INFO)]
    assert run.unavailable and report.critical_count == 0
    assert report.verdict == "unverified" and not report.passed  # neither the code's fault nor a pass


def test_a_sandbox_that_cannot_fork_does_not_blame_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    # Fault injection: the machine refuses to fork (EAGAIN under load) every time the sandbox tries.
    def refuse(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr("burr_codeagent.sandbox.runner.subprocess.Popen", refuse)
    # A fresh sandbox per run: a warm worker started by an earlier test in this process would not fork through Popen.
    monkeypatch.setenv("CODEAGENT_SANDBOX_WARM", "0")
    config = AgentConfig(tracking=False, gates={"enable": ["execution"]})
    report = check(CODE, TESTS, config=config)
    [run] = report.gates
    assert run.status == "error"
    assert [f.rule for f in report.findings if f.severity is Severity.CRITICAL] == []
    assert [f.rule for f in report.findings] == ["execution.unavailable"]
    assert report.verdict == "unverified" and not report.passed
