"""JUnit XML: one test case per gate, the generated tests' own results, readable by CI test viewers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from burr_codeagent import AgentConfig, AgentResult, CheckReport, TestOutcome, check, hookimpl
from burr_codeagent.gates.base import GateContext
from burr_codeagent.models import Finding, TestCase
from burr_codeagent.reports.base import RenderContext
from burr_codeagent.reports.junit import JunitRenderer, merge_junit

from ..conftest import GOOD_CODE, GOOD_TESTS

junitparser = pytest.importorskip(
    "junitparser", reason="junitparser is a dev dependency: pip install -e '.[dev]'"
)


def render(report: CheckReport, **paths: str) -> str:
    return JunitRenderer().render(report, RenderContext(source_paths=paths or {"code": "tool.py"}))


def cases(xml: str) -> dict[str, ET.Element]:
    return {c.get("name", ""): c for c in ET.fromstring(xml).iter("testcase")}


def test_one_case_per_gate_and_failures_carry_the_findings(flawed_report: CheckReport) -> None:
    xml = render(flawed_report)
    by_name = cases(xml)
    assert {g.name for g in flawed_report.gates} <= set(by_name)
    failure = by_name["security"].find("failure")
    assert failure is not None and failure.get("type") == "critical"
    assert "tool.py:" in (failure.text or "") and "security." in (failure.text or "")
    assert by_name["execution"].find("skipped") is not None  # no tests given: the gate is skipped
    assert by_name["syntax"].find("failure") is None


def test_junitparser_reads_counts_that_match_the_report(flawed_report: CheckReport) -> None:
    xml = junitparser.JUnitXml.fromstring(render(flawed_report))
    suites = {suite.name: suite for suite in xml}
    gates = suites["codeagent.gates"]
    assert gates.tests == len(flawed_report.gates)
    assert gates.skipped == sum(1 for g in flawed_report.gates if g.status == "skipped")
    failed = [case.name for case in gates if any(isinstance(r, junitparser.Failure) for r in case.result)]
    assert "security" in failed


class _CrashingGate:
    name = "crashy"
    description = "Always crashes."
    rules = {"crashy.never": "never raised"}

    def check(self, ctx: GateContext) -> Iterable[Finding]:
        raise RuntimeError("boom")


class _CrashPlugin:
    @hookimpl
    def register_gates(self, register: Callable[[object], None]) -> None:
        register(_CrashingGate())


def test_a_crashed_gate_is_an_error_not_a_failure() -> None:
    report = check(GOOD_CODE, config=AgentConfig(enable_code_execution=False), plugins=[_CrashPlugin()])
    case = cases(render(report))["crashy"]
    error = case.find("error")
    assert error is not None and "boom" in (error.get("message") or "")
    assert case.find("failure") is None


def test_generated_tests_really_run_appear_as_their_own_suite() -> None:
    report = check(GOOD_CODE, GOOD_TESTS.replace("== 120", "== 121"), config=AgentConfig())
    assert report.tests is not None and (report.tests.passed, report.tests.failed) == (1, 1)
    xml = junitparser.JUnitXml.fromstring(render(report, code="solution.py", tests="test_solution.py"))
    suites = {suite.name: suite for suite in xml}
    generated = suites["codeagent.generated_tests"]
    assert generated.failures == 1 and generated.errors == 0
    failed = {case.name: case for case in generated if case.result}
    assert "120 == 121" in failed["test_small_values"].result[0].message
    assert "E   assert 120 == 121" in (failed["test_small_values"].result[0].text or "")
    passed = [case for case in generated if not case.result]
    assert [case.name for case in passed] == ["test_negative_raises"]  # named, not "1 passing test(s)"
    assert passed[0].classname == "test_solution"


def test_one_case_per_test_of_the_outcome_with_file_and_line() -> None:
    tests = [
        TestCase(
            name="test_ok", classname="test_solution", file="test_solution.py", line=4, outcome="passed"
        ),
        TestCase(
            name="test_neg",
            classname="test_solution.TestSigns",
            file="test_solution.py",
            line=9,
            outcome="failed",
            message="AssertionError: assert 1 == 2",
            traceback="E   assert 1 == 2",
            seconds=0.25,
        ),
        TestCase(name="test_db", classname="test_solution", outcome="error", message="failed on setup"),
        TestCase(name="test_later", classname="test_solution", outcome="skipped", message="not yet"),
    ]
    outcome = TestOutcome(passed=1, failed=1, errors=1, skipped=1, cases=tests, isolation="bwrap")
    report = CheckReport.from_findings([], gates=[], tests=outcome, seconds=0.1, warning_threshold=5)
    by_name = cases(render(report))
    assert by_name["test_ok"].find("failure") is None and by_name["test_ok"].get("line") == "4"
    failure = by_name["test_neg"].find("failure")
    assert failure is not None and failure.get("message") == "AssertionError: assert 1 == 2"
    assert failure.text == "E   assert 1 == 2" and by_name["test_neg"].get("time") == "0.250"
    assert by_name["test_neg"].get("classname") == "test_solution.TestSigns"
    assert by_name["test_db"].find("error") is not None
    assert by_name["test_later"].find("skipped") is not None
    suite = next(
        s
        for s in ET.fromstring(render(report)).iter("testsuite")
        if s.get("name") == "codeagent.generated_tests"
    )
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        "4",
        "1",
        "1",
        "1",
    )


def test_omitted_cases_are_counted_in_one_case() -> None:
    listed = [TestCase(name="test_0", classname="test_solution", outcome="passed")]
    outcome = TestOutcome(passed=701, cases=listed, cases_omitted=700)
    report = CheckReport.from_findings([], gates=[], tests=outcome, seconds=0.1, warning_threshold=5)
    assert "700 more test(s), not listed one by one" in cases(render(report))


def test_aggregate_case_when_the_run_named_no_test() -> None:
    outcome = TestOutcome(passed=0, failed=0, timed_out=True, output="\x1b[31mKilled\x00")
    report = CheckReport.from_findings([], gates=[], tests=outcome, seconds=0.1, warning_threshold=5)
    xml = render(report)
    failure = cases(xml)["generated tests"].find("failure")
    assert failure is not None and "timed out" in (failure.get("message") or "")
    assert "\x1b" not in xml and "\x00" not in xml  # characters XML forbids are stripped


def test_agent_run_writes_junit_for_the_best_attempt(tmp_path: Path, two_attempts: AgentResult) -> None:
    from ..conftest import broken, make_response
    from .conftest import run_agent

    result = run_agent(tmp_path / "run", [broken(1), make_response()], ["junit"])
    root = ET.parse(result.report_paths["junit"]).getroot()
    assert root.tag == "testsuites" and "attempt 2" in (root.get("name") or "")
    assert int(root.get("failures") or 0) == 0


def test_merge_keeps_every_suite(flawed_report: CheckReport) -> None:
    merged = ET.fromstring(
        merge_junit([render(flawed_report, code="a.py"), render(flawed_report, code="b.py")])
    )
    assert len(merged.findall("testsuite")) == 2
    assert int(merged.get("tests") or 0) == 2 * len(flawed_report.gates)
