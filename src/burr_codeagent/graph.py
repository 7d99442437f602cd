"""The Burr graph, top to bottom::

    code_generator -> code_checker -> [auto_fix] -> [ai_analysis] -> {code_generator | end}

``auto_fix`` runs when the attempt failed or has fixable findings (``auto_fix`` on): safe local fixes, then the
checker again, keeping the fixed attempt unless it scores worse. ``ai_analysis`` runs before a retry when
``enable_ai_analysis`` is on: the model reviews the failing attempt and the review goes into the next prompt.
After every check the loop decides whether to stop: passed, out of retries, over the token or cost budget, or no
progress (see :func:`decide`).

State[Any] stays JSON data (pydantic models are stored as their ``model_dump(mode="json")``) so Burr's tracker and
persisters can record it. Each generation's raw answer is written to state with the parsed one, so a resumed run
never has to ask the model again for a step that finished.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from burr.core import Action, ApplicationContext, Condition, State, action, default
from burr.core.graph import Graph, GraphBuilder

from .analysis import CodeAnalysisResponse
from .autofix import AutoFixError, auto_fix, worth_fixing
from .backends.base import (
    BackendError,
    Generation,
    GenerationRequest,
    InvalidResponseError,
    LLMBackend,
    Message,
)
from .checker import Checker
from .config import AgentConfig
from .events import AgentEvent, Listener, emit
from .gates.style import DEFAULT_LINE_LENGTH
from .models import Attempt, CheckReport, Finding, PythonCodeGenerationResponse, Severity, Usage
from .plugins import PluginManager, default_manager
from .pricing import estimate_cost
from .prompts import (
    ANALYSIS_SYSTEM_PROMPT,
    SYSTEM_PROMPT,
    analysis_prompt,
    feedback_prompt,
    generation_prompt,
)
from .reports.base import RenderContext
from .reports.writer import write_reports
from .results import assemble_result
from .selection import is_worse, no_progress_reason
from .visualize import graph_mermaid

__all__ = [
    "ANALYSIS",
    "AUTO_FIX",
    "CHECKER",
    "END",
    "GENERATOR",
    "Services",
    "build_graph",
    "decide",
    "initial_state",
]

GENERATOR, CHECKER, AUTO_FIX, ANALYSIS, END = (
    "code_generator",
    "code_checker",
    "auto_fix",
    "ai_analysis",
    "end",
)

METRIC_KEYS = [
    "input_tokens",
    "output_tokens",
    "total_tokens_used",
    "generation_tokens",
    "analysis_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "api_call_count",
    "generation_times",
    "check_times",
]


@dataclass
class Services:
    """What the actions need besides state; bound into the actions, never stored in state or tracked."""

    backend: LLMBackend
    checker: Checker
    config: AgentConfig
    listeners: list[Listener] = field(default_factory=list)
    acceptance_tests: str | None = None
    manager: PluginManager = field(default_factory=default_manager)
    graph_mermaid: str | None = None


def initial_state(task: str, config: AgentConfig) -> dict[str, Any]:
    """The state a run starts from."""
    return {
        "task": task,
        "retries": 0,
        "max_retries": config.max_retries,
        "not_good_enough": True,
        "generated_python_response": None,
        "raw_response": None,
        "generation_error": None,
        "fatal_error": None,
        "check_results": None,
        "ai_analysis": None,
        "analysis_error": None,
        "auto_fix_pending": False,
        "auto_fix_result": None,
        "attempts": [],
        "last_prompt": None,
        "stop_reason": None,
        "workflow_start_time": time.time(),
        "workflow_end_time": None,
        "input_tokens": 0,
        "output_tokens": 0,
        "total_tokens_used": 0,
        "generation_tokens": 0,
        "analysis_tokens": 0,
        "cache_read_tokens": 0,
        "cache_write_tokens": 0,
        "api_call_count": 0,
        "generation_times": [],
        "check_times": [],
    }


# -- code_generator ---------------------------------------------------------------------------------------------


def _request(state: State[Any], services: Services) -> GenerationRequest[PythonCodeGenerationResponse]:
    attempts = state["attempts"]
    config = services.config
    shown = services.acceptance_tests if config.acceptance_tests_visibility == "verbatim" else None
    if not attempts:
        prompt = generation_prompt(state["task"], acceptance_tests=shown)
    else:
        last = Attempt.model_validate(attempts[-1])
        analysis = state["ai_analysis"]
        prompt = feedback_prompt(
            state["task"],
            last.response,
            last.report,
            max_chars=services.config.feedback_max_chars,
            analysis=CodeAnalysisResponse.model_validate(analysis) if analysis else None,
            attempt=last.index,
            auto_fixes=last.auto_fixes,
            acceptance_visibility=config.acceptance_tests_visibility,
            acceptance_tests=shown,
        )
    return GenerationRequest(
        system=SYSTEM_PROMPT,
        messages=(Message("user", prompt),),
        response_model=PythonCodeGenerationResponse,
        max_tokens=services.config.max_tokens,
    )


def _after_generation(
    state: State[Any],
    request: GenerationRequest[PythonCodeGenerationResponse],
    outcome: Generation[PythonCodeGenerationResponse] | BaseException,
    seconds: float,
    services: Services,
) -> tuple[dict[str, Any], State[Any]]:
    attempt_no = len(state["attempts"]) + 1
    usage = outcome.usage if isinstance(outcome, Generation | BackendError) else Usage()
    update: dict[str, Any] = {
        "retries": state["retries"] + (1 if state["attempts"] else 0),
        "last_prompt": request.messages[-1].content,
        "generated_python_response": None,
        "raw_response": None,
        "generation_error": None,
        "fatal_error": None,
        "generation_times": [*state["generation_times"], round(seconds, 4)],
        "last_usage": usage.model_dump(mode="json"),
        **_add_usage(state, usage, "generation_tokens"),
    }
    if isinstance(outcome, Generation):
        update["generated_python_response"] = outcome.response.model_dump(mode="json")
        update["raw_response"] = outcome.raw
        emit(
            services.listeners,
            AgentEvent("generation_finished", attempt_no, {"usage": usage, "seconds": seconds}),
        )
    elif isinstance(outcome, InvalidResponseError):
        update["generation_error"] = f"invalid response: {outcome}"
        update["raw_response"] = outcome.raw
        emit(
            services.listeners,
            AgentEvent("generation_failed", attempt_no, {"error": str(outcome), "fatal": False}),
        )
    else:
        update["fatal_error"] = f"{type(outcome).__name__}: {outcome}"
        emit(
            services.listeners,
            AgentEvent("generation_failed", attempt_no, {"error": str(outcome), "fatal": True}),
        )
    return update, state.update(**update)


def _add_usage(state: State[Any], usage: Usage, bucket: str) -> dict[str, Any]:
    return {
        "input_tokens": state["input_tokens"] + usage.input_tokens,
        "output_tokens": state["output_tokens"] + usage.output_tokens,
        "total_tokens_used": state["total_tokens_used"] + usage.total_tokens,
        bucket: state[bucket] + usage.total_tokens,
        "cache_read_tokens": state["cache_read_tokens"] + usage.cache_read_tokens,
        "cache_write_tokens": state["cache_write_tokens"] + usage.cache_write_tokens,
        "api_call_count": state["api_call_count"] + usage.api_calls,
    }


GENERATOR_READS = [
    "task",
    "retries",
    "attempts",
    "not_good_enough",
    "check_results",
    "ai_analysis",
    *METRIC_KEYS,
]
GENERATOR_WRITES = [
    "generated_python_response",
    "raw_response",
    "generation_error",
    "fatal_error",
    "retries",
    "last_prompt",
    "last_usage",
    *METRIC_KEYS,
]


@action(reads=GENERATOR_READS, writes=GENERATOR_WRITES)
def code_generator(state: State[Any], services: Services) -> tuple[dict[str, Any], State[Any]]:
    """Ask the model for code and tests: the task first, then targeted feedback on the last attempt."""
    request = _request(state, services)
    emit(services.listeners, AgentEvent("attempt_started", len(state["attempts"]) + 1, {"prompt": request}))
    start = time.perf_counter()
    outcome: Generation[PythonCodeGenerationResponse] | BaseException
    try:
        outcome = services.backend.generate(request)
    except Exception as exc:  # every failure becomes state; the run keeps what it has
        outcome = exc
    return _after_generation(state, request, outcome, time.perf_counter() - start, services)


@action(reads=GENERATOR_READS, writes=GENERATOR_WRITES)
async def code_generator_async(state: State[Any], services: Services) -> tuple[dict[str, Any], State[Any]]:
    """Async :func:`code_generator`: awaits the backend's native async call."""
    request = _request(state, services)
    emit(services.listeners, AgentEvent("attempt_started", len(state["attempts"]) + 1, {"prompt": request}))
    start = time.perf_counter()
    outcome: Generation[PythonCodeGenerationResponse] | BaseException
    try:
        outcome = await services.backend.agenerate(request)
    except Exception as exc:
        outcome = exc
    return _after_generation(state, request, outcome, time.perf_counter() - start, services)


# -- code_checker -----------------------------------------------------------------------------------------------


def _check_response(
    response: PythonCodeGenerationResponse, services: Services, attempt_no: int
) -> CheckReport:
    report = services.checker.check(
        response.code,
        response.test_code if response.test_code.strip() else None,
        function_name=response.function_name,
        dependencies=response.dependencies or (),
        acceptance_tests=services.acceptance_tests,
        attempt=attempt_no,
    )
    if response.test_code.strip():
        return report
    missing = Finding(  # inside the agent an answer without tests is critical
        gate="tests",
        rule="tests.missing",
        severity=Severity.CRITICAL,
        message="The answer has no test code.",
        target="tests",
        suggestion="Return pytest tests in `test_code` that import from `solution` and assert behaviour.",
    )
    return CheckReport.from_findings(
        [missing, *report.findings],
        gates=report.gates,
        tests=report.tests,
        seconds=report.seconds,
        warning_threshold=report.warning_threshold,
    )


def _check(state: State[Any], services: Services) -> CheckReport:
    data = state["generated_python_response"]
    if data is None:
        problem = Finding(
            gate="generation",
            rule="generation.invalid_response",
            severity=Severity.CRITICAL,
            message=f"The model's answer could not be used: {state['generation_error']}",
            suggestion="Answer with every field of the requested JSON structure filled in.",
        )
        return CheckReport.from_findings(
            [problem], gates=[], tests=None, seconds=0.0, warning_threshold=services.config.warning_threshold
        )
    response = PythonCodeGenerationResponse.model_validate(data)
    return _check_response(response, services, len(state["attempts"]) + 1)


def _after_check(
    state: State[Any], report: CheckReport, services: Services
) -> tuple[dict[str, Any], State[Any]]:
    data = state["generated_python_response"]
    usage = Usage.model_validate(state["last_usage"]) if state["last_usage"] else Usage()
    attempt = Attempt(
        index=len(state["attempts"]) + 1,
        response=PythonCodeGenerationResponse.model_validate(data) if data else None,
        report=report,
        usage=usage,
        seconds=round((state["generation_times"] or [0.0])[-1] + report.seconds, 4),
        error=state["generation_error"],
    )
    attempts = [*state["attempts"], attempt.model_dump(mode="json")]
    not_good_enough, stop_reason = decide(state, attempts, services)
    update: dict[str, Any] = {
        "check_results": report.model_dump(mode="json"),
        "not_good_enough": not_good_enough,
        "attempts": attempts,
        "stop_reason": stop_reason,
        "check_times": [*state["check_times"], report.seconds],
        "auto_fix_pending": services.config.auto_fix and worth_fixing(attempt.response, report),
        "auto_fix_result": None,
        "ai_analysis": None,
        "analysis_error": None,
    }
    emit(services.listeners, AgentEvent("step_finished", attempt.index, {"attempt": attempt}))
    return update, state.update(**update)


CHECKER_READS = [
    "generated_python_response",
    "generation_error",
    "task",
    "attempts",
    "retries",
    "last_usage",
    *METRIC_KEYS,
]
CHECKER_WRITES = [
    "check_results",
    "not_good_enough",
    "attempts",
    "stop_reason",
    "check_times",
    "auto_fix_pending",
    "auto_fix_result",
    "ai_analysis",
    "analysis_error",
]


@action(reads=CHECKER_READS, writes=CHECKER_WRITES)
def code_checker(state: State[Any], services: Services) -> tuple[dict[str, Any], State[Any]]:
    """Run every enabled gate over the code and tests and decide whether the attempt is good enough."""
    return _after_check(state, _check(state, services), services)


@action(reads=CHECKER_READS, writes=CHECKER_WRITES)
async def code_checker_async(state: State[Any], services: Services) -> tuple[dict[str, Any], State[Any]]:
    """Async :func:`code_checker`: the gates run in a worker thread so the event loop stays free."""
    report = await asyncio.to_thread(_check, state, services)
    return _after_check(state, report, services)


# -- deciding whether to go on ----------------------------------------------------------------------------------


def budget_reason(state: State[Any], services: Services) -> str | None:
    """Why the token or cost budget stops the run (tokens include AI analysis), or None."""
    config = services.config
    used = state["total_tokens_used"]
    if config.max_total_tokens is not None and used >= config.max_total_tokens:
        return f"token_budget: {used} tokens used of {config.max_total_tokens}"
    if config.max_cost_usd is not None:
        usage = Usage(
            input_tokens=state["input_tokens"],
            output_tokens=state["output_tokens"],
            cache_read_tokens=state["cache_read_tokens"],
            cache_write_tokens=state["cache_write_tokens"],
        )
        cost = estimate_cost(services.backend.model, usage, config.prices)
        if cost is not None and cost >= config.max_cost_usd:
            return f"cost_budget: ${cost:.4f} estimated of ${config.max_cost_usd:.4f}"
    return None


def decide(state: State[Any], attempts: list[dict[str, Any]], services: Services) -> tuple[bool, str | None]:
    """``(not_good_enough, stop_reason)`` after the last of ``attempts``; ``stop_reason`` None means retry.

    In order: the attempt passed; the retries are used up; a budget is spent; no progress (identical code, or the
    same critical findings twice running; unless ``stop_on_no_progress`` is off).
    """
    config = services.config
    last = Attempt.model_validate(attempts[-1])
    if last.report.passed:
        return False, "passed"
    if state["retries"] >= config.max_retries:
        return True, f"max_retries: {len(attempts)} attempts, none passed"
    budget = budget_reason(state, services)
    if budget is not None:
        return True, budget
    if config.stop_on_no_progress:
        return True, no_progress_reason([Attempt.model_validate(a) for a in attempts[-2:]])
    return True, None


# -- auto_fix ---------------------------------------------------------------------------------------------------


def _auto_fix(state: State[Any], services: Services) -> tuple[dict[str, Any], State[Any]]:
    """Apply the safe local fixes to the last attempt, re-check it, and keep the fix unless it scores worse."""
    attempts = list(state["attempts"])
    last = Attempt.model_validate(attempts[-1])
    assert last.response is not None  # auto_fix_pending is only set for attempts with code
    options = services.config.gate_options("style")
    convention = str(services.config.gate_options("docstrings").get("convention", "google"))
    start = time.perf_counter()
    outcome: dict[str, Any] = {"attempt": last.index, "applied": [], "kept": False, "note": None}
    try:
        fixed = auto_fix(
            last.response.code,
            last.response.test_code,
            line_length=int(options.get("line_length", DEFAULT_LINE_LENGTH)),
            convention=convention,
        )
    except AutoFixError as exc:
        fixed = None
        outcome["note"] = str(exc)
    update: dict[str, Any] = {"auto_fix_pending": False}
    if fixed is not None and fixed.changed:
        response = last.response.model_copy(update={"code": fixed.code, "test_code": fixed.test_code})
        emit(services.listeners, AgentEvent("auto_fix_started", last.index, {"applied": fixed.applied}))
        report = _check_response(response, services, last.index)
        outcome["applied"] = fixed.applied
        outcome["score"] = {"before": _counts(last.report), "after": _counts(report)}
        if is_worse(report, last.report):
            outcome["note"] = "the fixed attempt scored worse, so the original was kept"
        else:
            outcome["kept"] = True
            seconds = round(last.seconds + time.perf_counter() - start, 4)
            last = last.model_copy(
                update={
                    "response": response,
                    "report": report,
                    "auto_fixes": fixed.applied,
                    "seconds": seconds,
                }
            )
            attempts[-1] = last.model_dump(mode="json")
            update["check_results"] = report.model_dump(mode="json")
            update["check_times"] = [
                *state["check_times"][:-1],
                round(state["check_times"][-1] + report.seconds, 4),
            ]
    elif fixed is not None:
        outcome["note"] = "nothing to fix locally"
    not_good_enough, stop_reason = decide(state, attempts, services)
    emit(services.listeners, AgentEvent("auto_fix_finished", last.index, dict(outcome)))
    update.update(
        attempts=attempts, not_good_enough=not_good_enough, stop_reason=stop_reason, auto_fix_result=outcome
    )
    return update, state.update(**update)


def _counts(report: CheckReport) -> dict[str, int | bool]:
    failing = (report.tests.failed + report.tests.errors) if report.tests else 0
    return {
        "passed": report.passed,
        "critical": report.critical_count,
        "warnings": report.warning_count,
        "failing_tests": failing,
    }


AUTO_FIX_READS = ["attempts", "retries", "check_results", *METRIC_KEYS]
AUTO_FIX_WRITES = [
    "attempts",
    "check_results",
    "check_times",
    "not_good_enough",
    "stop_reason",
    "auto_fix_pending",
    "auto_fix_result",
]


@action(reads=AUTO_FIX_READS, writes=AUTO_FIX_WRITES)
def auto_fix_step(state: State[Any], services: Services) -> tuple[dict[str, Any], State[Any]]:
    """Fix what a machine can fix (ruff's safe fixes, ``-> None``, ruff format) and re-check before retrying."""
    return _auto_fix(state, services)


@action(reads=AUTO_FIX_READS, writes=AUTO_FIX_WRITES)
async def auto_fix_step_async(state: State[Any], services: Services) -> tuple[dict[str, Any], State[Any]]:
    """Async :func:`auto_fix_step`: the fixers and the re-check run in a worker thread."""
    return await asyncio.to_thread(_auto_fix, state, services)


# -- ai_analysis ------------------------------------------------------------------------------------------------


def _analysis_request(state: State[Any], services: Services) -> GenerationRequest[CodeAnalysisResponse]:
    last = Attempt.model_validate(state["attempts"][-1])
    prompt = analysis_prompt(
        state["task"],
        last.response,
        last.report,
        max_chars=services.config.feedback_max_chars,
        attempt=last.index,
        acceptance_visibility=services.config.acceptance_tests_visibility,
        acceptance_tests=services.acceptance_tests
        if services.config.acceptance_tests_visibility == "verbatim"
        else None,
    )
    return GenerationRequest(
        system=ANALYSIS_SYSTEM_PROMPT,
        messages=(Message("user", prompt),),
        response_model=CodeAnalysisResponse,
        max_tokens=services.config.max_tokens,
        purpose="analysis",
    )


def _after_analysis(
    state: State[Any], outcome: Generation[CodeAnalysisResponse] | BaseException, services: Services
) -> tuple[dict[str, Any], State[Any]]:
    usage = outcome.usage if isinstance(outcome, Generation | BackendError) else Usage()
    update: dict[str, Any] = {
        "ai_analysis": None,
        "analysis_error": None,
        **_add_usage(state, usage, "analysis_tokens"),
    }
    if isinstance(outcome, Generation):
        update["ai_analysis"] = outcome.response.model_dump(mode="json")
    else:  # a failed review costs the next generation its hints, never the run
        update["analysis_error"] = f"{type(outcome).__name__}: {outcome}"
    counted = state.update(**update)
    stop_reason = budget_reason(counted, services)
    update["stop_reason"] = stop_reason
    return update, counted.update(stop_reason=stop_reason)


ANALYSIS_READS = ["task", "attempts", *METRIC_KEYS]
ANALYSIS_WRITES = ["ai_analysis", "analysis_error", "stop_reason", *METRIC_KEYS]


@action(reads=ANALYSIS_READS, writes=ANALYSIS_WRITES)
def ai_analysis(state: State[Any], services: Services) -> tuple[dict[str, Any], State[Any]]:
    """Ask the model for a structured review of the failing attempt, to feed into the next generation."""
    outcome: Generation[CodeAnalysisResponse] | BaseException
    try:
        outcome = services.backend.generate(_analysis_request(state, services))
    except Exception as exc:
        outcome = exc
    return _after_analysis(state, outcome, services)


@action(reads=ANALYSIS_READS, writes=ANALYSIS_WRITES)
async def ai_analysis_async(state: State[Any], services: Services) -> tuple[dict[str, Any], State[Any]]:
    """Async :func:`ai_analysis`: awaits the backend's native async call."""
    outcome: Generation[CodeAnalysisResponse] | BaseException
    try:
        outcome = await services.backend.agenerate(_analysis_request(state, services))
    except Exception as exc:
        outcome = exc
    return _after_analysis(state, outcome, services)


# -- end --------------------------------------------------------------------------------------------------------


END_READS = ["task", "attempts", "stop_reason", "fatal_error", "workflow_start_time", *METRIC_KEYS]


def finish(state: State[Any], services: Services, app_id: str, stop_reason: str) -> dict[str, Any]:
    """Stamp the end time, pick the best attempt and write the reports; the state update that records it.

    Used by :func:`end`, and by the agent when a run is interrupted, so finished attempts are never lost.
    """
    finished = state.update(workflow_end_time=time.time(), stop_reason=stop_reason)
    result = assemble_result(finished.get_all(), services.config, app_id=app_id, model=services.backend.model)
    context = RenderContext(config=result.config, graph_mermaid=services.graph_mermaid)
    paths = write_reports(
        result,
        services.config.report_formats,
        Path(services.config.output_dir),
        services.manager,
        context,
        when=datetime.fromtimestamp(state["workflow_start_time"]),
    )
    return {
        "workflow_end_time": finished["workflow_end_time"],
        "stop_reason": stop_reason,
        "best_attempt": result.best.index if result.best else None,
        "report_paths": {name: str(path) for name, path in paths.items()},
    }


@action(reads=END_READS, writes=["workflow_end_time", "stop_reason", "best_attempt", "report_paths"])
def end(
    state: State[Any], services: Services, __context: ApplicationContext
) -> tuple[dict[str, Any], State[Any]]:
    """Finish the run: stamp the end time, pick the best attempt and write the reports."""
    stop_reason = state["stop_reason"] or "stopped"
    if state["fatal_error"]:
        stop_reason = f"backend_error: {state['fatal_error']}"
    update = finish(state, services, __context.app_id, stop_reason)
    return update, state.update(**update)


# -- transitions ------------------------------------------------------------------------------------------------


def _retrying(state: State[Any], max_retries: int) -> bool:
    return bool(state["not_good_enough"]) and state["retries"] < max_retries and state["stop_reason"] is None


RETRY_READS = ["not_good_enough", "retries", "stop_reason"]


def retry_condition(max_retries: int) -> Condition:
    """``not_good_enough and retries < max_retries`` (and no other reason to stop)."""
    return Condition(
        RETRY_READS, lambda s: _retrying(s, max_retries), name=f"not_good_enough and retries < {max_retries}"
    )


def analysis_condition(config: AgentConfig) -> Condition:
    """Retrying, with ``enable_ai_analysis`` on: review the attempt before the next generation."""
    enabled, limit = config.enable_ai_analysis, config.max_retries
    return Condition(
        RETRY_READS,
        lambda s: enabled and _retrying(s, limit),
        name=f"retrying and enable_ai_analysis ({'on' if enabled else 'off'})",
    )


FATAL = Condition(["fatal_error"], lambda s: s["fatal_error"] is not None, name="backend failed")
FIXABLE = Condition(
    ["auto_fix_pending"], lambda s: bool(s["auto_fix_pending"]), name="failed or fixable (auto_fix)"
)


def build_graph(services: Services, *, asynchronous: bool = False) -> Graph:
    """The agent's graph with ``services`` bound into its actions.

    Every step is always in the graph (so pictures and the tracking UI show the whole loop); the conditions on
    the edges say when ``auto_fix`` and ``ai_analysis`` are taken.
    """
    generator: Action = (code_generator_async if asynchronous else code_generator).bind(services=services)
    checker: Action = (code_checker_async if asynchronous else code_checker).bind(services=services)
    fixer: Action = (auto_fix_step_async if asynchronous else auto_fix_step).bind(services=services)
    reviewer: Action = (ai_analysis_async if asynchronous else ai_analysis).bind(services=services)
    retry = retry_condition(services.config.max_retries)
    review = analysis_condition(services.config)
    graph = (
        GraphBuilder()  # type: ignore[no-untyped-call]
        .with_actions(
            **{
                GENERATOR: generator,
                CHECKER: checker,
                AUTO_FIX: fixer,
                ANALYSIS: reviewer,
                END: end.bind(services=services),
            }
        )
        .with_transitions(
            (GENERATOR, END, FATAL),
            (GENERATOR, CHECKER, default),
            (CHECKER, AUTO_FIX, FIXABLE),
            (CHECKER, ANALYSIS, review),
            (CHECKER, GENERATOR, retry),
            (CHECKER, END, default),
            (AUTO_FIX, ANALYSIS, review),
            (AUTO_FIX, GENERATOR, retry),
            (AUTO_FIX, END, default),
            (ANALYSIS, GENERATOR, retry),
            (ANALYSIS, END, default),
        )
        .build()
    )
    services.graph_mermaid = graph_mermaid(graph)
    return graph
