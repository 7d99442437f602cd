"""A check whose gate could not run is ``unverified``: neither passed nor failed, in every place a verdict shows."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from burr_codeagent import AgentConfig, CheckReport, CodeAgent, Finding, Severity, check, hookimpl
from burr_codeagent.backends import ScriptedBackend
from burr_codeagent.cli import app
from burr_codeagent.evaluation.scoring import ProblemScore, summarise
from burr_codeagent.exit_codes import EXIT_FAILED, EXIT_UNVERIFIED, check_exit_code, combine
from burr_codeagent.gates.base import Gate, GateContext, GateUnavailable
from burr_codeagent.models import GateRun
from burr_codeagent.plugins import default_manager
from burr_codeagent.reports import RenderContext

from .conftest import make_response

CODE = 'def double(x: int) -> int:\n    """Twice x."""\n    return 2 * x\n'


class CannotStart:
    """A gate whose sandbox never starts; counts its tries."""

    name = "cannot_start"
    description = "its sandbox never starts"
    rules: dict[str, str] = {}

    def __init__(self) -> None:
        self.calls = 0

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        self.calls += 1
        raise GateUnavailable("the sandbox could not start (cannot fork: EAGAIN)")
        yield  # pragma: no cover - makes this a generator


class Critical:
    name = "always_critical"
    description = "finds a real problem"
    rules = {"always_critical.found": "found"}

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        yield Finding(gate=self.name, rule="always_critical.found", severity=Severity.CRITICAL, message="bad")


def plugin(*gates: object) -> object:
    class P:
        @hookimpl
        def register_gates(self, register: Callable[[Gate], None]) -> None:
            for gate in gates:
                register(gate)  # type: ignore[arg-type]

    return P()


def only(*names: str, **changes: object) -> AgentConfig:
    return AgentConfig(tracking=False, enable_code_execution=False, gates={"enable": list(names)}, **changes)


def test_an_unavailable_gate_makes_the_report_unverified_and_it_is_checked_again_not_cached() -> None:
    gate = CannotStart()
    config = only("cannot_start")
    first = check(CODE, config=config, plugins=[plugin(gate)])
    assert (first.verdict, first.passed, first.critical_count) == ("unverified", False, 0)
    assert [g.name for g in first.unavailable_gates()] == ["cannot_start"]
    assert gate.calls == 2  # retried once
    check(CODE, config=config, plugins=[plugin(gate)])
    assert gate.calls == 4  # not served from the report cache


def test_a_real_failure_beside_an_unavailable_gate_is_a_failure() -> None:
    report = check(
        CODE, config=only("cannot_start", "always_critical"), plugins=[plugin(CannotStart(), Critical())]
    )
    assert report.verdict == "failed" and not report.passed


def test_reports_saved_before_the_verdict_existed_still_load() -> None:
    old = {"passed": True, "critical_count": 0, "warning_count": 0, "info_count": 0}
    assert CheckReport.model_validate(old).verdict == "passed"
    assert CheckReport.model_validate({**old, "passed": False}).verdict == "failed"
    unverified = CheckReport.from_findings(
        [],
        gates=[GateRun(name="x", status="error", unavailable=True)],
        tests=None,
        seconds=0,
        warning_threshold=5,
    )
    again = CheckReport.model_validate_json(unverified.model_dump_json())
    assert again.verdict == "unverified" and not again.passed


def test_exit_code_4_for_unverified_and_a_definite_failure_outranks_it() -> None:
    report = check(CODE, config=only("cannot_start"), plugins=[plugin(CannotStart())])
    assert check_exit_code(report) == EXIT_UNVERIFIED == 4
    assert combine([EXIT_UNVERIFIED, EXIT_FAILED, 0]) == EXIT_FAILED
    assert combine([EXIT_UNVERIFIED, 0]) == EXIT_UNVERIFIED


def test_the_cli_says_unverified_and_exits_4(tmp_path: Path) -> None:
    gate_file = tmp_path / "never_starts.py"
    gate_file.write_text(
        "from burr_codeagent import hookimpl\nfrom burr_codeagent.gates.base import GateUnavailable\n\n\n"
        "class Never:\n    name = 'never'\n    description = 'never starts'\n    rules = {}\n\n"
        "    def check(self, ctx):\n        raise GateUnavailable('the sandbox could not start')\n\n\n"
        "@hookimpl\ndef register_gates(register):\n    register(Never())\n"
    )
    source = tmp_path / "ok.py"
    source.write_text(CODE)
    result = CliRunner().invoke(
        app,
        ["--plugin", str(gate_file), "check", str(source), "--no-execution"],
        env={"CODEAGENT_GATES__ENABLE": '["never"]'},
    )
    assert result.exit_code == 4, result.output
    assert "unverified" in result.output and "could not run: never" in result.output


def render(format: str, report: CheckReport, context: RenderContext) -> str:
    return default_manager().renderers()[format].item.render(report, context)


def test_json_junit_and_sarif_say_unverified() -> None:
    report = check(CODE, config=only("cannot_start"), plugins=[plugin(CannotStart())])
    context = RenderContext(source_paths={"code": "ok.py"}, sources={"code": CODE})
    assert json.loads(render("json", report, context))["verdict"] == "unverified"
    suite = ET.fromstring(render("junit", report, context))
    [error] = suite.iter("error")
    assert error.get("type") == "unavailable"
    sarif = json.loads(render("sarif", report, context))
    [invocation] = sarif["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["properties"]["verdict"] == "unverified"
    assert "cannot_start" in invocation["toolExecutionNotifications"][0]["message"]["text"]
    from burr_codeagent.integrations.tool_results import check_result  # what the MCP server answers

    structured = check_result(report)
    assert (structured.verdict, structured.passed, structured.exit_code) == ("unverified", False, 4)


def test_the_agent_checks_again_instead_of_asking_the_model_and_stops_unverified(tmp_path: Path) -> None:
    gate = CannotStart()
    config = only("syntax", "cannot_start", storage_dir=tmp_path / "burr", output_dir=tmp_path / "out")
    backend = ScriptedBackend([make_response(), make_response()])
    result = CodeAgent(config, backend=backend, plugins=[plugin(gate)]).run("Write factorial")
    assert len(backend.calls) == 1  # no fix was asked for: nothing was wrong with the code
    assert gate.calls == 4  # the check ran twice, each gate run retried once
    assert result.stop_reason.startswith("unverified") and "cannot_start" in result.stop_reason
    assert not result.passed and result.best is not None and result.best.report.unverified


def test_an_unverified_problem_is_neither_solved_nor_failed() -> None:
    scores = [
        ProblemScore(task_id="a", rounds=[True], first=True, final=True, agent_passed=True),
        ProblemScore(
            task_id="b", rounds=[False], first=False, final=False, agent_passed=False, unverified=True
        ),
    ]
    report = summarise("d", scores, 1.0)
    assert report.pass_at_1_final == 1.0 and report.solved == 1
    assert report.unverified == ["b"] and report.problems == 2


@pytest.mark.parametrize("stop", ["unverified: the execution gate could not run", "passed"])
def test_batch_outcomes_count_unverified_apart(stop: str) -> None:
    from burr_codeagent.batch import TaskOutcome
    from burr_codeagent.cli_batch import exit_code

    outcome = TaskOutcome(id="t", app_id="a", passed=stop == "passed", stop_reason=stop)
    assert outcome.unverified == (stop != "passed")
    assert outcome.finished == (stop == "passed")  # a rerun checks the unverified one again
    assert exit_code([outcome]) == (0 if stop == "passed" else 4)
