"""``code_checker``: run every enabled gate over the attempt, record it, and decide whether the loop goes on."""

from __future__ import annotations

from typing import Any

from burr.core import State

from ..autofix import worth_fixing
from ..check_pool import in_check_pool
from ..events import AgentEvent, emit
from ..models import Attempt, CheckReport, Finding, PythonCodeGenerationResponse, Severity, Usage
from ..policy import decide
from ..run_usage import RunUsage
from .services import Services, StepResult

__all__ = ["acheck", "check", "check_response", "decide_after"]


def check_response(
    response: PythonCodeGenerationResponse, services: Services, attempt_no: int, task: str | None = None
) -> CheckReport:
    """The checker's report on one answer to ``task``; inside the agent an answer without tests is critical."""
    has_tests = bool(response.test_code.strip())
    for _ in range(2):  # unverified (a gate could not run): check again rather than ask the model for a fix
        report = services.checker.check(
            response.code,
            response.test_code if has_tests else None,
            function_name=response.function_name,
            dependencies=response.dependencies or (),
            acceptance_tests=services.acceptance_tests,
            attempt=attempt_no,
            task=task,
            module=services.module,
        )
        if not report.unverified:
            break
    if has_tests:
        return report
    missing = Finding(
        gate="tests",
        rule="tests.missing",
        severity=Severity.CRITICAL,
        message="The answer has no test code.",
        target="tests",
        suggestion=f"Return pytest tests in `test_code` that import from `{services.module.name}` and assert "
        "behaviour.",
    )
    return CheckReport.from_findings(
        [missing, *report.findings],
        gates=report.gates,
        tests=report.tests,
        seconds=report.seconds,
        warning_threshold=report.warning_threshold,
    )


def _report(state: State[Any], services: Services) -> CheckReport:
    data = state["generated_python_response"]
    if data is None:
        problem = Finding(
            gate="generation",
            rule="generation.invalid_response",
            severity=Severity.CRITICAL,
            message=f"The model's answer could not be used: {state['generation_error']}",
            suggestion="Answer with every field of the requested JSON structure filled in.",
        )
        threshold = services.config.warning_threshold
        return CheckReport.from_findings(
            [problem], gates=[], tests=None, seconds=0.0, warning_threshold=threshold
        )
    response = PythonCodeGenerationResponse.model_validate(data)
    return check_response(response, services, len(state["attempts"]) + 1, state["task"])


def check(state: State[Any], services: Services) -> StepResult:
    """Check the answer in the calling thread and record the attempt."""
    return record(state, _report(state, services), services)


async def acheck(state: State[Any], services: Services) -> StepResult:
    """Check the answer in a bounded check pool (the event loop stays free) and record the attempt."""
    report = await in_check_pool(_report, state, services)
    return record(state, report, services)


def decide_after(state: State[Any], attempts: list[dict[str, Any]], services: Services) -> dict[str, Any]:
    """The policy's verdict on ``attempts`` (JSON, the last one new) as a state update.

    Existing code that a task asks to change (``change_requested``) goes to the model at least once, even when it
    already passes: until then the verdict is "retry".
    """
    spent = RunUsage.model_validate(state["usage"]).total
    verdict = decide(
        [Attempt.model_validate(a) for a in attempts],
        retries=state["retries"],
        spent=spent,
        config=services.config,
        model=services.backend.model,
    )
    unchanged = state.get("change_requested") and state["retries"] == 0  # the model has not answered yet
    if unchanged and verdict.stop_reason == "passed" and services.config.max_retries > 0:
        return {"not_good_enough": True, "stop_reason": None}
    return {"not_good_enough": verdict.not_good_enough, "stop_reason": verdict.stop_reason}


def record(state: State[Any], report: CheckReport, services: Services) -> StepResult:
    """The state after a check: the new attempt, the verdict, and whether the auto-fix step should run."""
    data = state["generated_python_response"]
    usage = RunUsage.model_validate(state["usage"]).checked(report.seconds)
    attempt = Attempt(
        index=len(state["attempts"]) + 1,
        response=PythonCodeGenerationResponse.model_validate(data) if data else None,
        report=report,
        usage=Usage.model_validate(state["last_usage"]) if state["last_usage"] else Usage(),
        seconds=round((usage.generation_seconds or [0.0])[-1] + report.seconds, 4),
        error=state["generation_error"],
        edits=state.get("last_edits") or [],
    )
    attempts = [*state["attempts"], attempt.model_dump(mode="json")]
    update: dict[str, Any] = {
        "check_results": report.model_dump(mode="json"),
        "attempts": attempts,
        **decide_after(state, attempts, services),
        "usage": usage.model_dump(mode="json"),
        "auto_fix_pending": services.config.auto_fix and worth_fixing(attempt.response, report),
        "auto_fix_result": None,
        "ai_analysis": None,
        "analysis_error": None,
    }
    emit(services.listeners, AgentEvent("step_finished", attempt.index, {"attempt": attempt}))
    return update, state.update(**update)
