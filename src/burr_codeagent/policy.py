"""The agent's policy: how attempts are scored, which one is best, and when the loop stops.

After every check :func:`decide` says whether to stop: the attempt passed, the retries are used up, the token or
cost budget is spent, or the loop makes no progress (:func:`no_progress_reason`).

An attempt's score is a tuple compared left to right, lower is better:

1. no usable answer at all (an unparseable response is worse than any code),
2. did not pass,
3. critical findings,
4. failing tests (failed + errors, or one for a timed-out run),
5. warnings (as the verdict counts them),
6. fewer passing tests is worse.

A later attempt wins a tie, since it was written with more feedback.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from .models import Attempt, CheckReport, Severity, Usage
from .pricing import estimate_cost

if TYPE_CHECKING:
    from .config import AgentConfig

__all__ = [
    "AttemptScore",
    "Decision",
    "attempt_score",
    "best_attempt_index",
    "budget_reason",
    "decide",
    "is_worse",
    "no_progress_reason",
]

AttemptScore = tuple[int, int, int, int, int, int]


def failing_tests(report: CheckReport) -> int:
    """Tests that failed or errored; a timed-out run counts as at least one failure."""
    tests = report.tests
    if tests is None:
        return 0
    return max(tests.failed + tests.errors, 1 if tests.timed_out else 0)


def report_score(report: CheckReport, *, has_response: bool = True) -> AttemptScore:
    """The score of one check report (see the module docstring); lower is better."""
    passing = report.tests.passed if report.tests is not None else 0
    return (
        0 if has_response else 1,
        0 if report.passed else 1,
        report.critical_count,
        failing_tests(report),
        report.warning_count,
        -passing,
    )


def attempt_score(attempt: Attempt) -> AttemptScore:
    """Lower is better: (no answer, did not pass, critical findings, failing tests, warnings, -passing tests)."""
    return report_score(attempt.report, has_response=attempt.response is not None)


def is_worse(candidate: CheckReport, original: CheckReport) -> bool:
    """Whether ``candidate`` scores worse than ``original`` (used to reject an auto-fix that broke something)."""
    return report_score(candidate) > report_score(original)


def best_attempt_index(attempts: Sequence[Attempt]) -> int | None:
    """Index (0-based) of the best attempt, the later one winning a tie, or None when there are none."""
    if not attempts:
        return None
    return min(range(len(attempts)), key=lambda i: (attempt_score(attempts[i]), -i))


def _critical_signature(attempt: Attempt) -> frozenset[tuple[str, str, int | None, str]]:
    return frozenset(
        (f.rule, f.target, f.line, f.message)
        for f in attempt.report.findings
        if f.severity is Severity.CRITICAL
    )


def _same_answer(previous: Attempt, last: Attempt) -> bool:
    before, after = previous.response, last.response
    return (
        before is not None
        and after is not None
        and (before.code, before.test_code) == (after.code, after.test_code)
    )


def no_progress_reason(attempts: Sequence[Attempt]) -> str | None:
    """Why the loop should stop for lack of progress, judged on the last two attempts, or None.

    Two cases: the model returned the same code and tests again, or the last two attempts have exactly the same
    critical findings (same rule, place and message), i.e. the feedback on them was ignored. An attempt with an
    edit that could not be applied is neither: the next prompt tells the model which edit failed and why.
    """
    if len(attempts) < 2:
        return None
    previous, last = attempts[-2], attempts[-1]
    if any(not edit.applied for edit in last.edits):
        return None
    if _same_answer(previous, last):
        return f"no_progress: attempt {last.index} repeated the code of attempt {previous.index}"
    signature = _critical_signature(last)
    if signature and signature == _critical_signature(previous):
        return f"no_progress: attempts {previous.index} and {last.index} have the same critical findings"
    return None


def budget_reason(spent: Usage, config: AgentConfig, model: str | None) -> str | None:
    """Why the token or cost budget stops the run (``spent`` includes AI analysis), or None."""
    used = spent.total_tokens
    if config.max_total_tokens is not None and used >= config.max_total_tokens:
        return f"token_budget: {used} tokens used of {config.max_total_tokens}"
    if config.max_cost_usd is not None:
        cost = estimate_cost(model, spent, config.prices)
        if cost is not None and cost >= config.max_cost_usd:
            return f"cost_budget: ${cost:.4f} estimated of ${config.max_cost_usd:.4f}"
    return None


class Decision(NamedTuple):
    """What to do after an attempt: ``stop_reason`` None means retry."""

    not_good_enough: bool
    stop_reason: str | None


def decide(
    attempts: Sequence[Attempt], *, retries: int, spent: Usage, config: AgentConfig, model: str | None
) -> Decision:
    """Whether to stop after the last of ``attempts``, ``retries`` regenerations and ``spent`` tokens in.

    In order: the attempt passed; its check stayed unverified (a gate could not run, the model has nothing to
    fix); the retries are used up; a budget is spent; no progress (identical code, or the
    same critical findings twice running; unless ``stop_on_no_progress`` is off).
    """
    report = attempts[-1].report
    if report.passed:
        return Decision(False, "passed")
    if (
        report.unverified
    ):  # the checker already ran it twice; a fix from the model would answer no real problem
        gates = ", ".join(g.name for g in report.unavailable_gates())
        return Decision(
            True, f"unverified: the {gates} gate could not run; the code was neither passed nor failed"
        )
    if retries >= config.max_retries:
        return Decision(True, f"max_retries: {len(attempts)} attempts, none passed")
    budget = budget_reason(spent, config, model)
    if budget is not None:
        return Decision(True, budget)
    if config.stop_on_no_progress:
        return Decision(True, no_progress_reason(attempts[-2:]))
    return Decision(True, None)
