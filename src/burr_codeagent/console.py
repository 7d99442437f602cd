"""What the CLI prints: progress lines during a run, linter-style findings, summaries."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .events import AgentEvent
from .models import AgentResult, CheckReport, GateRun, Severity

__all__ = ["ProgressPrinter", "print_findings", "summary_table"]

_STYLE = {Severity.CRITICAL: "bold red", Severity.WARNING: "yellow", Severity.INFO: "dim"}


class ProgressPrinter:
    """A listener that prints one line per step of a run."""

    def __init__(self, console: Console, *, quiet: bool = False, verbose: bool = False, max_attempts: int = 6):
        self.console = console
        self.quiet = quiet
        self.verbose = verbose
        self.max_attempts = max_attempts

    def start(self, name: str, task: str) -> None:
        """Announce a task."""
        if not self.quiet:
            first = task.strip().splitlines()[0] if task.strip() else ""
            self.console.print(f"[bold]▶ {escape(name)}[/]: {escape(first)}")

    def __call__(self, event: AgentEvent) -> None:
        if self.quiet:
            return
        n = f"attempt {event.attempt}/{self.max_attempts}" if event.attempt else ""
        if event.kind == "attempt_started":
            self.console.print(f"  {n}: generating…")
        elif event.kind == "generation_finished":
            usage = event.data["usage"]
            self.console.print(
                f"  {n}: generated in {event.data['seconds']:.1f}s "
                f"({usage.input_tokens} in / {usage.output_tokens} out tokens)"
            )
        elif event.kind == "generation_failed":
            self.console.print(f"  {n}: [red]generation failed[/]: {escape(event.data['error'])}")
        elif event.kind == "gate_finished" and self.verbose:
            run: GateRun = event.data["gate"]
            self.console.print(f"    gate {run.name}: {run.status}, {len(event.data['findings'])} finding(s)")
        elif event.kind == "check_finished":
            report: CheckReport = event.data["report"]
            verdict = "[green]passed[/]" if report.passed else "[red]not good enough[/]"
            tests = ""
            if report.tests is not None:
                tests = f", tests {report.tests.passed} passed / {report.tests.failed + report.tests.errors} failed"
            self.console.print(
                f"  {n}: {verdict}: {report.critical_count} critical, {report.warning_count} warnings{tests}"
            )

    def finish(self, result: AgentResult) -> None:
        """Summarise a finished run."""
        verdict = "[bold green]PASSED[/]" if result.passed else "[bold red]NOT GOOD ENOUGH[/]"
        best = result.best.index if result.best else "-"
        m = result.metrics
        cost = f", ~${m.estimated_cost_usd:.4f}" if m.estimated_cost_usd is not None else ""
        self.console.print(
            f"{verdict} after {len(result.attempts)} attempt(s), best #{best} ({escape(result.stop_reason)}); "
            f"{m.total_tokens} tokens in {m.api_calls} call(s){cost}, {m.wall_seconds:.1f}s"
        )
        for name, path in result.report_paths.items():
            self.console.print(f"  {name} report: {path}")


def print_findings(console: Console, report: CheckReport, code_path: str, test_path: str | None) -> None:
    """Print findings the way linters do: ``path:line:col: rule [severity] message``."""
    for f in report.findings:
        path = test_path if f.target == "tests" and test_path else code_path
        where = f"{path}:{f.line or 1}:{f.column or 1}"
        console.print(f"{escape(where)}: [{_STYLE[f.severity]}]{f.rule}[/] [{f.severity.value}] {escape(f.message)}")
    skipped = [g.name for g in report.gates if g.status == "skipped"]
    verdict = "[green]passed[/]" if report.passed else "[red]not good enough[/]"
    tail = f"; skipped: {', '.join(skipped)}" if skipped else ""
    console.print(
        f"{escape(code_path)}: {verdict}: {report.critical_count} critical, {report.warning_count} warnings "
        f"(threshold {report.warning_threshold}), {report.info_count} info{tail}"
    )


def summary_table(results: Sequence[tuple[str, AgentResult]]) -> Table:
    """One row per task of ``codeagent run all``."""
    table = Table(title="Summary")
    for column in ("task", "verdict", "attempts", "best", "critical", "warnings", "tokens", "seconds"):
        table.add_column(column)
    for name, r in results:
        report = r.best.report if r.best else None
        table.add_row(
            name,
            "passed" if r.passed else "not good enough",
            str(len(r.attempts)),
            str(r.best.index if r.best else "-"),
            str(report.critical_count if report else "-"),
            str(report.warning_count if report else "-"),
            str(r.metrics.total_tokens),
            f"{r.metrics.wall_seconds:.1f}",
        )
    return table
