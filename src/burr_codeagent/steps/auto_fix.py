"""``auto_fix``: apply the safe local fixes (:mod:`burr_codeagent.autofix`) to the last attempt and check it again.

The fixed attempt replaces the original unless it scores worse (:func:`~burr_codeagent.policy.is_worse`); either
way the policy decides again, since a kept fix may have made the attempt pass.
"""

from __future__ import annotations

import time
from typing import Any

from burr.core import State

from ..autofix import AutoFixError, FixResult, fix_response
from ..check_pool import in_check_pool
from ..events import AgentEvent, emit
from ..models import Attempt, CheckReport
from ..policy import is_worse
from ..run_usage import RunUsage
from .code_checker import check_response, decide_after
from .services import Services, StepResult

__all__ = ["afix", "fix"]


def fix(state: State[Any], services: Services) -> StepResult:
    """Fix and re-check the last attempt in the calling thread."""
    attempts = list(state["attempts"])
    last = Attempt.model_validate(attempts[-1])
    assert last.response is not None  # auto_fix_pending is only set for attempts with code
    start = time.perf_counter()
    outcome: dict[str, Any] = {"attempt": last.index, "applied": [], "kept": False, "note": None}
    fixed: FixResult | None = None
    try:
        fixed = fix_response(last.response, services.config)
    except AutoFixError as exc:
        outcome["note"] = str(exc)
    update: dict[str, Any] = {"auto_fix_pending": False}
    if fixed is not None and fixed.changed:
        response = last.response.model_copy(update={"code": fixed.code, "test_code": fixed.test_code})
        emit(services.listeners, AgentEvent("auto_fix_started", last.index, {"applied": fixed.applied}))
        report = check_response(response, services, last.index, state["task"])
        outcome["applied"] = fixed.applied
        outcome["score"] = {"before": _counts(last.report), "after": _counts(report)}
        if is_worse(report, last.report):
            outcome["note"] = "the fixed attempt scored worse, so the original was kept"
        else:
            outcome["kept"] = True
            seconds = round(last.seconds + time.perf_counter() - start, 4)
            changes = {
                "response": response,
                "report": report,
                "auto_fixes": fixed.applied,
                "seconds": seconds,
                "report_before_auto_fix": last.report_before_auto_fix
                or last.report,  # the model's own answer
            }
            last = last.model_copy(update=changes)
            attempts[-1] = last.model_dump(mode="json")
            update["check_results"] = report.model_dump(mode="json")
            usage = RunUsage.model_validate(state["usage"]).rechecked(report.seconds)
            update["usage"] = usage.model_dump(mode="json")
    elif fixed is not None:
        outcome["note"] = "nothing to fix locally"
    update.update(attempts=attempts, auto_fix_result=outcome, **decide_after(state, attempts, services))
    emit(services.listeners, AgentEvent("auto_fix_finished", last.index, dict(outcome)))
    return update, state.update(**update)


async def afix(state: State[Any], services: Services) -> StepResult:
    """:func:`fix` on the bounded check pool: the fixers and the re-check block."""
    return await in_check_pool(fix, state, services)


def _counts(report: CheckReport) -> dict[str, int | bool]:
    failing = (report.tests.failed + report.tests.errors) if report.tests else 0
    return {
        "passed": report.passed,
        "critical": report.critical_count,
        "warnings": report.warning_count,
        "failing_tests": failing,
    }
