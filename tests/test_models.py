"""The public models: the verdict rule, test outcomes and cases, usage sums, and what they reject."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from burr_codeagent import (
    Attempt,
    CheckReport,
    Finding,
    PythonCodeGenerationResponse,
    Severity,
    TestCase,
    TestOutcome,
)
from burr_codeagent.models import OUTPUT_CAP, TRACEBACK_CAP, Usage, warning_count


def finding(
    severity: Severity, rule: str = "docstrings.missing", *, fixable: bool = False, line: int = 1
) -> Finding:
    return Finding(
        gate=rule.split(".")[0], rule=rule, severity=severity, message="m", line=line, fixable=fixable
    )


def report(findings: list[Finding], threshold: int = 2) -> CheckReport:
    return CheckReport.from_findings(findings, gates=[], tests=None, seconds=0.0, warning_threshold=threshold)


def test_one_critical_finding_fails_and_warnings_fail_only_over_the_threshold() -> None:
    assert not report([finding(Severity.CRITICAL)]).passed
    assert report([finding(Severity.WARNING, line=n) for n in range(2)]).passed
    over = report([finding(Severity.WARNING, line=n) for n in range(3)])
    assert not over.passed and (over.critical_count, over.warning_count) == (0, 3)
    assert report([finding(Severity.INFO, line=n) for n in range(50)]).passed  # info never counts


def test_fixable_warnings_count_once_in_all() -> None:
    """One formatter run repairs every fixable finding: trailing spaces, long lines and missing newlines are one."""
    fixable = [finding(Severity.WARNING, "style.W291", fixable=True, line=n) for n in range(10)]
    other = [
        finding(Severity.WARNING, "style.E501", fixable=True),
        finding(Severity.WARNING, "style.W292", fixable=True),
        finding(Severity.WARNING),
    ]
    assert warning_count([*fixable, *other]) == 2
    assert report([*fixable, *other], threshold=2).passed


def test_by_severity_keeps_report_order() -> None:
    found = [finding(Severity.WARNING, line=3), finding(Severity.CRITICAL), finding(Severity.WARNING, line=1)]
    assert [f.line for f in report(found).by_severity(Severity.WARNING)] == [3, 1]


def test_findings_are_immutable_and_severities_are_strings() -> None:
    f = finding(Severity.WARNING)
    with pytest.raises(ValidationError):
        f.severity = Severity.INFO  # type: ignore[misc]
    assert Finding.model_validate({**f.model_dump(), "severity": "critical"}).severity is Severity.CRITICAL
    with pytest.raises(ValidationError, match="severity"):
        Finding.model_validate({**f.model_dump(), "severity": "catastrophic"})


def test_a_run_succeeds_only_when_a_test_ran_and_none_failed_or_timed_out() -> None:
    assert TestOutcome(passed=3).succeeded
    assert not TestOutcome().succeeded  # nothing ran: an early os._exit(0) is not a pass
    assert not TestOutcome(passed=3, failed=1).succeeded
    assert not TestOutcome(passed=3, errors=1).succeeded
    assert not TestOutcome(passed=3, timed_out=True).succeeded
    assert TestOutcome(passed=1).model_dump(mode="json")["succeeded"] is True  # in the json report too


def test_test_case_names_as_pytest_has_them() -> None:
    plain = TestCase(
        name="test_add[1-2]", classname="test_solution", file="test_solution.py", outcome="passed"
    )
    method = TestCase(name="test_neg", classname="tests.test_math.TestSigns", outcome="failed")
    collection = TestCase(name="test_solution", file="test_solution.py", outcome="error")
    assert (plain.label, plain.nodeid) == ("test_add[1-2]", "test_solution.py::test_add[1-2]")
    assert (method.label, method.nodeid) == ("TestSigns.test_neg", "tests/test_math.py::TestSigns::test_neg")
    assert collection.nodeid == "test_solution.py" and collection.failing
    assert not plain.failing


def test_outcome_lists_failures_and_passes_and_survives_json() -> None:
    cases = [
        TestCase(name="test_a", classname="test_solution", outcome="passed"),
        TestCase(name="test_b", classname="test_solution", outcome="failed", message="assert 1 == 2"),
        TestCase(name="test_c", classname="test_solution", outcome="skipped"),
        TestCase(name="test_d", classname="test_solution", outcome="error"),
    ]
    outcome = TestOutcome(passed=1, failed=1, skipped=1, errors=1, cases=cases)
    assert [c.name for c in outcome.failures()] == ["test_b", "test_d"]
    assert [c.name for c in outcome.passing()] == ["test_a"]
    assert TestOutcome.model_validate_json(outcome.model_dump_json()) == outcome


def test_oversized_output_and_tracebacks_are_rejected_not_silently_kept() -> None:
    with pytest.raises(ValidationError, match="output"):
        TestOutcome(output="x" * (OUTPUT_CAP + 1_000))
    with pytest.raises(ValidationError, match="traceback"):
        TestCase(name="t", outcome="failed", traceback="x" * (TRACEBACK_CAP + 1_000))
    with pytest.raises(ValidationError, match="outcome"):
        TestCase.model_validate({"name": "t", "outcome": "xfailed"})


def test_usage_adds_up_every_field() -> None:
    one = Usage(input_tokens=10, output_tokens=2, cache_read_tokens=4, api_calls=1, latencies=[0.5])
    two = Usage(input_tokens=5, output_tokens=1, cache_write_tokens=3, api_calls=2, latencies=[0.1, 0.2])
    total = one + two
    assert (total.input_tokens, total.output_tokens, total.total_tokens) == (15, 3, 18)
    assert (total.cache_read_tokens, total.cache_write_tokens, total.api_calls) == (4, 3, 3)
    assert total.latencies == [0.5, 0.1, 0.2]


def test_a_response_missing_a_field_is_rejected_and_attempts_count_from_one() -> None:
    with pytest.raises(ValidationError, match="test_code"):
        PythonCodeGenerationResponse.model_validate({"function_name": "f", "code": "", "explanation": ""})
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        Attempt(index=0, report=report([]))
