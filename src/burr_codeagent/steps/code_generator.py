"""``code_generator``: ask the model for code and tests, the task first, then targeted feedback on the last attempt.

Every outcome becomes state: a parsed answer (saved with the raw one, so a resumed run never asks again), an
invalid answer (checked as a critical finding) or a fatal backend error (the run ends and keeps what it has).
"""

from __future__ import annotations

import time
from typing import Any

from burr.core import State

from ..backends.base import BackendError, Generation, GenerationRequest, InvalidResponseError, Message
from ..config import AgentConfig
from ..edits import RetryResponse, apply_edits, describe_failed
from ..events import AgentEvent, emit
from ..feedback import CLOSING, WHOLE_CLOSING
from ..model_limits import DEFAULT_CONTEXT_TOKENS, DEFAULT_MAX_TOKENS
from ..models import Attempt, PythonCodeGenerationResponse, Usage
from ..prompts import SYSTEM_PROMPT, feedback_prompt, generation_prompt
from ..recovery import agenerate_recovering, generate_recovering
from ..review import CodeAnalysisResponse
from ..run_usage import RunUsage
from .services import Services, StepResult

__all__ = ["agenerate", "generate"]

Outcome = Generation[Any] | BaseException


def request(state: State[Any], services: Services) -> GenerationRequest[Any]:
    """The generation request: the task on the first attempt, feedback on the last attempt afterwards.

    A retry about an attempt with code asks for a :class:`~burr_codeagent.edits.RetryResponse` (edits or a whole
    new answer); after an unusable answer, for a whole one.
    """
    config = services.config
    model: type[Any] = PythonCodeGenerationResponse
    if not state["attempts"]:
        prompt = generation_prompt(
            state["task"],
            acceptance_tests=services.shown_acceptance_tests,
            requirements=services.checker.requirements(),
            warning_threshold=config.warning_threshold,
        )
    else:
        last = Attempt.model_validate(state["attempts"][-1])
        review = state["ai_analysis"]
        editable = last.response is not None
        model = RetryResponse if editable else PythonCodeGenerationResponse
        prompt = feedback_prompt(
            state["task"],
            last.response,
            last.report,
            max_chars=retry_prompt_chars(config),
            analysis=CodeAnalysisResponse.model_validate(review) if review else None,
            attempt=last.index,
            auto_fixes=last.auto_fixes,
            acceptance_visibility=config.acceptance_tests_visibility,
            acceptance_tests=services.shown_acceptance_tests,
            edit_failures=describe_failed(last.edits),
            module=services.module.name,
            closing=CLOSING if editable else WHOLE_CLOSING,
        )
    return GenerationRequest(
        system=SYSTEM_PROMPT,
        messages=(Message("user", prompt),),
        response_model=model,
        max_tokens=config.max_tokens or DEFAULT_MAX_TOKENS,
    )


def _number(state: State[Any]) -> int:
    return len(state["attempts"]) + 1


def retry_prompt_chars(config: AgentConfig) -> int:
    """The retry prompt's size budget: ``feedback_max_chars`` when set, else a share of the context window.

    What the window holds besides the prompt: the answer (``max_tokens``) and the system prompt with the answer's
    schema (about 2,000 tokens). Three quarters of the rest, at 3.5 characters a token (code tokenizes densely).
    """
    if config.feedback_max_chars is not None:
        return config.feedback_max_chars
    context = config.context_tokens or DEFAULT_CONTEXT_TOKENS
    room = max(context - (config.max_tokens or DEFAULT_MAX_TOKENS) - 2_000, 4_000)
    return int(room * 0.75 * 3.5)


def _started(state: State[Any], services: Services) -> GenerationRequest[Any]:
    built = request(state, services)
    emit(services.listeners, AgentEvent("attempt_started", len(state["attempts"]) + 1, {"prompt": built}))
    return built


def generate(state: State[Any], services: Services) -> StepResult:
    """Ask the backend (blocking call) and record the outcome."""
    built = _started(state, services)
    start = time.perf_counter()
    outcome: Outcome
    try:
        outcome = generate_recovering(
            services.backend, built, listeners=services.listeners, attempt=_number(state)
        )
    except Exception as exc:  # every failure becomes state; the run keeps what it has
        outcome = exc
    return record(state, built, outcome, time.perf_counter() - start, services)


async def agenerate(state: State[Any], services: Services) -> StepResult:
    """Await the backend's native async call and record the outcome."""
    built = _started(state, services)
    start = time.perf_counter()
    outcome: Outcome
    try:
        outcome = await agenerate_recovering(
            services.backend, built, listeners=services.listeners, attempt=_number(state)
        )
    except Exception as exc:
        outcome = exc
    return record(state, built, outcome, time.perf_counter() - start, services)


def record(
    state: State[Any],
    built: GenerationRequest[Any],
    outcome: Outcome,
    seconds: float,
    services: Services,
) -> StepResult:
    """The state after a generation: the answer or the error, the tokens spent (a failed call's too)."""
    attempt_no = len(state["attempts"]) + 1
    usage = outcome.usage if isinstance(outcome, Generation | BackendError) else Usage()
    update: dict[str, Any] = {
        "retries": state["retries"] + (1 if state["attempts"] else 0),
        "last_prompt": built.messages[-1].content,
        "generated_python_response": None,
        "raw_response": None,
        "generation_error": None,
        "fatal_error": None,
        "last_usage": usage.model_dump(mode="json"),
        "usage": RunUsage.model_validate(state["usage"]).generated(usage, seconds).model_dump(mode="json"),
    }
    update["last_edits"] = []
    if isinstance(outcome, Generation) and isinstance(outcome.response, RetryResponse):
        previous = Attempt.model_validate(state["attempts"][-1]).response
        assert previous is not None  # edits are asked for only about an attempt with code
        edited = apply_edits(previous, outcome.response)
        outcome = Generation(edited.response, outcome.usage, outcome.raw)
        update["last_edits"] = [o.model_dump(mode="json") for o in edited.outcomes]
        if edited.outcomes:
            applied = sum(o.applied for o in edited.outcomes)
            counts = {"applied": applied, "failed": len(edited.outcomes) - applied}
            emit(services.listeners, AgentEvent("edits_applied", attempt_no, counts))
    if isinstance(outcome, Generation):
        update["generated_python_response"] = outcome.response.model_dump(mode="json")
        update["raw_response"] = outcome.raw
        data = {"usage": usage, "seconds": seconds}
        emit(services.listeners, AgentEvent("generation_finished", attempt_no, data))
    elif isinstance(outcome, InvalidResponseError):
        update["generation_error"] = f"invalid response: {outcome}"
        update["raw_response"] = outcome.raw
        data = {"error": str(outcome), "fatal": False}
        emit(services.listeners, AgentEvent("generation_failed", attempt_no, data))
    else:
        update["fatal_error"] = f"{type(outcome).__name__}: {outcome}"
        data = {"error": str(outcome), "fatal": True}
        emit(services.listeners, AgentEvent("generation_failed", attempt_no, data))
    return update, state.update(**update)
