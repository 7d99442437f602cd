"""The ``execution`` gate: run the generated tests with pytest inside the sandbox (see :mod:`burr_codeagent.sandbox`).

Critical when no test ran, any test failed or errored, collection failed, the run timed out or was killed, or pytest
left no trustworthy report. The :class:`~burr_codeagent.models.TestOutcome` is published as
``ctx.shared["test_outcome"]`` so the checker puts it into the report. The run includes what other gates add to it
(``ctx.test_run_extensions``, see :class:`~burr_codeagent.gates.base.ExtendsTestRun`: coverage, for one) and is
published whole as :attr:`GateContext.test_run <burr_codeagent.gates.base.GateContext.test_run>` for them to read.
"""

from __future__ import annotations

import ast
import logging
import re
import signal
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Literal

from ..hookspecs import hookimpl
from ..models import Finding, Severity
from ._sandboxed import require_execution, run_sandboxed, sandbox_for, test_run_spec
from .base import TEST_RUN, Gate, GateContext, GateSkipped
from .dependencies import MISSING_KEY

if TYPE_CHECKING:
    from ..sandbox import PytestResult, TestCase

__all__ = ["ExecutionGate"]

log = logging.getLogger(__name__)

RULES = {
    "execution.failed": "A generated test failed.",
    "execution.error": "A generated test errored in setup or teardown.",
    "execution.collection_error": "pytest could not import or collect the tests.",
    "execution.no_tests": "No test ran.",
    "execution.timeout": "The tests did not finish within the time limit.",
    "execution.memory": "The code ran out of its memory allowance.",
    "execution.disk": "The code wrote more to disk than the sandbox allows.",
    "execution.killed": "The test run was killed by a signal (CPU limit, its own doing, or the sandbox).",
    "execution.crashed": "pytest ended without a trustworthy report (os._exit, a segfault, a killed runner).",
    "execution.unisolated": "The tests ran without namespace isolation.",
    "execution.output_truncated": "The tests printed more output than is kept.",
}
_MEMORY_MARKERS = ("MemoryError", "Cannot allocate memory", "std::bad_alloc")


class ExecutionGate:
    """Runs the generated tests for real with pytest, in the strongest sandbox available."""

    waits_on_subprocess = True  # runs in a thread while in-process gates use the interpreter
    name = "execution"
    description = "Runs the generated tests with pytest in the sandbox; critical when none ran or any failed."
    rules = RULES
    needs_tests = True
    after = ("syntax", "dependencies")

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        require_execution(ctx)
        config = ctx.config
        missing = ctx.shared.get(MISSING_KEY)
        if missing:
            raise GateSkipped(
                f"dependency {', '.join(missing)} could not be installed (see the dependencies gate)"
            )
        sandbox = sandbox_for(ctx)
        spec = test_run_spec(ctx)
        for extension in ctx.test_run_extensions:  # one session for the tests and every measurement in them
            try:
                spec = spec.extended(extension)
            except ValueError as exc:
                log.warning("a test run extension was left out: %s", exc)
        result = run_sandboxed(ctx, spec, sandbox)
        ctx.shared["test_outcome"] = result.outcome
        ctx.shared[TEST_RUN] = result
        if sandbox.isolation == "none":
            yield Finding(
                gate=self.name,
                rule="execution.unisolated",
                severity=Severity.WARNING,
                message="The generated tests ran WITHOUT namespace isolation (sandbox isolation 'none').",
                suggestion="Install bubblewrap (Debian/Ubuntu: apt install bubblewrap) or set sandbox.isolation to auto.",
            )
        yield from verdict(result, config.execution_timeout, ctx.test_tree)


def verdict(result: PytestResult, timeout: float, test_tree: ast.Module | None = None) -> Iterator[Finding]:
    """The findings for one pytest run: what failed, or why the run does not count."""
    run = result.run
    outcome = result.outcome
    text = run.output + "".join(c.traceback for c in result.cases)
    if any(marker in text for marker in _MEMORY_MARKERS):
        yield _critical(
            "execution.memory",
            "The code ran out of its memory allowance (MemoryError)"
            + (" and then did not finish in time." if outcome.timed_out else "."),
            "Avoid building huge data structures; stream or bound what you keep in memory.",
        )
    elif outcome.timed_out:
        yield _critical(
            "execution.timeout",
            f"The tests did not finish within {timeout:g} s and were killed "
            "(an infinite loop, catastrophic regex backtracking, a deadlock or a very slow algorithm?).",
            "Make sure every loop terminates and avoid exponential algorithms; keep tests fast.",
        )
    elif run.disk_exceeded:
        yield _critical(
            "execution.disk",
            "The tests wrote more to disk than the sandbox allows and were killed.",
            "Do not write large or many files; use small temporary data in tests.",
        )
    elif run.signal is not None and not result.report_found:
        yield _signal_finding(run.signal, text)
    elif result.problem is not None:
        yield _critical(
            "execution.crashed",
            f"The test run does not count: {result.problem} (did the code call os._exit or sys.exit, kill its own "
            f"process, or crash?). Exit status {run.returncode}.",
            "Do not exit the interpreter or touch the test process from the code under test.",
        )
    for case in result.collection_errors:
        yield _critical(
            "execution.collection_error",
            f"pytest could not collect the tests: {_last_line(case.traceback) or case.message}",
            "The module or the tests fail at import: check names imported from `solution` and module-level code.",
            target="tests",
            test_id=case.nodeid,
        )
    for case in result.failures:
        yield _failure(case, test_tree)
    if not outcome.timed_out and result.problem is None and not result.collection_errors:
        ran = outcome.passed + outcome.failed + outcome.errors
        if ran == 0:
            yield _critical(
                "execution.no_tests",
                "No test ran: pytest collected no test functions"
                + (f" ({outcome.skipped} skipped)." if outcome.skipped else "."),
                "Write test functions named test_* at module level that import from `solution`.",
            )
    if run.output_truncated:
        yield Finding(
            gate="execution",
            rule="execution.output_truncated",
            severity=Severity.INFO,
            message="The tests printed more output than is kept; the excerpt is truncated.",
        )


def _critical(
    rule: str,
    message: str,
    suggestion: str | None = None,
    target: Literal["code", "tests"] = "code",
    test_id: str | None = None,
) -> Finding:
    return Finding(
        gate="execution",
        rule=rule,
        severity=Severity.CRITICAL,
        message=message,
        suggestion=suggestion,
        target=target,
        test_id=test_id,
    )


def _signal_finding(number: int, text: str) -> Finding:
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    if number == signal.SIGXCPU:
        return _critical(
            "execution.timeout", "The tests used up their CPU time limit and were killed (SIGXCPU)."
        )
    if number == signal.SIGKILL and any(marker in text for marker in _MEMORY_MARKERS):
        return _critical("execution.memory", "The tests ran out of memory and were killed.")
    if number in (signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGABRT):
        return _critical(
            "execution.crashed",
            f"The test process crashed with {name} (a segfault through ctypes or a broken C extension?).",
            "Do not use ctypes or raw memory access in the code.",
        )
    return _critical(
        "execution.killed",
        f"The test process was killed by {name} before pytest could write its report.",
        "Do not send signals to, or exit from, the test process.",
    )


def _failure(case: TestCase, test_tree: ast.Module | None) -> Finding:
    base_name = case.name.split("[", 1)[0]
    cls = case.label.rpartition(".")[0] or None
    node = _test_node(test_tree, base_name, cls)
    reason = _first_line(case.message) or _last_line(case.traceback) or case.outcome
    verb = "failed" if case.outcome == "failed" else "errored"
    return Finding(
        gate="execution",
        rule="execution.failed" if case.outcome == "failed" else "execution.error",
        severity=Severity.CRITICAL,
        message=f"Test {case.label} {verb}: {reason}",
        # Where it failed (the assert), not where the test starts; the whole test when the traceback does not say.
        line=failing_line(case) or getattr(node, "lineno", None) or case.line,
        end_line=None if failing_line(case) else getattr(node, "end_lineno", None),
        target="tests",
        suggestion="Fix the code if the test is right; fix the test if it asserts the wrong thing.",
        test_id=case.nodeid,
    )


_FRAME = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+): in (?P<function>\S+)", re.MULTILINE)


def failing_line(case: TestCase) -> int | None:
    """The line of the test file where ``case`` failed: the last frame of its traceback inside the test file."""
    test_file = case.file or ""
    lines = [
        int(m["line"])
        for m in _FRAME.finditer(case.traceback)
        if m["file"] == test_file or (not test_file and m["function"] == case.name.split("[", 1)[0])
    ]
    return lines[-1] if lines else None


def _test_node(tree: ast.Module | None, name: str, cls: str | None) -> ast.AST | None:
    if tree is None:
        return None
    body: list[ast.stmt] = tree.body
    if cls is not None:
        owner = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls), None)
        body = owner.body if owner is not None else []
    return next(
        (n for n in body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == name),
        None,
    )


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:300]


def _last_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if re.match(r"^E\s", ln)] or text.strip().splitlines()
    return lines[-1].removeprefix("E").strip()[:300] if lines else ""


@hookimpl
def register_gates(register: Callable[[Gate], None]) -> None:
    """Register the ``execution`` gate."""
    register(ExecutionGate())
