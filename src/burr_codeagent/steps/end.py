"""``end``: stamp the end time, pick the best attempt and write the reports.

:func:`finish` is also what the agent calls when a run is interrupted, so finished attempts are never lost.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

from burr.core import State

from ..reports.base import RenderContext
from ..reports.writer import write_reports
from ..results import assemble_result
from .services import Services, StepResult

__all__ = ["end", "finish"]


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
    """Finish the run with the reason the loop stopped (a backend failure wins)."""
    stop_reason = state["stop_reason"] or "stopped"
    if state["fatal_error"]:
        stop_reason = f"backend_error: {state['fatal_error']}"
    update = finish(state, services, app_id, stop_reason, graph_mermaid=graph_mermaid)
    return update, state.update(**update)
