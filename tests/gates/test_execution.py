"""The ``execution`` gate: the generated tests really run, in the sandbox, and decide the verdict."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from burr_codeagent import AgentConfig, Finding, Severity, check, hookimpl
from burr_codeagent.cli import app
from burr_codeagent.gates.base import GateBase, GateContext, GateSkipped
from burr_codeagent.sandbox import RunExtension, available
from tests.conftest import GOOD_CODE, GOOD_TESTS


def only_execution(**settings: object) -> AgentConfig:
    return AgentConfig(gates={"enable": ["execution"]}, **settings)  # type: ignore[arg-type]


def test_passing_tests_publish_the_outcome_in_the_report() -> None:
    report = check(GOOD_CODE, GOOD_TESTS, config=only_execution())
    assert report.passed
    assert report.findings == []
    assert report.tests is not None
    assert (report.tests.passed, report.tests.failed, report.tests.succeeded) == (2, 0, True)
    assert report.tests.isolation in ("bwrap", "unshare", "none")
    assert [g.status for g in report.gates] == ["ok"]


def test_each_failing_test_is_a_critical_finding_at_the_line_that_failed() -> None:
    tests = GOOD_TESTS + "\n\ndef test_six():\n    assert factorial(6) == 721\n"
    report = check(GOOD_CODE, tests, config=only_execution())
    assert not report.passed
    [failed] = [f for f in report.findings if f.rule == "execution.failed"]
    assert failed.severity is Severity.CRITICAL
    assert failed.target == "tests"
    assert failed.line == tests.splitlines().index("    assert factorial(6) == 721") + 1  # not the def
    assert "test_six" in failed.message and "720 == 721" in failed.message
    assert report.tests is not None and report.tests.failed == 1 and report.tests.passed == 2
    assert "assert factorial(6) == 721" in report.tests.output


def test_failing_method_of_a_test_class_is_located() -> None:
    tests = "from solution import factorial\n\n\nclass TestFactorial:\n    def test_one(self):\n        assert factorial(1) == 2\n"
    report = check(GOOD_CODE, tests, config=only_execution())
    [failed] = report.findings
    assert failed.line == 6  # the failing assert inside the method
    assert "TestFactorial.test_one" in failed.message


@pytest.mark.parametrize(
    ("tests", "rule"),
    [
        ("from solution import factorial\n", "execution.no_tests"),
        ("from solution import missing\n\ndef test_x():\n    assert missing()\n", "execution.collection_error"),
        ("import time\n\ndef test_slow():\n    while True:\n        time.sleep(0.01)\n", "execution.timeout"),
        ("import os\n\ndef test_quit():\n    os._exit(0)\n", "execution.crashed"),
        ("import pytest\n\n@pytest.fixture\ndef broken():\n    raise RuntimeError('setup')\n\n"
         "def test_x(broken):\n    pass\n", "execution.error"),
    ],
)  # fmt: skip
def test_runs_that_prove_nothing_are_critical(tests: str, rule: str) -> None:
    report = check(
        GOOD_CODE, tests, config=only_execution(execution_timeout=2 if rule == "execution.timeout" else 20)
    )
    assert rule in [f.rule for f in report.findings if f.severity is Severity.CRITICAL], report.findings
    assert not report.passed


def test_skipped_when_execution_is_disabled() -> None:
    report = check(GOOD_CODE, GOOD_TESTS, config=only_execution(enable_code_execution=False))
    assert [(g.name, g.status) for g in report.gates] == [("execution", "skipped")]
    assert report.tests is None


def test_skipped_without_test_code() -> None:
    report = check(GOOD_CODE, config=only_execution())
    assert [g.status for g in report.gates] == ["skipped"]


def test_unisolated_runs_warn_loudly(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        report = check(GOOD_CODE, GOOD_TESTS, config=only_execution(sandbox={"isolation": "none"}))
    assert [f.rule for f in report.findings] == ["execution.unisolated"]
    assert report.findings[0].severity is Severity.WARNING
    assert report.tests is not None and report.tests.isolation == "none"
    assert "UNISOLATED" in caplog.text


@pytest.mark.skipif(not available("unshare"), reason="unshare is not available here")
def test_isolation_setting_is_honoured_and_reported() -> None:
    report = check(GOOD_CODE, GOOD_TESTS, config=only_execution(sandbox={"isolation": "unshare"}))
    assert report.tests is not None and report.tests.isolation == "unshare"
    assert report.passed


def test_secrets_in_the_environment_never_reach_the_report(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-canary-123456")
    tests = "import os\n\ndef test_env():\n    assert False, dict(os.environ)\n"
    report = check(GOOD_CODE, tests, config=only_execution())
    assert "sk-canary-123456" not in report.model_dump_json()
    assert "ANTHROPIC_API_KEY" not in report.model_dump_json()


def test_cli_keep_workdir_keeps_the_sandbox_for_debugging(tmp_path: Path) -> None:
    code = tmp_path / "factorial.py"
    code.write_text(GOOD_CODE)
    tests = tmp_path / "test_factorial.py"
    tests.write_text(GOOD_TESTS.replace("120", "121"))
    result = CliRunner().invoke(
        app, ["check", str(code), "--tests", str(tests), "--keep-workdir", "-f", "json"]
    )
    assert result.exit_code == 1, result.output
    kept = [line.split("kept for debugging: ", 1)[1].split("\\n")[0].strip('"') for line in [result.output]
            if "kept for debugging: " in line]  # fmt: skip
    assert kept, result.output
    workdir = Path(kept[0].split(")")[0])
    try:
        assert (workdir / "solution.py").read_text() == GOOD_CODE
        assert "121" in (workdir / "test_solution.py").read_text()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# A third-party gate that measures inside the execution gate's run, exactly as the coverage gate does.
COUNTER_PLUGIN = """\
import os


def pytest_collection_finish(session):
    with open(os.environ["COUNTER_REPORT"], "w", encoding="utf-8") as handle:
        handle.write(str(len(session.items)))
"""


class _CountingGate(GateBase):
    name = "counting"
    description = "Counts the collected tests from inside the execution gate's run."
    rules = {"counting.collected": "How many tests pytest collected."}
    after = ("execution",)

    def __init__(self, report: str = "counted.txt") -> None:
        self.report = report

    def extend_test_run(self, ctx: GateContext) -> RunExtension | None:
        return RunExtension(
            plugins=("counter_plugin",),
            files={"counter_plugin.py": COUNTER_PLUGIN},
            collect=(self.report,),
            env={"COUNTER_REPORT": self.report},
        )

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        run = ctx.test_run
        if run is None or self.report not in run.files:
            raise GateSkipped("the test run did not include the counter")
        count = run.files[self.report].decode()
        yield Finding(
            gate=self.name, rule="counting.collected", severity=Severity.INFO, message=f"{count} tests"
        )


class _CountingPlugin:
    def __init__(self, gate: _CountingGate) -> None:
        self.gate = gate

    @hookimpl
    def register_gates(self, register: Callable[[object], None]) -> None:
        register(self.gate)


def test_a_plugin_gate_measures_inside_the_one_sandboxed_test_run() -> None:
    settings = AgentConfig(gates={"enable": ["execution", "counting"]})
    report = check(GOOD_CODE, GOOD_TESTS, config=settings, plugins=[_CountingPlugin(_CountingGate())])
    assert [f.message for f in report.findings if f.gate == "counting"] == ["2 tests"]
    assert report.tests is not None and report.tests.passed == 2  # the extension did not disturb the tests


def test_an_extension_that_would_replace_a_file_of_the_run_is_left_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clashing = RunExtension(files={"solution.py": "raise SystemExit('replaced')"})

    class Clashing(_CountingGate):
        def extend_test_run(self, ctx: GateContext) -> RunExtension | None:
            return clashing

    settings = AgentConfig(gates={"enable": ["execution", "counting"]})
    with caplog.at_level(logging.WARNING):
        report = check(GOOD_CODE, GOOD_TESTS, config=settings, plugins=[_CountingPlugin(Clashing())])
    assert report.tests is not None and report.tests.succeeded  # the code under test is still the real one
    assert "would replace the file 'solution.py'" in caplog.text
    assert next(g for g in report.gates if g.name == "counting").status == "skipped"


def test_the_execution_gate_knows_no_other_gate() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, burr_codeagent.gates.execution; print(sorted(m for m in sys.modules if '.gates.' in m))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert "coverage" not in loaded and "mutation" not in loaded


def test_a_gate_that_fails_to_extend_the_run_does_not_stop_the_check(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Broken(_CountingGate):
        def extend_test_run(self, ctx: GateContext) -> RunExtension | None:
            raise RuntimeError("no extension today")

    settings = AgentConfig(gates={"enable": ["execution", "counting"]})
    with caplog.at_level(logging.WARNING):
        report = check(GOOD_CODE, GOOD_TESTS, config=settings, plugins=[_CountingPlugin(Broken())])
    assert report.tests is not None and report.tests.succeeded
    assert "gate counting could not extend the test run" in caplog.text
    assert next(g for g in report.gates if g.name == "counting").status == "skipped"
