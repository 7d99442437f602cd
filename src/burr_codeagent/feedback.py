"""The targeted feedback prompt of a retry, built to a size budget.

A retry prompt says, in this order: the task (always), how the attempt fared, what already works (so the model
does not break it), the critical findings and the warnings grouped by gate, each with its rule id, line, message
and suggestion and the offending lines quoted with a ``>>`` marker, the failing tests with a capped tail of their
output, the optional AI review, and the previous code and tests to edit.

When the parts do not all fit in ``max_chars`` the most important are kept: critical findings first, then the
failing tests, the review, the first warnings of every gate, the previous code, the remaining warnings, the
previous tests; the prompt says what was left out. Findings a formatter repairs (``fixable``) come last, one line
per rule: with the local auto-fix on, those it repaired are gone from the report before the prompt is built, so
only the ones it could not repair are sent. Info findings never count against an attempt and are not sent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from .code_view import show_source
from .models import CheckReport, Finding, PythonCodeGenerationResponse, Severity, TestCase, TestOutcome
from .review import CodeAnalysisResponse, render_analysis

__all__ = [
    "CLOSING",
    "FeedbackOptions",
    "acceptance_block",
    "build_feedback",
    "hide_from_model",
    "quote_lines",
]

WARNINGS_FIRST_PER_GATE = 3
"""Warnings of each gate kept ahead of the previous code; the rest come after it."""

QUOTE_MAX_LINES = 3
QUOTE_MAX_WIDTH = 160
OUTPUT_TAIL_MAX = 1_500
CLOSING = (
    "Fix every critical problem, bring the warnings within the limit, and keep what already works.\n\n"
    "How to answer: for local fixes give `edits`, a list of "
    '{"target": "code" or "tests", "search": "...", "replace": "..."}. Copy each search text exactly from the '
    "previous version above, without the line numbers and their ` | `; it must occur exactly once in its target, "
    "so include a neighbouring line when a line repeats. Edits apply in order; one that does not match is not "
    "applied and you will be told. Send a complete `code` and/or `test_code` instead only when most of it "
    "changes."
)
WHOLE_CLOSING = (
    "Return the complete corrected module and tests. Fix every critical problem, bring the warnings within "
    "the limit, and keep what already works."
)
FINDINGS_MIN = 2_000
"""Characters the findings always get, however small the budget and however large the previous code."""
SOURCE_SHARE = 0.75
"""At most this share of the budget goes to the previous code and tests; the findings always get the rest."""
PASSING_NAMES_MAX = 12
TRACEBACK_TAIL_MAX = 700

# Keep order (lower first) of the parts of the prompt when it must be cut.
(
    P_CRITICAL,
    P_FAILING,
    P_ANALYSIS,
    P_OUTPUT,
    P_WARNING_FIRST,
    P_KEEP,
    P_CODE,
    P_WARNING_REST,
    P_TESTS,
    P_FIXABLE,
) = range(1, 11)

Section = Literal["keep", "critical", "failing", "warning", "fixable", "analysis", "code", "tests"]
_SECTION_ORDER: tuple[Section, ...] = (
    "keep",
    "critical",
    "failing",
    "warning",
    "fixable",
    "analysis",
    "code",
    "tests",
)
_SECTION_TITLES: dict[Section, str] = {
    "keep": "What already works (keep it working)",
    "critical": "Critical problems, each one fails the attempt",
    "failing": "Failing tests",
    "warning": "Warnings",
    "fixable": "Formatting (a formatter fixes these)",
    "analysis": "Review of the previous attempt",
    "code": "Your previous code (module `{module}`; line numbers as the findings use them, not part of the code)",
    "tests": "Your previous tests (numbered the same way)",
}


@dataclass(frozen=True)
class FeedbackOptions:
    """How the feedback is built.

    Attributes:
        max_chars: Size cap of the whole prompt.
        warning_threshold: Warnings an attempt may have and still pass (shown to the model).
        attempt: The number of the attempt the feedback is about.
        acceptance_visibility: What the model sees of the user's acceptance tests: their source and failures
            (``verbatim``), their failures (``failures``) or only that one failed (``none``; the acceptance gate
            marks its findings ``model_hidden`` then, see :func:`hide_from_model`).
        acceptance_tests: The acceptance tests' source, shown when ``acceptance_visibility`` is ``verbatim``.
    """

    max_chars: int = 8_000
    module: str = "solution"
    edit_failures: str = ""
    warning_threshold: int = 5
    attempt: int | None = None
    acceptance_visibility: Literal["verbatim", "failures", "none"] = "failures"
    acceptance_tests: str | None = None


@dataclass(frozen=True)
class _Item:
    section: Section
    priority: int
    order: int
    text: str
    group: str = ""
    finding: Finding | None = None


def quote_lines(source: str, finding: Finding) -> str:
    """The lines a finding points at, each marked ``>>  14 | code`` (at most three, long lines shortened)."""
    if finding.line is None or finding.line < 1:
        return ""
    lines = source.splitlines()
    if finding.line > len(lines):
        return ""
    last = max(finding.end_line or finding.line, finding.line)
    last = min(last, finding.line + QUOTE_MAX_LINES - 1, len(lines))
    width = len(str(last))
    quoted = []
    for number in range(finding.line, last + 1):
        text = lines[number - 1].rstrip()
        if len(text) > QUOTE_MAX_WIDTH:
            text = text[: QUOTE_MAX_WIDTH - 3] + "..."
        quoted.append(f"    >> {number:>{width}} | {text}")
    return "\n".join(quoted)


Cases = Mapping[str, TestCase]
"""The tests of the report's test run by node id, for findings that name one (``Finding.test_id``)."""


def _cases(report: CheckReport) -> dict[str, TestCase]:
    return {case.nodeid: case for case in report.tests.cases} if report.tests is not None else {}


def _describe(finding: Finding, previous: PythonCodeGenerationResponse | None, cases: Cases) -> str:
    where = f"{finding.target} line {finding.line}" if finding.line else finding.target
    text = f"- [{finding.rule}] {where}: {finding.message.strip()}"
    if finding.suggestion:
        text += f"\n    Fix: {finding.suggestion.strip()}"
    case = cases.get(finding.test_id) if finding.test_id else None
    if case is not None and case.traceback:
        return text + "\n" + _traceback_block(case)
    if previous is not None:
        quoted = quote_lines(previous.code if finding.target == "code" else previous.test_code, finding)
        if quoted:
            text += "\n" + quoted
    return text


def _traceback_block(case: TestCase) -> str:
    tail = _tail(case.traceback, TRACEBACK_TAIL_MAX)
    return "    Traceback (tail):\n" + "\n".join(f"    | {line}" for line in tail.splitlines())


def _tail(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text.strip()
    tail = text[-limit:]
    newline = tail.find("\n")
    return ("..." + tail[newline:] if 0 <= newline < limit // 2 else "..." + tail).strip()


def _keep_items(report: CheckReport, test_code: str) -> list[str]:
    flagged = {f.gate for f in report.findings if f.severity is not Severity.INFO}
    clean = [g.name for g in report.gates if g.status == "ok" and g.name not in flagged]
    items = []
    if clean:
        items.append(f"- These checks found nothing: {', '.join(clean)}. Keep them that way.")
    tests = report.tests
    if tests is not None and tests.passed:
        names = [case.label for case in tests.passing()]
        more = tests.passed - min(len(names), PASSING_NAMES_MAX)
        shown = (
            f": {', '.join(names[:PASSING_NAMES_MAX])}{f' and {more} more' if more > 0 else ''}"
            if names
            else ""
        )
        total = tests.passed + tests.failed + tests.errors
        items.append(f"- {tests.passed} of {total} tests passed{shown}. Keep them passing.")
    elif tests is None and test_code.strip():
        items.append("- The tests were not run (code execution is off): make sure they would pass.")
    return items


def _status_line(report: CheckReport, tests: TestOutcome | None, attempt: int | None) -> str:
    which = f"Your previous answer (attempt {attempt})" if attempt else "Your previous answer"
    parts = [
        f"{report.critical_count} critical",
        f"{report.warning_count} warnings (at most {report.warning_threshold})",
    ]
    if tests is not None:
        failed = tests.failed + tests.errors
        parts.append(
            "tests timed out" if tests.timed_out else f"{failed} failing and {tests.passed} passing tests"
        )
    return f"{which} did not pass the quality checks: {', '.join(parts)}."


def _finding_items(report: CheckReport, previous: PythonCodeGenerationResponse | None) -> list[_Item]:
    cases = _cases(report)
    items: list[_Item] = []
    order = 0
    for finding in report.by_severity(Severity.CRITICAL):
        order += 1
        items.append(
            _Item("critical", P_CRITICAL, order, _describe(finding, previous, cases), finding.gate, finding)
        )
    per_gate: Counter[str] = Counter()
    warnings = sorted(
        (f for f in report.by_severity(Severity.WARNING) if not f.fixable),
        key=lambda f: (f.gate, f.target, f.line or 0),
    )
    for finding in warnings:
        order += 1
        per_gate[finding.gate] += 1
        priority = P_WARNING_FIRST if per_gate[finding.gate] <= WARNINGS_FIRST_PER_GATE else P_WARNING_REST
        items.append(
            _Item("warning", priority, order, _describe(finding, previous, cases), finding.gate, finding)
        )
    return items


def _fixable_items(report: CheckReport) -> list[_Item]:
    by_rule: dict[str, list[Finding]] = {}
    for finding in report.findings:
        if finding.fixable and finding.severity is not Severity.INFO:
            by_rule.setdefault(finding.rule, []).append(finding)
    items = []
    for number, (rule, found) in enumerate(sorted(by_rule.items()), start=1):
        lines = sorted({f.line for f in found if f.line})
        where = (
            f" on lines {', '.join(map(str, lines[:10]))}{' ...' if len(lines) > 10 else ''}" if lines else ""
        )
        items.append(
            _Item("fixable", P_FIXABLE, number, f"- [{rule}] {len(found)}x{where}: {found[0].message}")
        )
    return items


def _test_items(report: CheckReport, max_chars: int) -> list[_Item]:
    """Failing tests no finding speaks for (each with its traceback tail), a timeout, else pytest's output."""
    tests = report.tests
    if tests is None or tests.succeeded:
        return []
    items: list[_Item] = []
    mentioned = {f.test_id for f in report.findings if f.test_id}
    failures = tests.failures()
    for number, case in enumerate((c for c in failures if c.nodeid not in mentioned), start=1):
        reason = case.message.strip().splitlines()[0] if case.message.strip() else case.outcome
        text = f"- {case.label} ({case.outcome}): {reason}"
        items.append(
            _Item(
                "failing", P_FAILING, number, text + (f"\n{_traceback_block(case)}" if case.traceback else "")
            )
        )
    if tests.timed_out and not any(f.rule.endswith(".timeout") for f in report.findings):
        items.append(
            _Item("failing", P_FAILING, 0, "- The test run timed out: look for endless loops or slow code.")
        )
    # Code that does not compile makes every test fail at import: the syntax finding already says where.
    does_not_compile = any(f.rule == "syntax.error" and f.target == "code" for f in report.findings)
    if not failures and tests.output.strip() and not does_not_compile:  # nothing names what went wrong
        tail = _tail(tests.output, min(OUTPUT_TAIL_MAX, max_chars // 6))
        items.append(_Item("failing", P_OUTPUT, 1_000, f"Test output (tail):\n```text\n{tail}\n```"))
    return items


def _code_block(source: str) -> str:
    return f"```python\n{source.rstrip()}\n```"


def _render(head: str, items: Sequence[_Item], omitted_note: str, tail: str) -> str:
    parts = [head]
    for section in _SECTION_ORDER:
        chosen = sorted((i for i in items if i.section == section), key=lambda i: i.order)
        if not chosen:
            continue
        title = _SECTION_TITLES[section]
        if section in ("critical", "warning"):
            title += f" ({len(chosen)})"
        block = [f"## {title}"]
        group = None
        for item in chosen:
            if section in ("critical", "warning") and item.group != group:
                group = item.group
                block.append(f"### {group}")
            block.append(item.text)
        parts.append("\n".join(block))
    if omitted_note:
        parts.append(omitted_note)
    parts.append(tail)
    return "\n\n".join(parts)


def _omitted_note(omitted: Sequence[_Item]) -> str:
    if not omitted:
        return ""
    findings = Counter((i.finding.severity.value, i.finding.gate) for i in omitted if i.finding is not None)
    pieces = [
        f"{count} {severity} finding{'s' if count != 1 else ''} from {gate}"
        for (severity, gate), count in sorted(findings.items())
    ]
    sections = dict.fromkeys(
        _SECTION_TITLES[i.section].split(" (")[0].lower() for i in omitted if i.finding is None
    )
    pieces += list(sections)
    return f"(Left out to keep this prompt short: {'; '.join(pieces)}.)"


def build_feedback(
    task: str,
    previous: PythonCodeGenerationResponse | None,
    report: CheckReport,
    *,
    options: FeedbackOptions | None = None,
    analysis: CodeAnalysisResponse | None = None,
    auto_fixes: Sequence[str] = (),
    closing: str = CLOSING,
) -> str:
    """The prompt of a retry about ``previous`` and its ``report``, at most ``options.max_chars`` characters.

    The task, the verdict and the ``closing`` instruction are always present; the rest is kept by importance.
    """
    options = options or FeedbackOptions()
    report = hide_from_model(report)
    head_lines = [f"Task:\n{task.strip()}", _status_line(report, report.tests, options.attempt)]
    if options.acceptance_visibility == "verbatim" and options.acceptance_tests:
        head_lines.append(acceptance_block(options.acceptance_tests))
    if auto_fixes:
        head_lines.append(
            "Safe local fixes were already applied to it (the code below includes them): "
            + "; ".join(auto_fixes)
        )
    if previous is None:
        head_lines.append(
            "It could not be used; answer with every field of the requested structure filled in."
        )
    if options.edit_failures:
        head_lines.append(options.edit_failures)
    head = "\n\n".join(head_lines)
    test_code = previous.test_code if previous is not None else ""
    items = [_Item("keep", P_KEEP, n, text) for n, text in enumerate(_keep_items(report, test_code))]
    items += _finding_items(report, previous)
    items += _test_items(report, options.max_chars)
    items += _fixable_items(report)
    if analysis is not None:
        text = render_analysis(analysis)
        if text:
            items.append(_Item("analysis", P_ANALYSIS, 0, text))
    sources = _sources(previous, report, options, room=options.max_chars - len(head) - len(closing))
    tail = "\n\n".join([*sources, closing])
    # The sources always go out; the findings get what is left of the budget, and never less than FINDINGS_MIN.
    return _fit(head, items, tail, max(options.max_chars, len(head) + len(tail) + FINDINGS_MIN))


def _marked(report: CheckReport, target: str) -> set[int]:
    lines: set[int] = set()
    for finding in report.findings:
        if finding.target == target and finding.line and finding.severity is not Severity.INFO:
            lines.update(range(finding.line, max(finding.end_line or finding.line, finding.line) + 1))
    return lines


def _sources(
    previous: PythonCodeGenerationResponse | None, report: CheckReport, options: FeedbackOptions, room: int
) -> list[str]:
    """The previous code and tests, numbered, always sent; only text larger than its share of ``room`` is cut
    (blocks with findings stay whole, see :mod:`burr_codeagent.code_view`)."""
    if previous is None:
        return []
    texts = [("code", previous.code), ("tests", previous.test_code)]
    texts = [(target, text) for target, text in texts if text.strip()]
    budget = max(int(room * SOURCE_SHARE), 1_000)
    total = sum(len(text) * 1.1 for _, text in texts) or 1.0
    sections = []
    for target, text in texts:
        share = int(budget * len(text) * 1.1 / total)
        shown = show_source(text, _marked(report, target), max_chars=share)
        title = _SECTION_TITLES["code" if target == "code" else "tests"].replace("{module}", options.module)
        sections.append(f"## {title}\n```text\n{shown}\n```")
    return sections


def acceptance_block(source: str) -> str:
    """The user's acceptance tests as shown to the model when their visibility is ``verbatim``."""
    return (
        "Acceptance tests the code must pass (the user's, run as `test_acceptance.py`, importing from "
        f"`solution`):\n{_code_block(source)}"
    )


def hide_from_model(report: CheckReport) -> CheckReport:
    """The findings a gate keeps from the model (``model_hidden``) become one per gate saying only that it failed.

    The acceptance gate hides its findings this way when ``acceptance_tests_visibility`` is ``none``; the reports
    still show them.
    """
    hidden = [f for f in report.findings if f.model_hidden]
    if not hidden:
        return report
    summaries = []
    for gate in dict.fromkeys(f.gate for f in hidden if f.severity is not Severity.INFO):
        severities = {f.severity for f in hidden if f.gate == gate}
        summaries.append(
            Finding(
                gate=gate,
                rule=f"{gate}.hidden",
                severity=Severity.CRITICAL if Severity.CRITICAL in severities else Severity.WARNING,
                message=f"The {gate} checks failed (what they found is not shown to you).",
                suggestion="Re-read the task and make the code do everything it asks, edge cases and errors "
                "included.",
            )
        )
    return CheckReport.from_findings(
        [*summaries, *(f for f in report.findings if not f.model_hidden)],
        gates=report.gates,
        tests=report.tests,
        seconds=report.seconds,
        warning_threshold=report.warning_threshold,
    )


def _fit(head: str, items: list[_Item], closing: str, max_chars: int) -> str:
    """Keep items by priority while the rendered prompt fits; report what was left out."""
    ranked = sorted(items, key=lambda i: (i.priority, i.order))
    kept: list[_Item] = []
    omitted: list[_Item] = []
    for item in ranked:
        trial = [*kept, item]
        if len(_render(head, trial, _omitted_note([*omitted, *_later(ranked, item)]), closing)) <= max_chars:
            kept.append(item)
        else:
            omitted.append(item)
    text = _render(head, kept, _omitted_note(omitted), closing)
    if len(text) > max_chars:  # the task itself is longer than the budget: the task still goes out whole
        return _render(head, [], "", closing)
    return text


def _later(ranked: list[_Item], item: _Item) -> list[_Item]:
    """The items ranked after ``item``: assumed omitted while sizing, so the note's space is reserved."""
    return ranked[ranked.index(item) + 1 :]
