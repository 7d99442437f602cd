"""Turning the final Burr state into an :class:`AgentResult`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .config import AgentConfig
from .models import AgentResult, Attempt, RunMetrics
from .policy import best_attempt_index
from .pricing import estimate_cost
from .run_usage import RunUsage

__all__ = ["assemble_result"]


def assemble_result(
    state: Mapping[str, Any], config: AgentConfig, *, app_id: str, model: str | None
) -> AgentResult:
    """Build the result of a run from its state. ``code`` and ``test_code`` come from the best attempt."""
    attempts = [Attempt.model_validate(a) for a in state.get("attempts", [])]
    best_index = best_attempt_index(attempts)
    best = attempts[best_index] if best_index is not None else None
    spent = RunUsage.model_validate(state.get("usage") or {})
    total = spent.total
    end = state.get("workflow_end_time") or state.get("workflow_start_time", 0.0)
    start = state.get("workflow_start_time", end)
    metrics = RunMetrics(
        input_tokens=total.input_tokens,
        output_tokens=total.output_tokens,
        total_tokens=total.total_tokens,
        cache_read_tokens=total.cache_read_tokens,
        cache_write_tokens=total.cache_write_tokens,
        analysis_tokens=spent.analysis.total_tokens,
        api_calls=total.api_calls,
        generation_seconds=spent.generation_seconds,
        check_seconds=spent.check_seconds,
        wall_seconds=round(max(end - start, 0.0), 4),
        estimated_cost_usd=estimate_cost(model, total, config.prices),
    )
    response = best.response if best is not None else None
    return AgentResult(
        task=state.get("task", ""),
        passed=best is not None and best.report.passed,
        attempts=attempts,
        best=best,
        code=response.code if response else "",
        test_code=response.test_code if response else "",
        metrics=metrics,
        app_id=app_id,
        stop_reason=state.get("stop_reason") or "stopped",
        config={**config.redacted(), "model_used": model},
    )
