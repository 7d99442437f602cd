"""The Burr graph, top to bottom: ``code_generator -> code_checker -> {code_generator | end}``.

State stays JSON data (pydantic models are stored as their ``model_dump(mode="json")``) so Burr's tracker and
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

from .backends.base import BackendError, Generation, GenerationRequest, InvalidResponseError, LLMBackend, Message
from .checker import Checker
from .config import AgentConfig
from .plugins import PluginManager, default_manager
from .events import AgentEvent, Listener, emit
from .models import Attempt, CheckReport, Finding, PythonCodeGenerationResponse, Severity, Usage
from .prompts import SYSTEM_PROMPT, feedback_prompt, generation_prompt
from .reports.base import RenderContext
from .reports.writer import write_reports
from .results import assemble_result
from .selection import no_progress_reason
from .visualize import graph_mermaid

__all__ = ["GENERATOR", "CHECKER", "END", "Services", "build_graph", "initial_state"]

GENERATOR, CHECKER, END = "code_generator", "code_checker", "end"

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


def _request(state: State, services: Services) -> GenerationRequest[PythonCodeGenerationResponse]:
    attempts = state["attempts"]
    if not attempts:
        prompt = generation_prompt(state["task"])
    else:
        last = Attempt.model_validate(attempts[-1])
        prompt = feedback_prompt(
            state["task"],
            last.response,
            last.report,
            max_chars=services.config.feedback_max_chars,
            analysis=state["ai_analysis"],
        )
    return GenerationRequest(
        system=SYSTEM_PROMPT,
        messages=(Message("user", prompt),),
        response_model=PythonCodeGenerationResponse,
        max_tokens=services.config.max_tokens,
    )


def _after_generation(
    state: State,
    request: GenerationRequest[PythonCodeGenerationResponse],
    outcome: Generation[PythonCodeGenerationResponse] | BaseException,
    seconds: float,
    services: Services,
) -> tuple[dict[str, Any], State]:
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
        emit(services.listeners, AgentEvent("generation_finished", attempt_no, {"usage": usage, "seconds": seconds}))
    elif isinstance(outcome, InvalidResponseError):
        update["generation_error"] = f"invalid response: {outcome}"
        update["raw_response"] = outcome.raw
        emit(services.listeners, AgentEvent("generation_failed", attempt_no, {"error": str(outcome), "fatal": False}))
    else:
        update["fatal_error"] = f"{type(outcome).__name__}: {outcome}"
        emit(services.listeners, AgentEvent("generation_failed", attempt_no, {"error": str(outcome), "fatal": True}))
    return update, state.update(**update)


def _add_usage(state: State, usage: Usage, bucket: str) -> dict[str, Any]:
    return {
        "input_tokens": state["input_tokens"] + usage.input_tokens,
        "output_tokens": state["output_tokens"] + usage.output_tokens,
        "total_tokens_used": state["total_tokens_used"] + usage.total_tokens,
        bucket: state[bucket] + usage.total_tokens,
        "cache_read_tokens": state["cache_read_tokens"] + usage.cache_read_tokens,
        "cache_write_tokens": state["cache_write_tokens"] + usage.cache_write_tokens,
        "api_call_count": state["api_call_count"] + usage.api_calls,
    }


GENERATOR_READS = ["task", "retries", "attempts", "not_good_enough", "check_results", "ai_analysis", *METRIC_KEYS]
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
def code_generator(state: State, services: Services) -> tuple[dict[str, Any], State]:
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
async def code_generator_async(state: State, services: Services) -> tuple[dict[str, Any], State]:
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


def _check(state: State, services: Services) -> CheckReport:
    attempt_no = len(state["attempts"]) + 1
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
    report = services.checker.check(
        response.code,
        response.test_code if response.test_code.strip() else None,
        function_name=response.function_name,
        dependencies=response.dependencies or (),
        acceptance_tests=services.acceptance_tests,
        attempt=attempt_no,
    )
    if not response.test_code.strip():  # inside the agent an answer without tests is critical
        missing = Finding(
            gate="tests",
            rule="tests.missing",
            severity=Severity.CRITICAL,
            message="The answer has no test code.",
            target="tests",
            suggestion="Return pytest tests in `test_code` that import from `solution` and assert behaviour.",
        )
        report = CheckReport.from_findings(
            [missing, *report.findings],
            gates=report.gates,
            tests=report.tests,
            seconds=report.seconds,
            warning_threshold=report.warning_threshold,
        )
    return report


def _after_check(state: State, report: CheckReport, services: Services) -> tuple[dict[str, Any], State]:
    config = services.config
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
    not_good_enough = not report.passed
    stop_reason: str | None = None
    if not not_good_enough:
        stop_reason = "passed"
    elif state["retries"] >= config.max_retries:
        stop_reason = f"max_retries: {len(attempts)} attempts, none passed"
    elif config.max_total_tokens is not None and state["total_tokens_used"] >= config.max_total_tokens:
        stop_reason = f"token_budget: {state['total_tokens_used']} tokens used of {config.max_total_tokens}"
    elif config.stop_on_no_progress:
        stop_reason = no_progress_reason([Attempt.model_validate(a) for a in attempts])
    update: dict[str, Any] = {
        "check_results": report.model_dump(mode="json"),
        "not_good_enough": not_good_enough,
        "attempts": attempts,
        "stop_reason": stop_reason,
        "check_times": [*state["check_times"], report.seconds],
    }
    emit(services.listeners, AgentEvent("step_finished", attempt.index, {"attempt": attempt}))
    return update, state.update(**update)


CHECKER_READS = ["generated_python_response", "generation_error", "task", "attempts", "retries", "last_usage",
                 "generation_times", "check_times", "total_tokens_used"]
CHECKER_WRITES = ["check_results", "not_good_enough", "attempts", "stop_reason", "check_times"]


@action(reads=CHECKER_READS, writes=CHECKER_WRITES)
def code_checker(state: State, services: Services) -> tuple[dict[str, Any], State]:
    """Run every enabled gate over the code and tests and decide whether the attempt is good enough."""
    return _after_check(state, _check(state, services), services)


@action(reads=CHECKER_READS, writes=CHECKER_WRITES)
async def code_checker_async(state: State, services: Services) -> tuple[dict[str, Any], State]:
    """Async :func:`code_checker`: the gates run in a worker thread so the event loop stays free."""
    report = await asyncio.to_thread(_check, state, services)
    return _after_check(state, report, services)


# -- end --------------------------------------------------------------------------------------------------------


END_READS = ["task", "attempts", "stop_reason", "fatal_error", "workflow_start_time", *METRIC_KEYS]


@action(reads=END_READS, writes=["workflow_end_time", "stop_reason", "best_attempt", "report_paths"])
def end(state: State, services: Services, __context: ApplicationContext) -> tuple[dict[str, Any], State]:
    """Finish the run: stamp the end time, pick the best attempt and write the reports."""
    stop_reason = state["stop_reason"] or "stopped"
    if state["fatal_error"]:
        stop_reason = f"backend_error: {state['fatal_error']}"
    finished = state.update(workflow_end_time=time.time(), stop_reason=stop_reason)
    result = assemble_result(
        finished.get_all(), services.config, app_id=__context.app_id, model=services.backend.model
    )
    context = RenderContext(config=result.config, graph_mermaid=services.graph_mermaid)
    paths = write_reports(
        result,
        services.config.report_formats,
        Path(services.config.output_dir),
        services.manager,
        context,
        when=datetime.fromtimestamp(state["workflow_start_time"]),
    )
    update = {
        "workflow_end_time": finished["workflow_end_time"],
        "stop_reason": stop_reason,
        "best_attempt": result.best.index if result.best else None,
        "report_paths": {name: str(path) for name, path in paths.items()},
    }
    return update, state.update(**update)


# -- transitions ------------------------------------------------------------------------------------------------


def retry_condition(max_retries: int) -> Condition:
    """``not_good_enough and retries < max_retries`` (and no other reason to stop)."""
    return Condition(
        ["not_good_enough", "retries", "stop_reason"],
        lambda s: bool(s["not_good_enough"]) and s["retries"] < max_retries and s["stop_reason"] is None,
        name=f"not_good_enough and retries < {max_retries}",
    )


FATAL = Condition(["fatal_error"], lambda s: s["fatal_error"] is not None, name="backend failed")


def build_graph(services: Services, *, asynchronous: bool = False) -> Graph:
    """The agent's graph with ``services`` bound into its actions."""
    generator: Action = (code_generator_async if asynchronous else code_generator).bind(services=services)
    checker: Action = (code_checker_async if asynchronous else code_checker).bind(services=services)
    graph = (
        GraphBuilder()
        .with_actions(**{GENERATOR: generator, CHECKER: checker, END: end.bind(services=services)})
        .with_transitions(
            (GENERATOR, END, FATAL),
            (GENERATOR, CHECKER, default),
            (CHECKER, GENERATOR, retry_condition(services.config.max_retries)),
            (CHECKER, END, default),
        )
        .build()
    )
    services.graph_mermaid = graph_mermaid(graph)
    return graph
