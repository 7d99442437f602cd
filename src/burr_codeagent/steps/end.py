"""``end``: stamp the end time, pick the best attempt and write the reports.

:func:`finish` is also what the agent calls when a run is interrupted, so finished attempts are never lost.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

from burr.core import ApplicationContext, State

from ..reports.base import RenderContext
from ..reports.writer import write_reports
from ..results import assemble_result
from .services import Services, StepResult

__all__ = ["end", "finish", "label_run", "run_labels"]


def finish(
    state: State[Any], services: Services, app_id: str, stop_reason: str, *, graph_mermaid: str | None
) -> dict[str, Any]:
    """Write the reports of the run so far; the state update that records it.

    Args:
        graph_mermaid: The picture of the graph that ran, for the reports that show it.
    """
    ended = time.time()
    finished = state.update(workflow_end_time=ended, stop_reason=stop_reason)
    result = assemble_result(finished.get_all(), services.config, app_id=app_id, model=services.backend.model)
    paths = write_reports(
        result,
        services.config.report_formats,
        Path(services.config.output_dir),
        services.manager,
        RenderContext(config=result.config, graph_mermaid=graph_mermaid),
        when=datetime.fromtimestamp(state["workflow_start_time"]),
    )
    return {
        "workflow_end_time": ended,
        "stop_reason": stop_reason,
        "best_attempt": result.best.index if result.best else None,
        "report_paths": {name: str(path) for name, path in paths.items()},
    }


def end(state: State[Any], services: Services, app_id: str, graph_mermaid: str | None) -> StepResult:
    """Finish the run with the reason the loop stopped (a backend failure wins), and label it for Burr's UI."""
    stop_reason = state["stop_reason"] or "stopped"
    if state["fatal_error"]:
        stop_reason = f"backend_error: {state['fatal_error']}"
    update = finish(state, services, app_id, stop_reason, graph_mermaid=graph_mermaid)
    label_run(run_labels(state, services, update))
    return update, state.update(**update)


def label_run(labels: dict[str, Any]) -> None:
    """Log ``labels`` as attributes of the running step with the application's tracker (none: nothing to do).

    The tracker comes from Burr's context of the running step (:meth:`ApplicationContext.get`); its
    ``do_log_attributes`` hook is what Burr's own ``__tracer.log_attributes`` calls.
    """
    context = ApplicationContext.get()
    log = getattr(context.tracker, "do_log_attributes", None) if context is not None else None
    if context is None or log is None:
        return
    log(
        attributes=labels,
        tags={},
        action=context.action_name or "end",
        action_sequence_id=context.sequence_id,
        span=None,
        app_id=context.app_id,
        partition_key=context.partition_key,
    )


TASK_LABEL_CHARS = 120


def run_labels(state: State[Any], services: Services, update: dict[str, Any]) -> dict[str, Any]:
    """What a run is, in a few words: its task (first line, cut short), verdict, model, stop reason, best attempt.

    Burr 0.43's local tracker has no application-level tags (its app list's ``tags`` stay empty), so these are
    logged (:func:`label_run`) as attributes of the ``end`` step, where the UI shows them with the step and they sit in the run's
    ``log.jsonl`` for any script to search.
    """
    first_line = next((line.strip() for line in str(state["task"]).splitlines() if line.strip()), "")
    task = first_line if len(first_line) <= TASK_LABEL_CHARS else first_line[: TASK_LABEL_CHARS - 1] + "…"
    best = update["best_attempt"]
    attempts = state["attempts"]
    passed = any(a["index"] == best and a["report"]["passed"] for a in attempts)
    reason = update["stop_reason"]
    verdict = (
        "passed"
        if passed
        else ("failed: backend" if reason.startswith("backend_error") else "not good enough")
    )
    return {
        "codeagent.task": task,
        "codeagent.verdict": verdict,
        "codeagent.model": services.backend.model or services.config.backend,
        "codeagent.backend": services.config.backend,
        "codeagent.stop_reason": reason,
        "codeagent.attempts": len(attempts),
        "codeagent.best_attempt": best,
    }
