"""The agent's Burr state machine, top to bottom::

    code_generator --(backend failed)------------------------------------------> end
        |
        v
    code_checker --(failed or fixable, auto_fix on)--> auto_fix
        |                                                 |
        |<------------------------------------------------+  (auto_fix leaves by code_checker's edges)
        |
        +--(retrying, enable_ai_analysis on)--> ai_analysis --(retrying)--> code_generator
        |                                                   +--(otherwise)--> end
        +--(retrying: not good enough, retries left, no reason to stop)--> code_generator
        +--(otherwise)--> end

A run starts at ``code_generator``; :meth:`CodeAgent.improve <burr_codeagent.agent.CodeAgent.improve>` starts at
``code_checker`` instead, with the user's own code as the answer to check (:func:`initial_state` with
``existing``), so code that already passes ends without a model call.

``code_generator`` asks the model for code and tests (the task first, then feedback on the last attempt);
``code_checker`` runs the gates and asks the stop policy (:mod:`burr_codeagent.policy`) whether to go on;
``auto_fix`` applies safe local fixes and checks again, keeping the fix unless it scores worse; ``ai_analysis``
has the model review the failing attempt for the next prompt; ``end`` picks the best attempt and writes the reports.
What each step does is in :mod:`burr_codeagent.steps`; this module declares the steps, what state each reads and
writes, and the edges between them.

State stays JSON data (pydantic models are stored as their ``model_dump(mode="json")``) so Burr's tracker and
persisters can record it. Each generation's raw answer is saved with the parsed one, so a resumed run never asks
the model again for a step that finished.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from burr.core import ApplicationContext, Condition, State, action, default
from burr.core.action import Action, FunctionRepresentingAction
from burr.core.graph import Graph, GraphBuilder

from .config import AgentConfig
from .models import PythonCodeGenerationResponse
from .run_usage import RunUsage
from .steps import ai_analysis as review_step
from .steps import auto_fix as fix_step
from .steps import code_checker as check_step
from .steps import code_generator as generate_step
from .steps import end as end_step
from .steps.end import finish
from .steps.services import Services, StepResult
from .visualize import graph_mermaid

__all__ = [
    "ANALYSIS",
    "AUTO_FIX",
    "CHECKER",
    "END",
    "GENERATOR",
    "IMPROVE_ENTRYPOINT",
    "GraphShape",
    "Services",
    "build_graph",
    "finish",
    "initial_state",
    "running_with",
    "shared_graph",
]

GENERATOR, CHECKER, AUTO_FIX, ANALYSIS, END = (
    "code_generator",
    "code_checker",
    "auto_fix",
    "ai_analysis",
    "end",
)

IMPROVE_ENTRYPOINT = CHECKER
"""Where a run that starts from existing code begins: checking it."""

Step = FunctionRepresentingAction[Any]  # an ``@action`` function, bound or not


# -- state ------------------------------------------------------------------------------------------------------


def initial_state(
    task: str,
    config: AgentConfig,
    *,
    existing: PythonCodeGenerationResponse | None = None,
    change_requested: bool = False,
) -> dict[str, Any]:
    """The state a run starts from: every key the steps read, as JSON data.

    Args:
        existing: Code (and tests) that exist already: the run starts at ``code_checker`` with them as the answer
            to check (see :data:`IMPROVE_ENTRYPOINT`).
        change_requested: The task asks ``existing`` to change: the model is asked even if it already passes.
    """
    return {
        "task": task,
        "change_requested": change_requested,
        "retries": 0,  # regenerations so far (the first generation is not a retry)
        "max_retries": config.max_retries,
        "not_good_enough": True,
        "stop_reason": None,  # set by the stop policy; None while the loop should go on
        # the latest generation
        "generated_python_response": (  # the parsed answer
            existing.model_dump(mode="json") if existing is not None else None
        ),
        "raw_response": None,  # the model's text, parsed or not
        "generation_error": None,  # why the answer could not be used
        "fatal_error": None,  # the backend failed: the run ends
        "last_prompt": None,
        "last_usage": None,  # this generation's tokens (a Usage)
        "last_edits": [],  # what became of each edit of a retry answer (EditOutcome)
        # the latest check
        "check_results": None,  # its CheckReport
        "attempts": [],  # every Attempt so far
        "auto_fix_pending": False,
        "auto_fix_result": None,  # what the auto-fix did and whether the fix was kept
        "ai_analysis": None,  # the review for the next prompt (a CodeAnalysisResponse)
        "analysis_error": None,
        # the whole run
        "usage": RunUsage().model_dump(mode="json"),  # tokens by purpose, calls, step timings
        "workflow_start_time": time.time(),
        "workflow_end_time": None,
    }


# -- actions, in the order they run -----------------------------------------------------------------------------

# The original design's keys: the verdict and the report the feedback is about, the review, and the metrics.
GENERATOR_READS = ["task", "not_good_enough", "retries", "check_results", "attempts", "ai_analysis", "usage"]
GENERATOR_WRITES = [
    "generated_python_response",
    "raw_response",
    "generation_error",
    "fatal_error",
    "retries",
    "last_prompt",
    "last_usage",
    "last_edits",
    "usage",
]


@action(reads=GENERATOR_READS, writes=GENERATOR_WRITES)
def code_generator(state: State[Any], services: Services | None = None) -> StepResult:
    """Ask the model for code and tests: the task first, then targeted feedback on the last attempt."""
    return generate_step.generate(state, running(services))


@action(reads=GENERATOR_READS, writes=GENERATOR_WRITES)
async def code_generator_async(state: State[Any], services: Services | None = None) -> StepResult:
    """Async :func:`code_generator`: awaits the backend's native async call."""
    return await generate_step.agenerate(state, running(services))


CHECKER_READS = [
    "task",
    "change_requested",
    "generated_python_response",
    "generation_error",
    "attempts",
    "retries",
    "last_usage",
    "last_edits",
    "usage",
]
CHECKER_WRITES = [
    "check_results",
    "attempts",
    "not_good_enough",
    "stop_reason",
    "usage",
    "auto_fix_pending",
    "auto_fix_result",
    "ai_analysis",
    "analysis_error",
]


@action(reads=CHECKER_READS, writes=CHECKER_WRITES)
def code_checker(state: State[Any], services: Services | None = None) -> StepResult:
    """Run every enabled gate over the code and tests and decide whether the attempt is good enough."""
    return check_step.check(state, running(services))


@action(reads=CHECKER_READS, writes=CHECKER_WRITES)
async def code_checker_async(state: State[Any], services: Services | None = None) -> StepResult:
    """Async :func:`code_checker`: the gates run in a worker thread so the event loop stays free."""
    return await check_step.acheck(state, running(services))


AUTO_FIX_READS = ["task", "attempts", "retries", "usage", "change_requested"]
AUTO_FIX_WRITES = [
    "attempts",
    "check_results",
    "usage",
    "not_good_enough",
    "stop_reason",
    "auto_fix_pending",
    "auto_fix_result",
]


@action(reads=AUTO_FIX_READS, writes=AUTO_FIX_WRITES)
def auto_fix_step(state: State[Any], services: Services | None = None) -> StepResult:
    """Fix what a machine can fix (ruff's safe fixes, ``-> None``, ruff format) and re-check before retrying."""
    return fix_step.fix(state, running(services))


@action(reads=AUTO_FIX_READS, writes=AUTO_FIX_WRITES)
async def auto_fix_step_async(state: State[Any], services: Services | None = None) -> StepResult:
    """Async :func:`auto_fix_step`: the fixers and the re-check run in a worker thread."""
    return await fix_step.afix(state, running(services))


ANALYSIS_READS = ["task", "attempts", "usage"]
ANALYSIS_WRITES = ["ai_analysis", "analysis_error", "usage", "stop_reason"]


@action(reads=ANALYSIS_READS, writes=ANALYSIS_WRITES)
def ai_analysis(state: State[Any], services: Services | None = None) -> StepResult:
    """Ask the model for a structured review of the failing attempt, to feed into the next generation."""
    return review_step.review(state, running(services))


@action(reads=ANALYSIS_READS, writes=ANALYSIS_WRITES)
async def ai_analysis_async(state: State[Any], services: Services | None = None) -> StepResult:
    """Async :func:`ai_analysis`: awaits the backend's native async call."""
    return await review_step.areview(state, running(services))


END_READS = ["task", "attempts", "stop_reason", "fatal_error", "usage", "workflow_start_time"]
END_WRITES = ["workflow_end_time", "stop_reason", "best_attempt", "report_paths"]


@action(reads=END_READS, writes=END_WRITES)
def end(
    state: State[Any],
    graph_mermaid: str | None,
    __context: ApplicationContext,
    services: Services | None = None,
) -> StepResult:
    """Finish the run: stamp the end time, pick the best attempt and write the reports."""
    return end_step.end(state, running(services), __context.app_id, graph_mermaid)


@action(reads=END_READS, writes=END_WRITES)
async def end_async(
    state: State[Any],
    graph_mermaid: str | None,
    __context: ApplicationContext,
    services: Services | None = None,
) -> StepResult:
    """Async :func:`end`: the reports are rendered and written on a builder thread, off the event loop."""
    from .backends.clients import off_loop

    return await off_loop(end_step.end, state, running(services), __context.app_id, graph_mermaid)


# -- transitions ------------------------------------------------------------------------------------------------

RETRY_READS = ["not_good_enough", "retries", "stop_reason"]


def _retrying(state: State[Any], max_retries: int) -> bool:
    return bool(state["not_good_enough"]) and state["retries"] < max_retries and state["stop_reason"] is None


def retry_condition(max_retries: int) -> Condition:
    """``not_good_enough and retries < max_retries`` (and no other reason to stop)."""
    return Condition(
        RETRY_READS, lambda s: _retrying(s, max_retries), name=f"not_good_enough and retries < {max_retries}"
    )


def analysis_condition(enabled: bool, limit: int) -> Condition:
    """Retrying, with ``enable_ai_analysis`` on: review the attempt before the next generation."""
    return Condition(
        RETRY_READS,
        lambda s: enabled and _retrying(s, limit),
        name=f"retrying and enable_ai_analysis ({'on' if enabled else 'off'})",
    )


FATAL = Condition(["fatal_error"], lambda s: s["fatal_error"] is not None, name="backend failed")
FIXABLE = Condition(
    ["auto_fix_pending"], lambda s: bool(s["auto_fix_pending"]), name="failed or fixable (auto_fix)"
)


def _wire(steps: Mapping[str, Step], shape: GraphShape) -> Graph:
    retry, review = (
        retry_condition(shape.max_retries),
        analysis_condition(shape.ai_analysis, shape.max_retries),
    )
    return (
        GraphBuilder()  # type: ignore[no-untyped-call]
        .with_actions(**steps)
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


@dataclass(frozen=True)
class GraphShape:
    """The settings the graph depends on (its edges' conditions and whether its steps are async); nothing per run."""

    max_retries: int
    ai_analysis: bool
    asynchronous: bool = False

    @classmethod
    def of(cls, config: AgentConfig, *, asynchronous: bool = False) -> GraphShape:
        return cls(config.max_retries, config.enable_ai_analysis, asynchronous)


def _steps(asynchronous: bool) -> dict[str, Step]:
    if asynchronous:
        return {
            GENERATOR: code_generator_async,
            CHECKER: code_checker_async,
            AUTO_FIX: auto_fix_step_async,
            ANALYSIS: ai_analysis_async,
            END: end_async,
        }
    return {
        GENERATOR: code_generator,
        CHECKER: code_checker,
        AUTO_FIX: auto_fix_step,
        ANALYSIS: ai_analysis,
        END: end,
    }


@functools.cache
def shared_graph(shape: GraphShape) -> Graph:
    """The agent's graph for ``shape``, built once per process and shared by every run: each run's services are
    found in the run's context (:func:`running_with`), not bound into the actions.

    Binding a Burr function action re-validates it, reading its source (``inspect.getsource``): ~6 ms of CPU per
    run, a quarter of an agent run's own CPU in a batch.
    """
    steps = _steps(shape.asynchronous)
    picture = graph_mermaid(_wire(steps, shape))  # names and edges only
    graph = _wire({**steps, END: steps[END].bind(graph_mermaid=picture)}, shape)
    for step in graph.actions:
        _remember_source(step)
    return graph


def _remember_source(step: Action) -> None:
    """Make ``step`` answer ``get_source`` from a copy read now.

    Burr's tracker stores every action's source with every run it tracks (``inspect.getsource``, ~2 ms of CPU per
    run); ``Action.get_source`` is Burr's documented override for what tracking shows.
    """
    source = step.get_source()
    step.get_source = lambda: source  # type: ignore[method-assign]


def build_graph(services: Services, *, asynchronous: bool = False) -> Graph:
    """The agent's graph with ``services`` bound into its actions, to run outside :func:`running_with` (an
    application built for embedding).

    Every step is always in the graph (so pictures and the tracking UI show the whole loop); the conditions on
    the edges say when ``auto_fix`` and ``ai_analysis`` are taken. The ``end`` step is given the graph's mermaid
    picture for the reports that show it.
    """
    shape = GraphShape.of(services.config, asynchronous=asynchronous)
    steps = _steps(asynchronous)
    picture = graph_mermaid(_wire(steps, shape))
    bound = {name: step.bind(services=services) for name, step in steps.items()}
    return _wire({**bound, END: steps[END].bind(services=services, graph_mermaid=picture)}, shape)


_RUNNING: contextvars.ContextVar[Services] = contextvars.ContextVar("codeagent_run_services")


@contextlib.contextmanager
def running_with(services: Services) -> Iterator[None]:
    """Run the steps of :func:`shared_graph` inside this block with ``services`` (this thread or task only)."""
    token = _RUNNING.set(services)
    try:
        yield
    finally:
        _RUNNING.reset(token)


def running(bound: Services | None) -> Services:
    """The services of the step being run: bound into the action, or those of :func:`running_with`."""
    if bound is not None:
        return bound
    try:
        return _RUNNING.get()
    except LookupError:
        raise RuntimeError(
            "the agent's shared graph runs inside running_with(services); use CodeAgent.application() to get an "
            "application to run yourself"
        ) from None
