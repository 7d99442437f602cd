"""The ``acceptance`` gate: the user's own tests, run in the sandbox against every attempt.

Acceptance tests come from ``CodeAgent.run(task, acceptance_tests=...)``, ``codeagent run TASK --tests FILE`` or
``codeagent check FILE --acceptance FILE``; they import the code as module ``solution``, like the generated tests,
but run on their own (as ``test_acceptance.py``), independent of them. Each failing acceptance test is a critical
finding with its message, so an attempt whose own tests pass but whose acceptance tests fail does not pass.

What the model is shown is ``AgentConfig.acceptance_tests_visibility``: ``"failures"`` (default) sends these
findings, ``"none"`` marks them ``model_hidden`` so a retry only says that the acceptance checks failed (the reports
still show them), ``"verbatim"`` also puts the tests' source into every prompt.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from ..hookspecs import hookimpl
from ..models import Finding, Severity
from ._sandboxed import dependency_env_vars, require_execution, run_sandboxed
from .base import Gate, GateContext, GateSkipped

if TYPE_CHECKING:
    from ..sandbox import PytestResult, TestCase

__all__ = ["ACCEPTANCE_TEST_FILE", "AcceptanceGate"]

ACCEPTANCE_TEST_FILE = "test_acceptance.py"
DETAILS_MAX = 600
RULES = {
    "acceptance.failed": "An acceptance test (the user's) failed or errored.",
    "acceptance.collection_error": "The acceptance tests could not be imported or collected against the code.",
    "acceptance.no_tests": "The acceptance tests define no test that ran.",
    "acceptance.timeout": "The acceptance tests did not finish within the time limit.",
    "acceptance.crashed": "The acceptance test run ended without a trustworthy report.",
}


class AcceptanceGate:
    """Runs the user's acceptance tests against the code, in the sandbox."""

    waits_on_subprocess = True  # runs in a thread while in-process gates use the interpreter
    name = "acceptance"
    description = (
        "Runs the user's acceptance tests against every attempt in the sandbox; critical on failure."
    )
    rules = RULES
    after = ("dependencies",)

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        if not ctx.acceptance_tests or not ctx.acceptance_tests.strip():
            raise GateSkipped("no acceptance tests were given")
        require_execution(ctx)
        try:
            ast.parse(ctx.acceptance_tests)
        except SyntaxError as exc:
            raise ValueError(f"the acceptance tests do not parse: line {exc.lineno}: {exc.msg}") from exc
        from ..sandbox import PytestRun  # here: a check without acceptance tests never loads the sandbox

        spec = PytestRun(
            code=ctx.code,
            test_code=ctx.acceptance_tests,
            test_file=ACCEPTANCE_TEST_FILE,
            timeout=ctx.config.execution_timeout,
            env=dependency_env_vars(ctx),
        )
        result = run_sandboxed(ctx, spec)
        hidden = ctx.config.acceptance_tests_visibility == "none"
        for found in _verdict(result, ctx.config.execution_timeout):
            yield found.model_copy(update={"model_hidden": True}) if hidden else found


def _verdict(result: PytestResult, timeout: float) -> Iterator[Finding]:
    outcome = result.outcome
    if outcome.timed_out:
        yield _critical("acceptance.timeout", f"The acceptance tests did not finish within {timeout:g} s.")
    elif result.problem is not None:
        yield _critical(
            "acceptance.crashed",
            f"The acceptance test run does not count: {result.problem} (exit status {result.run.returncode}).",
        )
    for case in result.collection_errors:
        yield _critical(
            "acceptance.collection_error",
            f"The acceptance tests could not be collected against the code: {_tail(case.traceback or case.message)}",
            "The acceptance tests import names from `solution`: define them with the expected signatures.",
        )
    for case in result.failures:
        yield _failure(case)
    ran = outcome.passed + outcome.failed + outcome.errors
    if not outcome.timed_out and result.problem is None and not result.collection_errors and ran == 0:
        yield _critical("acceptance.no_tests", "No acceptance test ran: the file defines no test_* function.")


def _failure(case: TestCase) -> Finding:
    verb = "failed" if case.outcome == "failed" else "errored"
    reason = case.message.strip().splitlines()[0][:300] if case.message.strip() else case.outcome
    details = _tail(case.traceback)
    return _critical(
        "acceptance.failed",
        f"Acceptance test {case.label} {verb}: {reason}" + (f"\n{details}" if details else ""),
        "The acceptance tests are the user's and are right: change the code, not your understanding of them.",
    )


def _tail(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    kept = "\n".join(lines[-12:])
    return kept if len(kept) <= DETAILS_MAX else "..." + kept[-DETAILS_MAX:]


def _critical(rule: str, message: str, suggestion: str | None = None) -> Finding:
    return Finding(
        gate="acceptance", rule=rule, severity=Severity.CRITICAL, message=message, suggestion=suggestion
    )


@hookimpl
def register_gates(register: Callable[[Gate], None]) -> None:
    """Register the ``acceptance`` gate."""
    register(AcceptanceGate())
