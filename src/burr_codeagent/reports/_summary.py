"""Figures shared by the renderers, computed once from a report or a run."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ..models import AgentResult, Attempt, CheckReport, Finding, Severity

__all__ = [
    "JourneyRow",
    "TimeRow",
    "finding_key",
    "gate_success_rate",
    "gates_clean",
    "journey",
    "line_changes",
    "time_per_action",
]


def gates_clean(report: CheckReport) -> list[str]:
    """Gates that ran and found no critical or warning finding."""
    flagged = {f.gate for f in report.findings if f.severity is not Severity.INFO}
    return [g.name for g in report.gates if g.status == "ok" and g.name not in flagged]


def gate_success_rate(report: CheckReport) -> float | None:
    """Share of the gates that ran which found nothing above info (the original design's success rate)."""
    ran = [g for g in report.gates if g.status != "skipped"]
    if not ran:
        return None
    return len(gates_clean(report)) / len(ran)


def finding_key(f: Finding) -> tuple[str, str, str]:
    """What makes two findings of different attempts "the same problem": rule, target and message.

    Line numbers are left out on purpose: code that moves by a line is not a fix.
    """
    return (f.rule, f.target, f.message)


def line_changes(before: str, after: str) -> tuple[int, int]:
    """Lines added and removed between two versions of a source file (``difflib``, like ``git diff --stat``)."""
    added = removed = 0
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0):
        if line.startswith(("+++", "---", "@@")):
            continue
        if line.startswith("+"):
            added += 1
        elif line.startswith("-"):
            removed += 1
    return added, removed


@dataclass(frozen=True)
class JourneyRow:
    """One attempt of a run, with what changed since the previous one."""

    attempt: Attempt
    best: bool
    tests_passed: int | None
    tests_failed: int | None
    fixed: int
    introduced: int
    lines_added: int
    lines_removed: int
    first: bool

    @property
    def total_findings(self) -> int:
        """Every finding of the attempt."""
        return len(self.attempt.report.findings)

    @property
    def verdict(self) -> str:
        """``passed``, the generation error, or ``not good enough``."""
        if self.attempt.report.passed:
            return "passed"
        return self.attempt.error or "not good enough"

    @property
    def changes(self) -> str:
        """A short account of what changed versus the previous attempt."""
        if self.first:
            return "first attempt"
        parts = [f"{self.fixed} fixed", f"{self.introduced} new"]
        if self.lines_added or self.lines_removed:
            parts.append(f"+{self.lines_added}/-{self.lines_removed} lines")
        else:
            parts.append("code unchanged")
        return ", ".join(parts)


def _source(attempt: Attempt) -> str:
    if attempt.response is None:
        return ""
    return attempt.response.code + "\n" + attempt.response.test_code


def journey(result: AgentResult) -> list[JourneyRow]:
    """One row per attempt: findings, tests, and the findings fixed/introduced and lines changed since the last."""
    rows: list[JourneyRow] = []
    previous: Attempt | None = None
    best_index = result.best.index if result.best else None
    for attempt in result.attempts:
        keys = {finding_key(f) for f in attempt.report.findings}
        before = {finding_key(f) for f in previous.report.findings} if previous else set()
        added, removed = line_changes(_source(previous), _source(attempt)) if previous else (0, 0)
        tests = attempt.report.tests
        rows.append(
            JourneyRow(
                attempt=attempt,
                best=attempt.index == best_index,
                tests_passed=tests.passed if tests else None,
                tests_failed=(tests.failed + tests.errors) if tests else None,
                fixed=len(before - keys),
                introduced=len(keys - before) if previous else len(keys),
                lines_added=added,
                lines_removed=removed,
                first=previous is None,
            )
        )
        previous = attempt
    return rows


@dataclass(frozen=True)
class TimeRow:
    """Seconds one action took in each attempt, with its total and mean."""

    action: str
    seconds: list[float]

    @property
    def total(self) -> float:
        """Seconds over the whole run."""
        return sum(self.seconds)

    @property
    def mean(self) -> float:
        """Mean seconds per call (0 when the action never ran)."""
        return self.total / len(self.seconds) if self.seconds else 0.0


def time_per_action(result: AgentResult) -> list[TimeRow]:
    """Time spent in ``code_generator`` and ``code_checker`` per attempt."""
    m = result.metrics
    return [
        TimeRow("code_generator", list(m.generation_seconds)),
        TimeRow("code_checker", list(m.check_seconds)),
    ]
