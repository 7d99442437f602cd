"""Figures shared by the renderers, computed once from a report or a run."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..formatting import gate_result
from ..models import AgentResult, Attempt, CheckReport, Finding, GateRun, Severity, TestCase

__all__ = [
    "JourneyRow",
    "TimeRow",
    "changed_findings",
    "finding_key",
    "gate_status",
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


def gate_status(report: CheckReport, run: GateRun) -> str:
    """:func:`~burr_codeagent.formatting.gate_result` of one gate of ``report``."""
    return gate_result(run, [f for f in report.findings if f.gate == run.name])


def gate_success_rate(report: CheckReport) -> float | None:
    """Share of the gates that ran which found nothing above info (the original design's "success rate").

    Reports call it the share of clean gates: it says nothing about whether the run passed.
    """
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
    """One attempt of a run, with what changed since the previous one: which findings went away, which are new."""

    attempt: Attempt
    best: bool
    tests_passed: int | None
    tests_failed: int | None
    fixed_findings: list[Finding]
    new_findings: list[Finding]
    lines_added: int
    lines_removed: int
    first: bool

    @property
    def fixed(self) -> int:
        """How many findings of the previous attempt this one no longer has."""
        return len(self.fixed_findings)

    @property
    def introduced(self) -> int:
        """How many findings this attempt has that the previous one did not."""
        return len(self.new_findings)

    @property
    def total_findings(self) -> int:
        """Every finding of the attempt."""
        return len(self.attempt.report.findings)

    @property
    def failing_tests(self) -> list[TestCase]:
        """The attempt's tests that failed or errored."""
        return self.attempt.report.tests.failures() if self.attempt.report.tests else []

    @property
    def auto_fix_changes(self) -> tuple[list[Finding], list[Finding]]:
        """``(fixed, new)`` findings of the local auto-fix: the model's answer versus the fixed code."""
        before = self.attempt.report_before_auto_fix
        if before is None:
            return [], []
        return changed_findings(before.findings, self.attempt.report.findings)

    @property
    def verdict(self) -> str:
        """``passed``, ``unverified`` (a gate could not run), the generation error, or ``not good enough``."""
        if self.attempt.report.passed:
            return "passed"
        if self.attempt.report.unverified:
            return (
                "unverified (a gate could not run: "
                + ", ".join(g.name for g in self.attempt.report.unavailable_gates())
                + ")"
            )
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


def changed_findings(
    before: Sequence[Finding], after: Sequence[Finding]
) -> tuple[list[Finding], list[Finding]]:
    """``(fixed, new)``: findings of ``before`` that ``after`` no longer has, and those only ``after`` has.

    Findings are matched by :func:`finding_key` (rule, file and message), each occurrence counted: an attempt with
    two of a finding where the previous had three fixed one of them.
    """
    remaining = Counter(finding_key(f) for f in after)
    fixed = []
    for f in before:
        if remaining[finding_key(f)] > 0:
            remaining[finding_key(f)] -= 1
        else:
            fixed.append(f)
    previous = Counter(finding_key(f) for f in before)
    new = []
    for f in after:
        if previous[finding_key(f)] > 0:
            previous[finding_key(f)] -= 1
        else:
            new.append(f)
    return fixed, new


def _source(attempt: Attempt) -> str:
    if attempt.response is None:
        return ""
    return attempt.response.code + "\n" + attempt.response.test_code


def journey(result: AgentResult) -> list[JourneyRow]:
    """One row per attempt: findings, tests, and the findings fixed/introduced and lines changed since the last.

    An attempt is compared with the previous attempt as it was finally checked (after any auto-fix); the first
    attempt's findings all count as new.
    """
    rows: list[JourneyRow] = []
    previous: Attempt | None = None
    best_index = result.best.index if result.best else None
    for attempt in result.attempts:
        fixed, new = changed_findings(previous.report.findings if previous else [], attempt.report.findings)
        added, removed = line_changes(_source(previous), _source(attempt)) if previous else (0, 0)
        tests = attempt.report.tests
        rows.append(
            JourneyRow(
                attempt=attempt,
                best=attempt.index == best_index,
                tests_passed=tests.passed if tests else None,
                tests_failed=(tests.failed + tests.errors) if tests else None,
                fixed_findings=fixed,
                new_findings=new,
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
