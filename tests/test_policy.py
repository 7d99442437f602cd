"""The stop policy: scoring attempts, picking the best, budgets, and detecting a loop that stopped making progress."""

from __future__ import annotations

from burr_codeagent import (
    AgentConfig,
    Attempt,
    CheckReport,
    Finding,
    PythonCodeGenerationResponse,
    Severity,
    TestOutcome,
)
from burr_codeagent.models import Usage
from burr_codeagent.policy import (
    attempt_score,
    best_attempt_index,
    budget_reason,
    decide,
    is_worse,
    no_progress_reason,
)

from .conftest import make_response


def finding(severity: Severity, rule: str = "gate.rule", line: int = 1) -> Finding:
    return Finding(
        gate=rule.split(".")[0], rule=rule, severity=severity, message=f"{rule} problem", line=line
    )


def attempt(
    index: int,
    *findings: Finding,
    tests: TestOutcome | None = None,
    response: PythonCodeGenerationResponse | None = None,
    code: str | None = None,
) -> Attempt:
    report = CheckReport.from_findings(
        list(findings), gates=[], tests=tests, seconds=0.0, warning_threshold=1
    )
    if response is None and code is not None:
        response = make_response(code=code)
    return Attempt(index=index, response=response or make_response(code=f"# {index}\n"), report=report)


def test_fewer_critical_findings_beat_fewer_warnings() -> None:
    critical = attempt(1, finding(Severity.CRITICAL))
    noisy = attempt(2, *(finding(Severity.WARNING, f"w.r{n}") for n in range(4)))
    assert best_attempt_index([critical, noisy]) == 1


def test_failing_tests_break_a_tie_on_critical_findings() -> None:
    two_failing = attempt(1, finding(Severity.CRITICAL), tests=TestOutcome(passed=1, failed=2))
    one_failing = attempt(2, finding(Severity.CRITICAL), tests=TestOutcome(passed=2, failed=1))
    assert best_attempt_index([one_failing, two_failing]) == 0


def test_a_regression_does_not_replace_the_better_earlier_attempt() -> None:
    good_ish = attempt(1, finding(Severity.WARNING), finding(Severity.WARNING, "w.other"))
    worse = attempt(2, finding(Severity.CRITICAL), finding(Severity.CRITICAL, "c.other"))
    assert best_attempt_index([good_ish, worse]) == 0


def test_an_unusable_answer_is_worse_than_any_code() -> None:
    unusable = Attempt(
        index=2,
        response=None,
        report=CheckReport.from_findings(
            [finding(Severity.CRITICAL)], gates=[], tests=None, seconds=0.0, warning_threshold=1
        ),
    )
    bad_code = attempt(1, *(finding(Severity.CRITICAL, f"c.r{n}") for n in range(5)))
    assert attempt_score(unusable) > attempt_score(bad_code)
    assert best_attempt_index([bad_code, unusable]) == 0


def test_the_later_attempt_wins_a_tie_and_no_attempts_have_no_best() -> None:
    assert best_attempt_index([attempt(1), attempt(2)]) == 1
    assert best_attempt_index([]) is None


def test_is_worse_counts_lost_passing_tests() -> None:
    before = attempt(1, tests=TestOutcome(passed=3)).report
    after = attempt(1, tests=TestOutcome(passed=2)).report
    assert is_worse(after, before)
    assert not is_worse(before, after)


def test_identical_code_twice_is_no_progress() -> None:
    reason = no_progress_reason([attempt(1, code="x = 1\n"), attempt(2, code="x = 1\n")])
    assert reason == "no_progress: attempt 2 repeated the code of attempt 1"


def test_the_same_critical_findings_twice_running_is_no_progress() -> None:
    same = finding(Severity.CRITICAL, "security.eval", line=4)
    reason = no_progress_reason([attempt(1, same), attempt(2, same)])
    assert reason == "no_progress: attempts 1 and 2 have the same critical findings"


def test_changed_findings_or_a_single_attempt_are_progress() -> None:
    assert no_progress_reason([attempt(1, finding(Severity.CRITICAL))]) is None
    moved = [attempt(1, finding(Severity.CRITICAL, line=2)), attempt(2, finding(Severity.CRITICAL, line=3))]
    assert no_progress_reason(moved) is None
    warnings_only = [attempt(1, finding(Severity.WARNING)), attempt(2, finding(Severity.WARNING))]
    assert no_progress_reason(warnings_only) is None


def settings(**changes: object) -> AgentConfig:
    return AgentConfig(tracking=False).model_copy(update=changes)


def test_decide_stops_on_a_pass_first_then_retries_then_budget_then_no_progress() -> None:
    same = [attempt(1, finding(Severity.CRITICAL)), attempt(2, finding(Severity.CRITICAL))]
    spent = Usage(input_tokens=900, output_tokens=100)
    passed = attempt(1, tests=TestOutcome(passed=1))
    assert decide([passed], retries=9, spent=spent, config=settings(max_total_tokens=1), model=None) == (
        False,
        "passed",
    )
    out_of_retries = decide(same, retries=5, spent=spent, config=settings(max_total_tokens=1), model=None)
    assert out_of_retries == (True, "max_retries: 2 attempts, none passed")
    over_budget = decide(same, retries=1, spent=spent, config=settings(max_total_tokens=1000), model=None)
    assert over_budget.stop_reason == "token_budget: 1000 tokens used of 1000"
    stuck = decide(same, retries=1, spent=spent, config=settings(), model=None)
    assert stuck.stop_reason == "no_progress: attempts 1 and 2 have the same critical findings"
    keep_going = decide(same, retries=1, spent=spent, config=settings(stop_on_no_progress=False), model=None)
    assert keep_going == (True, None)


def test_the_cost_budget_counts_cached_tokens_at_their_price_and_needs_a_known_model() -> None:
    # claude-3-5-haiku: $0.80 per million input tokens; cache reads cost 10 % of that.
    cached = Usage(input_tokens=1_000_000, cache_read_tokens=1_000_000)
    assert budget_reason(cached, settings(max_cost_usd=0.08), "claude-3-5-haiku") == (
        "cost_budget: $0.0800 estimated of $0.0800"
    )
    assert budget_reason(cached, settings(max_cost_usd=0.09), "claude-3-5-haiku") is None
    assert budget_reason(cached, settings(max_cost_usd=0.0), "my-local-model") is None
