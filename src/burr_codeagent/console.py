"""What the CLI prints: a live view or log-friendly lines during a run, linter-style findings, summaries.

:func:`progress_for` picks the view: :class:`LiveProgress` (a ``rich.live`` panel that redraws in place) when stdout
is a terminal, :class:`ProgressPrinter` (one plain line per event, safe for logs and CI) otherwise or with
``--quiet``/``--verbose``. Both are event listeners (see :mod:`burr_codeagent.events`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from .console_details import analysis_summary, attempt_details, short_message
from .console_findings import format_finding, print_findings, tests_text, verdict_markup
from .events import AgentEvent
from .formatting import format_cost, gate_result, plural
from .models import AgentResult, CheckReport, Finding, GateRun, Severity, Usage

__all__ = [
    "LiveProgress",
    "ProgressPrinter",
    "format_finding",
    "print_findings",
    "progress_for",
    "summary_line",
    "summary_table",
]

_GATE_STYLE = {
    "ok": "green",
    "warnings": "yellow",
    "failed": "bold red",
    "error": "bold red",
    "skipped": "dim",
}


def _first_line(task: str, limit: int = 100) -> str:
    first = task.strip().splitlines()[0] if task.strip() else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"


def summary_line(result: AgentResult) -> str:
    """The one-line outcome of a run (rich markup)."""
    verdict = "[bold green]PASSED[/]" if result.passed else "[bold red]NOT GOOD ENOUGH[/]"
    best = result.best.index if result.best else "-"
    m = result.metrics
    cost = (
        f", {format_cost(m.estimated_cost_usd, approximate=True)}" if m.estimated_cost_usd is not None else ""
    )
    return (
        f"{verdict} after {plural(len(result.attempts), 'attempt')}, best #{best} ({escape(result.stop_reason)}); "
        f"{plural(m.total_tokens, 'token')} in {plural(m.api_calls, 'call')}{cost}, {m.wall_seconds:.1f}s"
    )


BURR_UI = "http://localhost:7241"


def burr_ui_line(result: AgentResult) -> str | None:
    """Where to find the run in Burr's UI (``None`` when tracking was off)."""
    if not result.config.get("tracking", True):
        return None
    project = str(result.config.get("project") or "burr-codeagent")
    return (
        f"Burr app id: {result.app_id}; open it with `burr` (pip install 'burr-codeagent[ui]'), then "
        f"{BURR_UI}/project/{project}/null/{result.app_id}"
    )


def _print_finish(console: Console, result: AgentResult) -> None:
    console.print(summary_line(result))
    for name, path in result.report_paths.items():
        console.print(f"  {name} report: {escape(str(path))}")
    ui = burr_ui_line(result)
    if ui:
        console.print(f"  {escape(ui)}")


class ProgressPrinter:
    """A listener that prints one plain line per step of a run (log-friendly: no cursor movement).

    ``quiet`` prints only the final summary; ``verbose`` adds a line per gate, each line prefixed with the seconds
    since the run started.
    """

    def __init__(
        self, console: Console, *, quiet: bool = False, verbose: bool = False, max_attempts: int = 6
    ):
        self.console = console
        self.quiet = quiet
        self.verbose = verbose
        self.max_attempts = max_attempts
        self._started = time.monotonic()

    def start(self, name: str, task: str) -> None:
        """Announce a task."""
        self._started = time.monotonic()
        if not self.quiet:
            self.console.print(f"[bold]▶ {escape(name)}[/]: {escape(_first_line(task))}")

    def _say(self, text: str) -> None:
        prefix = f"[{time.monotonic() - self._started:7.2f}s] " if self.verbose else ""
        self.console.print(f"{escape(prefix)}{text}")

    def __call__(self, event: AgentEvent) -> None:
        if self.quiet:
            return
        n = f"attempt {event.attempt}/{self.max_attempts}" if event.attempt else ""
        if event.kind == "attempt_started":
            self._say(f"  {n}: generating…")
        elif event.kind == "generation_finished":
            usage: Usage = event.data["usage"]
            self._say(
                f"  {n}: generated in {event.data['seconds']:.1f}s "
                f"({usage.input_tokens} in / {usage.output_tokens} out tokens)"
            )
        elif event.kind == "generation_failed":
            self._say(f"  {n}: [red]generation failed[/]: {escape(str(event.data['error']))}")
        elif event.kind in ("generation_truncated", "edits_applied"):
            self._say(f"  {n}: {loop_note(event)}")
        elif event.kind == "gate_finished" and self.verbose:
            run: GateRun = event.data["gate"]
            found: list[Finding] = event.data["findings"]
            self._say(f"    gate {escape(run.name)}: {gate_result(run, found)}, {_counts_text(found)}")
        elif event.kind == "auto_fix_started":
            self._say(f"  {n}: auto-fixing locally: {escape('; '.join(event.data['applied']))}")
        elif event.kind == "auto_fix_finished" and event.data.get("applied") and not event.data.get("kept"):
            self._say(f"  {n}: {escape(str(event.data.get('note') or 'auto-fix not kept'))}")
        elif event.kind == "check_finished":
            report: CheckReport = event.data["report"]
            self._say(
                f"  {n}: {verdict_markup(report)}: {report.critical_count} critical, "
                f"{plural(report.warning_count, 'warning')}{tests_text(report)}"
            )
            for line in attempt_details(report):
                self.console.print(line)

    def on_step(self, action: str, phase: str, state: Any) -> None:
        """A Burr step the library emits no event for (``ai_analysis``) started or finished."""
        if self.quiet:
            return
        if phase == "started":
            self._say("  ai_analysis: asking the model to review the failed attempt…")
        else:
            self._say(f"  {escape(analysis_summary(state))}")

    def close(self) -> None:
        """Nothing to tear down for plain lines."""

    def finish(self, result: AgentResult) -> None:
        """Summarise a finished run."""
        _print_finish(self.console, result)


def loop_note(event: AgentEvent) -> str:
    """One line about an answer cut off at the output limit, or about the edits of a retry answer."""
    data = event.data
    if event.kind == "generation_truncated":
        how = (
            "module and tests asked for separately"
            if data["recovery"] == "split"
            else "asked again for edits only"
        )
        return f"[yellow]answer cut off at the output limit ({data['max_tokens']} tokens)[/]: {how}"
    failed = (
        f", [red]{data['failed']} did not match[/] (the next prompt says which)" if data["failed"] else ""
    )
    return f"{data['applied']} edit(s) applied{failed}"


def _counts_text(findings: Sequence[Finding]) -> str:
    if not findings:
        return "clean"
    parts = []
    for severity in Severity:
        count = sum(1 for f in findings if f.severity is severity)
        if count:
            parts.append(f"{count} {severity.value}")
    return ", ".join(parts)


@dataclass
class _GateRow:
    run: GateRun
    findings: list[Finding]


@dataclass
class _LiveState:
    name: str = ""
    task: str = ""
    step: str = "starting"
    step_started: float = field(default_factory=time.monotonic)
    note: str = ""
    attempt: int = 0
    usage: Usage = field(default_factory=Usage)
    gates: dict[str, _GateRow] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)


class _BackendNotes(logging.Handler):
    """Keeps the latest warning of the backends (a retry and its cause) for the live view's step line."""

    def __init__(self, progress: LiveProgress) -> None:
        super().__init__(logging.WARNING)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        self.progress.note(short_message(record.getMessage(), 120))


class LiveProgress:
    """A live terminal view of a run: step, attempt n of max, gate results as they land, tokens and time.

    It redraws in place (``rich.live``) and leaves the final frame on screen, followed by a summary line. The
    step line says how long the current step has taken and the latest retry of the backend, if any.
    """

    def __init__(self, console: Console, *, max_attempts: int = 6, refresh_per_second: float = 8.0) -> None:
        self.console = console
        self.max_attempts = max_attempts
        self._state = _LiveState()
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._live = Live(
            console=console,
            get_renderable=self._render,
            refresh_per_second=refresh_per_second,
            transient=False,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._notes = _BackendNotes(self)

    def start(self, name: str, task: str) -> None:
        """Start the live view for a task."""
        with self._lock:
            self._state = _LiveState(name=name, task=_first_line(task))
            self._started = time.monotonic()
        self._live.start()
        logging.getLogger("burr_codeagent.backends").addHandler(self._notes)

    def note(self, text: str) -> None:
        """Show ``text`` (e.g. "retry 1 of 5 in 2.00s") beside the current step until the step changes."""
        with self._lock:
            self._state.note = text
        if self._live.is_started:
            self._live.refresh()

    def on_step(self, action: str, phase: str, state: Any) -> None:
        """A Burr step the library emits no event for (``ai_analysis``) started or finished."""
        with self._lock:
            if phase == "started":
                self._set_step("ai_analysis: asking the model to review the failed attempt")
            else:
                self._state.history.append(escape(analysis_summary(state)))
                self._set_step("deciding: retry or finish")
        if self._live.is_started:
            self._live.refresh()

    def _set_step(self, step: str) -> None:
        self._state.step = step
        self._state.step_started = time.monotonic()
        self._state.note = ""

    def __call__(self, event: AgentEvent) -> None:
        with self._lock:
            self._apply(event)
        if self._live.is_started:
            self._live.refresh()

    def _apply(self, event: AgentEvent) -> None:
        state = self._state
        if event.kind == "attempt_started":
            state.attempt = event.attempt or state.attempt + 1
            self._set_step("code_generator: asking the model")
            state.gates = {}
        elif event.kind == "generation_finished":
            usage: Usage = event.data["usage"]
            state.usage = state.usage + usage
            self._set_step("code_checker: running the quality gates")
        elif event.kind in ("generation_truncated", "edits_applied"):
            state.history.append(f"#{event.attempt}: {loop_note(event)}")
        elif event.kind == "generation_failed":
            self._set_step("code_checker: recording the failed generation")
            state.history.append(
                f"#{event.attempt}: [red]generation failed[/]: {escape(str(event.data['error']))}"
            )
        elif event.kind == "gate_finished":
            run: GateRun = event.data["gate"]
            state.gates[run.name] = _GateRow(run, list(event.data["findings"]))
        elif event.kind == "auto_fix_started":
            self._set_step("auto_fix: applying safe local fixes, then checking again")
            state.history.append(f"#{event.attempt}: auto-fixing: {escape('; '.join(event.data['applied']))}")
        elif event.kind == "check_finished":
            report: CheckReport = event.data["report"]
            state.history.append(
                f"#{event.attempt}: {verdict_markup(report)}: {report.critical_count} critical, "
                f"{plural(report.warning_count, 'warning')}{tests_text(report)}"
            )
            state.history += attempt_details(report, indent="  ")
            self._set_step("deciding: retry or finish")
        elif event.kind == "run_finished":
            self._set_step("end: reports written")

    def _render(self) -> RenderableType:
        with self._lock:
            state = self._state
            now = time.monotonic()
            elapsed = now - self._started
            waited = f" ({now - state.step_started:.0f}s)" if now - state.step_started >= 1 else ""
            note = f" · [yellow]{escape(state.note)}[/]" if state.note else ""
            header = Text.from_markup(
                f"[bold]▶ {escape(state.name)}[/]: {escape(state.task)}\n"
                f"[cyan]{escape(state.step)}{waited}[/]{note} · attempt {state.attempt or '-'} of {self.max_attempts} · "
                f"tokens {state.usage.input_tokens} in / {state.usage.output_tokens} out · {elapsed:.1f}s"
            )
            table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
            for column in ("gate", "status", "findings", "seconds"):
                table.add_column(column)
            for row in state.gates.values():
                status = gate_result(row.run, row.findings)
                status_style = _GATE_STYLE.get(status, "")
                table.add_row(
                    escape(row.run.name),
                    f"[{status_style}]{status}[/]",
                    _counts_text(row.findings),
                    f"{row.run.seconds:.2f}",
                )
            parts: list[RenderableType] = [header]
            if state.gates:
                parts.append(table)
            parts.extend(Text.from_markup("  " + line) for line in state.history)
            return Group(*parts)

    def close(self) -> None:
        """Stop redrawing (the last frame stays on screen)."""
        logging.getLogger("burr_codeagent.backends").removeHandler(self._notes)
        if self._live.is_started:
            self._live.stop()

    def finish(self, result: AgentResult) -> None:
        """Stop the live view and print the summary."""
        self.close()
        _print_finish(self.console, result)


def progress_for(
    console: Console, *, quiet: bool = False, verbose: bool = False, max_attempts: int = 6
) -> LiveProgress | ProgressPrinter:
    """The live view on an interactive terminal; plain lines for pipes, logs, ``--quiet`` and ``--verbose``."""
    if console.is_terminal and not console.is_dumb_terminal and not quiet and not verbose:
        return LiveProgress(console, max_attempts=max_attempts)
    return ProgressPrinter(console, quiet=quiet, verbose=verbose, max_attempts=max_attempts)


def summary_table(results: Sequence[tuple[str, AgentResult]]) -> Table:
    """One row per task of ``codeagent run all``."""
    table = Table(title="Summary")
    for column in ("task", "verdict", "attempts", "best", "critical", "warnings", "tokens", "seconds"):
        table.add_column(column)
    for name, r in results:
        report = r.best.report if r.best else None
        table.add_row(
            escape(name),
            "passed" if r.passed else "not good enough",
            str(len(r.attempts)),
            str(r.best.index if r.best else "-"),
            str(report.critical_count if report else "-"),
            str(report.warning_count if report else "-"),
            str(r.metrics.total_tokens),
            f"{r.metrics.wall_seconds:.1f}",
        )
    return table
