"""``ai_analysis``: ask the model for a structured review (:mod:`burr_codeagent.review`) of the failing attempt.

The review goes into the next generation's prompt. A failed review costs that prompt its hints, never the run; its
tokens count all the same, and may spend the budget.
"""

from __future__ import annotations

from typing import Any

from burr.core import State

from ..backends.base import BackendError, Generation, GenerationRequest, Message
from ..model_limits import DEFAULT_MAX_TOKENS
from ..models import Attempt, Usage
from ..policy import budget_reason
from ..prompts import ANALYSIS_SYSTEM_PROMPT, analysis_prompt
from ..review import CodeAnalysisResponse
from ..run_usage import RunUsage
from .code_generator import retry_prompt_chars
from .services import Services, StepResult

__all__ = ["areview", "review"]

Outcome = Generation[CodeAnalysisResponse] | BaseException


def request(state: State[Any], services: Services) -> GenerationRequest[CodeAnalysisResponse]:
    """The review request for the last attempt."""
    config = services.config
    last = Attempt.model_validate(state["attempts"][-1])
    prompt = analysis_prompt(
        state["task"],
        last.response,
        last.report,
        max_chars=retry_prompt_chars(config),
        attempt=last.index,
        acceptance_visibility=config.acceptance_tests_visibility,
        acceptance_tests=services.shown_acceptance_tests,
    )
    return GenerationRequest(
        system=ANALYSIS_SYSTEM_PROMPT,
        messages=(Message("user", prompt),),
        response_model=CodeAnalysisResponse,
        max_tokens=config.max_tokens or DEFAULT_MAX_TOKENS,
        purpose="analysis",
    )


def review(state: State[Any], services: Services) -> StepResult:
    """Ask the backend (blocking call) and record the review."""
    outcome: Outcome
    try:
        outcome = services.backend.generate(request(state, services))
    except Exception as exc:
        outcome = exc
    return record(state, outcome, services)


async def areview(state: State[Any], services: Services) -> StepResult:
    """Await the backend's native async call and record the review."""
    outcome: Outcome
    try:
        outcome = await services.backend.agenerate(request(state, services))
    except Exception as exc:
        outcome = exc
    return record(state, outcome, services)


def record(state: State[Any], outcome: Outcome, services: Services) -> StepResult:
    """The state after a review: the review or why there is none, its tokens, and whether the budget is spent."""
    usage = outcome.usage if isinstance(outcome, Generation | BackendError) else Usage()
    spent = RunUsage.model_validate(state["usage"]).spend("analysis", usage)
    update: dict[str, Any] = {
        "ai_analysis": None,
        "analysis_error": None,
        "usage": spent.model_dump(mode="json"),
        "stop_reason": budget_reason(spent.total, services.config, services.backend.model),
    }
    if isinstance(outcome, Generation):
        update["ai_analysis"] = outcome.response.model_dump(mode="json")
    else:
        update["analysis_error"] = f"{type(outcome).__name__}: {outcome}"
    return update, state.update(**update)
