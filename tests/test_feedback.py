"""The targeted feedback prompt: what a retry tells the model, and what it keeps when the budget is tight."""

from __future__ import annotations

from burr_codeagent import AgentConfig, CheckReport, CodeAgent, Finding, GateRun, Severity, TestOutcome, check
from burr_codeagent.backends import ScriptedBackend
from burr_codeagent.edits import numbered
from burr_codeagent.models import TestCase
from burr_codeagent.prompts import analysis_prompt, feedback_prompt
from burr_codeagent.review import CodeAnalysisResponse, ConcreteFix

from .conftest import GOOD_CODE, GOOD_TESTS, make_response

TASK = "Write a function factorial(n) that returns n! and rejects negative numbers."


def report_of(
    findings: list[Finding], *, tests: TestOutcome | None = None, gates: list[str] = ()
) -> CheckReport:
    runs = [GateRun(name=name, status="ok") for name in gates]
    return CheckReport.from_findings(findings, gates=runs, tests=tests, seconds=0.0, warning_threshold=5)


def warning(n: int, gate: str = "docstrings") -> Finding:
    return Finding(
        gate=gate,
        rule=f"{gate}.rule{n}",
        severity=Severity.WARNING,
        message=f"warning number {n} " + "x" * 80,
        line=4,
    )


CRITICAL = Finding(
    gate="security",
    rule="security.eval",
    severity=Severity.CRITICAL,
    message="eval() runs arbitrary code.",
    line=18,
    suggestion="Parse the input explicitly instead of calling eval().",
)


def test_findings_carry_rule_line_message_suggestion_and_the_quoted_line() -> None:
    code = GOOD_CODE.replace("if n in (0, 1):", "if eval('n') in (0, 1):")
    prompt = feedback_prompt(TASK, make_response(code=code), report_of([CRITICAL]), attempt=1)
    assert TASK in prompt
    assert "[security.eval] code line 18: eval() runs arbitrary code." in prompt
    assert "Fix: Parse the input explicitly" in prompt
    assert ">> 18 |     if eval('n') in (0, 1):" in prompt


def test_findings_are_grouped_by_severity_then_gate() -> None:
    findings = [warning(1, "style"), CRITICAL, warning(2, "docstrings")]
    prompt = feedback_prompt(TASK, make_response(), report_of(findings))
    critical_at = prompt.index("## Critical problems")
    warnings_at = prompt.index("## Warnings")
    assert critical_at < prompt.index("### security") < warnings_at
    assert warnings_at < prompt.index("### docstrings") < prompt.index("### style")


def test_a_tight_budget_keeps_critical_findings_and_says_what_was_left_out() -> None:
    findings = [CRITICAL, *(warning(n) for n in range(40))]
    response = make_response()
    prompt = feedback_prompt(TASK, response, report_of(findings), max_chars=1_500)
    # the previous code and tests always go out (numbered), even past a budget this small; findings get 2,000
    assert " 1 | " + response.code.splitlines()[0] in prompt
    assert TASK in prompt
    assert "[security.eval]" in prompt
    assert "Left out to keep this prompt short" in prompt
    kept = sum(f"docstrings.rule{n}]" in prompt for n in range(40))
    assert 0 < kept < 40
    assert f"{40 - kept} warning findings from docstrings" in prompt
    assert prompt.rstrip().endswith("only when most of it changes.")


def test_the_task_is_restated_even_when_it_alone_exceeds_the_budget() -> None:
    task = "Write factorial. " * 100
    prompt = feedback_prompt(task, make_response(), report_of([CRITICAL]), max_chars=600)
    assert task.strip() in prompt


def test_unused_budget_is_not_filled_with_omissions() -> None:
    prompt = feedback_prompt(TASK, make_response(), report_of([CRITICAL]), max_chars=20_000)
    assert "Left out" not in prompt
    assert numbered(GOOD_CODE) in prompt and numbered(GOOD_TESTS) in prompt


def test_what_already_works_names_clean_gates_and_passing_tests() -> None:
    failing = Finding(
        gate="execution",
        rule="execution.failed",
        severity=Severity.CRITICAL,
        message="Test test_small_values failed: assert 15 == 120",
        target="tests",
        line=6,
        test_id="test_solution.py::test_small_values",
    )
    cases = [
        TestCase(
            name="test_negative_raises", classname="test_solution", file="test_solution.py", outcome="passed"
        ),
        TestCase(
            name="test_small_values",
            classname="test_solution",
            file="test_solution.py",
            outcome="failed",
            message="assert 15 == 120",
            traceback="test_solution.py:9: in test_small_values\n    assert factorial(5) == 120\nE   assert 15 == 120",
        ),
    ]
    tests = TestOutcome(passed=1, failed=1, cases=cases)
    report = report_of([failing], tests=tests, gates=["syntax", "security", "execution"])
    prompt = feedback_prompt(TASK, make_response(), report)
    assert "These checks found nothing: syntax, security." in prompt
    assert "1 of 2 tests passed: test_negative_raises. Keep them passing." in prompt
    assert "| E   assert 15 == 120" in prompt  # the failing test's own traceback tail, under its finding
    assert (
        prompt.count("assert 15 == 120") == 2
    )  # the finding and its traceback; no second "failing tests" entry


def test_failing_tests_no_finding_speaks_for_are_listed_with_their_traceback() -> None:
    case = TestCase(
        name="test_zero",
        classname="test_solution.TestEdges",
        outcome="error",
        message='failed on setup with "RuntimeError: no db"',
        traceback="test_solution.py:4: in db\n    raise RuntimeError('no db')\nE   RuntimeError: no db",
    )
    report = report_of([CRITICAL], tests=TestOutcome(errors=1, cases=[case]))
    prompt = feedback_prompt(TASK, make_response(), report)
    assert "## Failing tests" in prompt
    assert '- TestEdges.test_zero (error): failed on setup with "RuntimeError: no db"' in prompt
    assert "| E   RuntimeError: no db" in prompt


def test_many_passing_tests_are_named_up_to_a_limit() -> None:
    cases = [TestCase(name=f"test_{n}", classname="test_solution", outcome="passed") for n in range(30)]
    report = report_of([CRITICAL], tests=TestOutcome(passed=30, cases=cases))
    prompt = feedback_prompt(TASK, make_response(), report)
    assert "30 of 30 tests passed: test_0, test_1," in prompt and "test_11 and 18 more." in prompt
    assert "test_12" not in prompt


def test_without_execution_the_prompt_says_the_tests_did_not_run() -> None:
    prompt = feedback_prompt(TASK, make_response(), report_of([CRITICAL]))
    assert "The tests were not run (code execution is off)" in prompt


def test_fixable_findings_are_one_line_per_rule() -> None:
    findings = [
        Finding(
            gate="style",
            rule="style.W291",
            severity=Severity.WARNING,
            message="Trailing whitespace",
            line=n,
            fixable=True,
        )
        for n in (3, 7, 9)
    ]
    prompt = feedback_prompt(TASK, make_response(), report_of([CRITICAL, *findings]))
    assert "- [style.W291] 3x on lines 3, 7, 9: Trailing whitespace" in prompt
    assert prompt.count("style.W291") == 1


def test_info_findings_are_not_sent() -> None:
    info = Finding(
        gate="performance", rule="performance.hint", severity=Severity.INFO, message="consider a set"
    )
    prompt = feedback_prompt(TASK, make_response(), report_of([CRITICAL, info]))
    assert "performance.hint" not in prompt


def test_an_unusable_answer_asks_for_every_field() -> None:
    invalid = Finding(
        gate="generation",
        rule="generation.invalid_response",
        severity=Severity.CRITICAL,
        message="The model's answer could not be used",
    )
    prompt = feedback_prompt(TASK, None, report_of([invalid]))
    assert "answer with every field" in prompt
    assert "```python" not in prompt


def test_the_ai_review_and_local_fixes_are_passed_on() -> None:
    review = CodeAnalysisResponse(
        issues=["eval on input"],
        root_causes=["the input is parsed with eval"],
        fixes=[ConcreteFix(location="factorial", change="replace eval('n') with n")],
    )
    prompt = feedback_prompt(
        TASK,
        make_response(),
        report_of([CRITICAL]),
        analysis=review,
        auto_fixes=["code: reformatted with ruff format"],
    )
    assert "## Review of the previous attempt" in prompt
    assert "- [code factorial] replace eval('n') with n" in prompt
    assert "Safe local fixes were already applied to it" in prompt and "ruff format" in prompt


def test_real_failing_tests_reach_the_prompt_with_their_assertion(config: AgentConfig) -> None:
    code = GOOD_CODE.replace("return n * factorial(n - 1)", "return n + factorial(n - 1)")
    report = check(code, GOOD_TESTS, config=config)
    assert report.tests is not None and report.tests.failed == 1
    prompt = feedback_prompt(TASK, make_response(code=code), report)
    assert "Test test_small_values failed" in prompt
    assert "assert 15 == 120" in prompt or "assert 11 == 120" in prompt
    assert "test_negative_raises" in prompt  # named among the tests that passed


def test_the_review_prompt_asks_for_a_review_not_code() -> None:
    prompt = analysis_prompt(TASK, make_response(), report_of([CRITICAL]), attempt=2)
    assert TASK in prompt and "[security.eval]" in prompt
    assert prompt.rstrip().endswith("Do not rewrite the code.")


PARAMETRISED_TESTS = """\
import pytest

from solution import factorial


@pytest.mark.parametrize(("n", "expected"), [(5, 120), (3, 7)])
def test_factorial(n, expected):
    assert factorial(n) == expected
"""


def test_the_retry_prompt_names_the_passing_and_the_failing_test_of_a_real_run(config: AgentConfig) -> None:
    """One passing and one failing test, run for real in the sandbox: the retry names both, by pytest's names."""
    settings = config.model_copy(
        update={
            "max_retries": 1,
            "gates": config.gates.model_copy(update={"enable": ["syntax", "execution"]}),
        }
    )
    backend = ScriptedBackend([make_response(test_code=PARAMETRISED_TESTS), make_response()])
    result = CodeAgent(settings, backend=backend).run(TASK)
    tests = result.attempts[0].report.tests
    assert tests is not None and (tests.passed, tests.failed) == (1, 1)
    retry = backend.calls[1].prompt
    assert "1 of 2 tests passed: test_factorial[5-120]. Keep them passing." in retry
    assert "Test test_factorial[3-7] failed: assert 6 == 7" in retry
    assert "| E   assert 6 == 7" in retry  # its traceback tail, from the structured case


def test_a_gate_can_keep_its_findings_from_the_model() -> None:
    """Any gate may mark findings ``model_hidden``: the prompt says only that the gate failed, once."""
    secret = [
        Finding(
            gate="holdout",
            rule="holdout.case",
            severity=Severity.CRITICAL,
            message=f"case {n} secret_{n}",
            model_hidden=True,
        )
        for n in range(3)
    ]
    hint = Finding(
        gate="holdout",
        rule="holdout.note",
        severity=Severity.INFO,
        message="info secret_i",
        model_hidden=True,
    )
    prompt = feedback_prompt(TASK, make_response(), report_of([*secret, hint, CRITICAL]))
    assert "secret_" not in prompt
    assert prompt.count("The holdout checks failed (what they found is not shown to you).") == 1
    assert "2 critical" in prompt  # the hidden gate counts once, next to the security finding
    assert "[security.eval]" in prompt
