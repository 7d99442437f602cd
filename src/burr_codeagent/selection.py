"""Scoring attempts: which one is best, and whether the loop has stopped making progress."""

from __future__ import annotations

from collections.abc import Sequence

from .models import Attempt, Severity

__all__ = ["attempt_score", "best_attempt_index", "no_progress_reason"]


def attempt_score(attempt: Attempt) -> tuple[int, int, int, int]:
    """Lower is better: (did not pass, critical findings, failing tests, warnings)."""
    report = attempt.report
    failing = (report.tests.failed + report.tests.errors) if report.tests else 0
    return (0 if report.passed else 1, report.critical_count, failing, report.warning_count)


def best_attempt_index(attempts: Sequence[Attempt]) -> int | None:
    """Index of the best attempt (the later one wins a tie), or None when there are none."""
    if not attempts:
        return None
    return min(range(len(attempts)), key=lambda i: (attempt_score(attempts[i]), -i))


def _critical_signature(attempt: Attempt) -> frozenset[tuple[str, str, int | None, str]]:
    return frozenset(
        (f.rule, f.target, f.line, f.message) for f in attempt.report.findings if f.severity is Severity.CRITICAL
    )


def no_progress_reason(attempts: Sequence[Attempt]) -> str | None:
    """Why the loop should stop for lack of progress, judged on the last two attempts, or None."""
    if len(attempts) < 2:
        return None
    previous, last = attempts[-2], attempts[-1]
    if previous.response is not None and last.response is not None:
        if (previous.response.code, previous.response.test_code) == (last.response.code, last.response.test_code):
            return f"no_progress: attempt {last.index} repeated the code of attempt {previous.index}"
    signature = _critical_signature(last)
    if signature and signature == _critical_signature(previous):
        return f"no_progress: attempts {previous.index} and {last.index} have the same critical findings"
    return None
