"""What the console says about a failed attempt, and what it learns from Burr and from logging.

* :func:`attempt_details`: the lines under a failed attempt: its critical findings, its first warnings (rule, line,
  short message) and its failing tests, so a user sees *what* failed without opening a report.
* :class:`StepWatcher`: a Burr lifecycle hook that tells a progress view when a step the agent emits no event for
  (``ai_analysis``) starts and finishes; the library's own events stay as they are.
* :func:`route_logging`: send the ``burr_codeagent`` logger through a rich console, so log lines (a retry, a
  fallback) are printed above a live display instead of being glued into it and erased by its next redraw.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any

from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape

from .models import CheckReport, Finding, Severity

__all__ = ["StepWatcher", "attempt_details", "route_logging", "short_message"]

MAX_CRITICAL = 5
MAX_WARNINGS = 3
_TEST_RULES = ("execution.failed", "execution.error", "acceptance.failed", "acceptance.error")


def short_message(text: str, limit: int = 90) -> str:
    """The first line of ``text``, cut at ``limit`` characters."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _where(finding: Finding) -> str:
    line = f":{finding.line}" if finding.line else ""
    return f"{'tests' if finding.target == 'tests' else 'code'}{line}"


def _line(finding: Finding) -> str:
    style = "red" if finding.severity is Severity.CRITICAL else "yellow"
    return f"[{style}]{escape(finding.rule)}[/] {escape(_where(finding))} {escape(short_message(finding.message))}"


def _is_test_failure(finding: Finding) -> bool:
    return finding.rule in _TEST_RULES


def attempt_details(report: CheckReport, indent: str = "    ") -> list[str]:
    """Rich-markup lines naming what made an attempt fail (nothing for a passing one).

    Failing tests come first (they are what the user most wants to know), then the other critical findings, then
    the first warnings; each list is capped and says how many more there are.
    """
    if report.passed:
        return []
    lines: list[str] = []
    tests = [f for f in report.findings if _is_test_failure(f)]
    critical = [f for f in report.findings if f.severity is Severity.CRITICAL and not _is_test_failure(f)]
    warnings = [f for f in report.findings if f.severity is Severity.WARNING]
    for title, found, limit in (
        ("failing tests", tests, MAX_CRITICAL),
        ("critical", critical, MAX_CRITICAL),
        ("first warnings", warnings, MAX_WARNINGS),
    ):
        if not found:
            continue
        more = f" (+{len(found) - limit} more)" if len(found) > limit else ""
        lines.append(f"{indent}{title}{more}:")
        lines += [f"{indent}  {_line(f)}" for f in found[:limit]]
    if report.tests is not None and report.tests.failed + report.tests.errors and not tests:
        t = report.tests
        lines.append(f"{indent}failing tests: {t.failed} failed, {t.errors} errors (see the report)")
    return lines


class StepWatcher:
    """A Burr ``pre_run_step``/``post_run_step`` hook that reports when chosen actions start and finish.

    ``on_step(action, phase, state)`` is called with ``phase`` ``"started"`` or ``"finished"``; ``state`` is the
    state after the step (``None`` when it started).
    """

    def __init__(self, on_step: Callable[[str, str, Any], None], actions: tuple[str, ...] = ("ai_analysis",)):
        self.on_step = on_step
        self.actions = actions

    def pre_run_step(self, *, action: Any, **future_kwargs: Any) -> None:
        """Burr calls this before each step."""
        if action.name in self.actions:
            self.on_step(action.name, "started", None)

    def post_run_step(self, *, action: Any, state: Any, **future_kwargs: Any) -> None:
        """Burr calls this after each step, with the new state."""
        if action.name in self.actions:
            self.on_step(action.name, "finished", state)


def burr_hooks(on_step: Callable[[str, str, Any], None]) -> list[Any]:
    """:class:`StepWatcher` registered as Burr's hook classes (``CodeAgent(hooks=...)``)."""
    from burr.lifecycle import PostRunStepHook, PreRunStepHook

    class _Watcher(StepWatcher, PreRunStepHook, PostRunStepHook):
        pass

    return [_Watcher(on_step)]


def analysis_summary(state: Any) -> str:
    """One line on what the AI review of a step concluded (or why it failed)."""
    error = state.get("analysis_error") if state is not None else None
    if error:
        return f"AI analysis failed: {short_message(str(error))}"
    analysis = (state.get("ai_analysis") if state is not None else None) or {}
    summary = analysis.get("summary") or "; ".join(analysis.get("issues", [])[:2]) or "no issues named"
    fixes = len(analysis.get("fixes", []))
    return f"AI analysis: {short_message(summary)} ({fixes} fix{'es' if fixes != 1 else ''} suggested)"


@contextlib.contextmanager
def route_logging(console: Console, *, level: int = logging.WARNING) -> Iterator[RichHandler]:
    """Print the ``burr_codeagent`` logger's records through ``console`` while the block runs.

    With a live display on ``console``, rich prints these lines above the display, so neither garbles the other.
    """
    logger = logging.getLogger("burr_codeagent")
    handler = RichHandler(
        console=console, level=level, show_time=False, show_path=False, markup=False, rich_tracebacks=False
    )
    previous = logger.level
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > level:
        logger.setLevel(level)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
