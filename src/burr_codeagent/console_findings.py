"""Findings printed as linters print them (``codeagent check``'s text output and the MCP tools' results).

Kept apart from :mod:`burr_codeagent.console` (the agent's live progress), so printing a check's findings imports
no live display or table, and no rich at all when the text goes to a pipe or a file (:mod:`.console_plain`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .console_plain import escape
from .formatting import plural
from .models import CheckReport, Finding, Severity

if TYPE_CHECKING:
    from .console_plain import MarkupPrinter

__all__ = ["format_finding", "print_findings", "tests_text", "verdict_markup"]

_STYLE = {Severity.CRITICAL: "bold red", Severity.WARNING: "yellow", Severity.INFO: "dim"}


def verdict_markup(report: CheckReport) -> str:
    """The report's verdict in rich markup: passed, not good enough or unverified."""
    if report.unverified:
        return "[yellow]unverified[/]"
    return "[green]passed[/]" if report.passed else "[red]not good enough[/]"


def tests_text(report: CheckReport) -> str:
    """``, tests 3 passed / 1 failed`` when tests ran, else nothing."""
    if report.tests is None:
        return ""
    t = report.tests
    timed_out = ", timed out" if t.timed_out else ""
    return f", tests {t.passed} passed / {t.failed + t.errors} failed{timed_out}"


def format_finding(f: Finding, code_path: str, test_path: str | None) -> str:
    """One finding as a linter prints it: ``path:line:col: rule [severity] message`` (rich markup)."""
    path = test_path if f.target == "tests" and test_path else code_path
    where = f"{path}:{f.line or 1}:{f.column or 1}"
    severity = escape(f"[{f.severity.value}]")
    return f"{escape(where)}: [{_STYLE[f.severity]}]{escape(f.rule)}[/] {severity} {escape(f.message)}"


def print_findings(
    console: MarkupPrinter,
    report: CheckReport,
    code_path: str,
    test_path: str | None,
    *,
    suggestions: bool = False,
    show_info: bool = False,
) -> None:
    """Print findings the way linters do, then a one-line verdict with the skipped and crashed gates.

    Info findings are counted but only printed with ``show_info`` (``-v``): a large file can have thousands.
    """
    shown = [f for f in report.findings if show_info or f.severity is not Severity.INFO]
    lines = []
    # Linters print in file order; the report keeps its severity order.
    for f in sorted(shown, key=lambda f: (f.target != "code", f.line or 0, f.column or 0, f.rule)):
        lines.append(format_finding(f, code_path, test_path))
        if suggestions and f.suggestion:
            lines.append(f"    [dim]suggestion: {escape(f.suggestion)}[/]")
    for f in report.suppressed:
        lines.append(f"[dim]{format_finding(f, code_path, test_path)} (suppressed by # nosec)[/]")
    # One print for all of them (a large file has hundreds: a third of the time of one print per line). Messages
    # quote code and paths, so a `:name:` in them stays text (emoji=False), which also spares rich's emoji table.
    if lines:
        console.print("\n".join(lines), emoji=False)
    skipped = [g.name for g in report.gates if g.status == "skipped"]
    crashed = [g.name for g in report.gates if g.status == "error" and not g.unavailable]
    unavailable = [g.name for g in report.unavailable_gates()]
    tail = f", {report.suppressed_count} suppressed by # nosec" if report.suppressed else ""
    tail += f"; skipped: {', '.join(skipped)}" if skipped else ""
    tail += f"; [red]crashed: {', '.join(crashed)}[/]" if crashed else ""
    tail += f"; [yellow]could not run: {', '.join(unavailable)}[/]" if unavailable else ""
    hidden = " (not shown; -v shows them)" if report.info_count and not show_info else ""
    console.print(
        f"{escape(code_path)}: {verdict_markup(report)}: {report.critical_count} critical, "
        f"{plural(report.warning_count, 'warning')} (threshold {report.warning_threshold}), "
        f"{report.info_count} info{hidden}{tests_text(report)}{tail}",
        emoji=False,
    )
