"""Turning the final Burr state into an :class:`AgentResult`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .config import AgentConfig
from .models import AgentResult, Attempt, RunMetrics, Usage
from .pricing import estimate_cost
from .selection import best_attempt_index

__all__ = ["assemble_result"]


def assemble_result(
    state: Mapping[str, Any], config: AgentConfig, *, app_id: str, model: str | None
) -> AgentResult:
    """Build the result of a run from its state. ``code`` and ``test_code`` come from the best attempt."""
    attempts = [Attempt.model_validate(a) for a in state.get("attempts", [])]
    best_index = best_attempt_index(attempts)
    best = attempts[best_index] if best_index is not None else None
    usage = Usage(
        input_tokens=state.get("input_tokens", 0),
        output_tokens=state.get("output_tokens", 0),
        cache_read_tokens=state.get("cache_read_tokens", 0),
        cache_write_tokens=state.get("cache_write_tokens", 0),
    )
    end = state.get("workflow_end_time") or state.get("workflow_start_time", 0.0)
    metrics = RunMetrics(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        total_tokens=usage.total_tokens,
        cache_read_tokens=usage.cache_read_tokens,
        cache_write_tokens=usage.cache_write_tokens,
        analysis_tokens=state.get("analysis_tokens", 0),
        api_calls=state.get("api_call_count", 0),
        generation_seconds=list(state.get("generation_times", [])),
        check_seconds=list(state.get("check_times", [])),
        wall_seconds=round(max(end - state.get("workflow_start_time", end), 0.0), 4),
        estimated_cost_usd=estimate_cost(model, usage, config.prices),
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
