"""The ``mutation`` gate: do the generated tests notice small bugs in the code?

Mutants of the module are made with :mod:`ast` (see :mod:`._mutants` for the operators and what is left alone)
and tested in ONE sandboxed pytest session (see :mod:`._pytest_plugin`): the tests are collected once, and each
mutant's function code is swapped in and only the tests that reach it run, stopping at the first failure, under a
time limit derived from the baseline. The baseline -- which tests reach which function, and their times -- comes
from the ``execution`` gate's run (:mod:`._reach`), or from a first run of the tests in the session when there is
none. From those times the gate tests an evenly spread sample when not all mutants fit its time budget (60 s),
and says so in the score; a session that runs out of time anyway is reported as cut short.

The score is killed / tested mutants. Below ``min_score`` (default 70) the gate warns, and the warning lists the
surviving mutants ("the tests still pass when `n > 1` becomes `n > 2` on line 14") so the next generation can add
the missing assertions; every surviving mutant is also an ``info`` finding for the reports. The gate runs after
``execution`` and is skipped when the tests do not pass (mutants are judged against a passing suite).

Options: ``min_score`` (0-100), ``time_budget`` (the gate's, default 60), ``timeout`` (a cap on the session
within the budget, default 60), ``max_mutants`` (default
200; beyond it an evenly spread sample is tested), ``factor`` and ``margin`` (per-mutant time limit = factor x the
baseline time of its tests + margin seconds; defaults 10 and 0.2). On by default: ``bench/strength.py`` measures it
at well under 2 s for a 60-line module, several times faster than mutmut, with the verdicts of one process per
mutant (see docs/strength.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ...hookspecs import hookimpl
from ...models import Finding, Severity
from .._sandboxed import percent_option, require_execution, run_sandboxed, test_run_spec
from ..base import Gate, GateContext, GateSkipped

if TYPE_CHECKING:
    from ...sandbox import RunExtension
    from ._mutants import Mutant
    from ._session import MutationRun

# The mutants, the reach plugin and the session (``_mutants``, ``_reach``, ``_session``) are imported when the gate
# runs: registering it (every ``codeagent check``, ``--no-execution`` too) does not pay for them.

__all__ = ["MutationGate", "score", "survivor_groups"]

DEFAULT_MIN_SCORE = 70.0
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_MUTANTS = 200
SURVIVOR_GROUPS_IN_WARNING = 12
_RESULTS_RESERVE = 1.0
RULES = {
    "mutation.below_threshold": "Too few mutants of the code make a test fail: the tests miss real bugs.",
    "mutation.survived": "A small change to the code that no test notices.",
    "mutation.score": "The share of mutants of the code that the tests kill.",
    "mutation.incomplete": "Some mutants could not be tested (time budget, or code that cannot be swapped in).",
}


class MutationGate:
    """Mutation testing of the generated tests, in one sandboxed pytest session."""

    waits_on_subprocess = True  # runs in a thread while in-process gates use the interpreter
    name = "mutation"
    description = "Mutation score of the generated tests (one sandboxed session); warns below min_score (70)."
    rules = RULES
    needs_tests = True
    after = ("execution",)
    enabled_by_default = True
    time_budget = DEFAULT_TIMEOUT

    def extend_test_run(self, ctx: GateContext) -> RunExtension | None:
        """The reach plugin for the execution gate's run: its baseline then serves the mutation session."""
        if not ctx.config.enable_code_execution:
            return None
        from ._reach import reach_extension

        return reach_extension()

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        require_execution(ctx)
        threshold = percent_option(ctx.options, self.name, "min_score", DEFAULT_MIN_SCORE)
        timeout = _session_limit(ctx)
        limit = int(_positive(ctx.options, "max_mutants", DEFAULT_MAX_MUTANTS))
        if ctx.test_outcome is not None and not ctx.test_outcome.succeeded:
            raise GateSkipped("the generated tests do not pass; mutants are judged against a passing suite")
        if ctx.code_tree is None:
            raise GateSkipped("the code does not parse")
        from ._mutants import generate_mutants
        from ._reach import evenly_spread, plan, read_reach
        from ._session import DEFAULT_FACTOR, DEFAULT_MARGIN, STARTUP_RESERVE, read_session, session_extension

        every = generate_mutants(ctx.code)
        if not every:
            raise GateSkipped(
                "nothing to mutate: no operators, constants, conditions or returns in functions"
            )
        reach = read_reach(ctx.test_run)
        mutants = evenly_spread(every, limit)
        if reach is not None:  # the execution run's timings say how many mutants fit the budget
            mutants = plan(mutants, reach, timeout - max(STARTUP_RESERVE, reach.startup_seconds))
        extension = session_extension(
            mutants,
            timeout=timeout,
            factor=_positive(ctx.options, "factor", DEFAULT_FACTOR),
            margin=_positive(ctx.options, "margin", DEFAULT_MARGIN),
            reach=reach,
        )
        spec = test_run_spec(ctx, timeout=timeout, args=("--tb=line",), extensions=[extension])
        run = read_session(run_sandboxed(ctx, spec), [m.id for m in mutants], derived=reach is not None)
        untested = len(every) - run.count("killed", "timeout", "survived")
        if run.timed_out:
            ctx.cut_short(
                f"{untested} of {len(every)} mutants (the session ran past its {timeout:.3g} s limit)"
            )
            if score(run) is None:
                return
        elif not run.baseline_passed:
            raise GateSkipped("the generated tests did not pass in the mutation session's baseline run")
        yield from _findings(self.name, mutants, run, threshold, every=len(every), budget=timeout)


def score(run: MutationRun) -> float | None:
    """Killed (including timed out) mutants as a percentage of those tested, or None when none was tested."""
    tested = run.count("killed", "timeout", "survived")
    return None if not tested else 100.0 * run.count("killed", "timeout") / tested


def _findings(
    gate: str, mutants: list[Mutant], run: MutationRun, threshold: float, *, every: int, budget: float
) -> Iterator[Finding]:
    value = score(run)
    if value is None:
        raise GateSkipped("no mutant could be tested")
    tested = run.count("killed", "timeout", "survived")
    killed = run.count("killed", "timeout")
    survivors = [m for m in mutants if run.verdicts.get(m.id) == "survived"]
    summary = f"Mutation score {value:.0f} % ({killed} of {tested} mutants of the code make a test fail"
    if tested < every:
        how = "an evenly spread sample that fits" if len(mutants) < every else "as many as fitted"
        summary += f"; {tested} of {every} mutants run: {how} the session's {budget:.3g} s limit"
    summary += ")"
    if value < threshold:
        groups = survivor_groups(survivors)
        listed = "; ".join(groups[:SURVIVOR_GROUPS_IN_WARNING])
        more = len(groups) - SURVIVOR_GROUPS_IN_WARNING
        yield Finding(
            gate=gate,
            rule="mutation.below_threshold",
            severity=Severity.WARNING,
            message=f"{summary}, below {threshold:g} %: the tests still pass when {listed}"
            + (f"; and {more} more." if more > 0 else "."),
            suggestion="Add tests that would fail for each of these changed versions of the code: assert exact "
            "results at the boundaries and for every branch, not just that the call works.",
            target="tests",
        )
    yield Finding(gate=gate, rule="mutation.score", severity=Severity.INFO, message=summary + ".")
    for mutant in survivors:
        unreached = run.reached.get(mutant.id) == 0
        yield Finding(
            gate=gate,
            rule="mutation.survived",
            severity=Severity.INFO,
            message=f"Tests still pass when {mutant.change} on line {mutant.line} (in `{mutant.unit}`)"
            + (": no test calls it." if unreached else "."),
            line=mutant.line,
        )
    untested = run.count("unpatchable", "not_run")
    if untested:
        yield Finding(
            gate=gate,
            rule="mutation.incomplete",
            severity=Severity.INFO,
            message=f"{untested} of {len(mutants)} mutants were not tested (the session's time budget ran out, "
            "or their function could not be swapped in, e.g. behind a decorator without __wrapped__).",
        )


def survivor_groups(survivors: list[Mutant]) -> list[str]:
    """One phrase per changed expression, e.g. "`n > 1` becomes `n >= 1` or `n > 2` on line 14"."""
    grouped: dict[tuple[int, str], list[str]] = {}
    for mutant in survivors:
        before, after = mutant.shown
        grouped.setdefault((mutant.line, before), []).append(f"`{after}`")
    phrases = []
    for (line, before), afters in grouped.items():
        alternatives = afters[0] if len(afters) == 1 else ", ".join(afters[:-1]) + " or " + afters[-1]
        phrases.append(f"`{before}` becomes {alternatives} on line {line}")
    return phrases


def _session_limit(ctx: GateContext) -> float:
    """Seconds the session may run: the ``timeout`` option, within what is left of the gate's time budget (a
    little is kept back for reading the results)."""
    limit = _positive(ctx.options, "timeout", DEFAULT_TIMEOUT)
    if ctx.deadline is not None:
        limit = min(limit, ctx.deadline - time.perf_counter() - _RESULTS_RESERVE)
    if limit < 1.0:
        raise GateSkipped("the time budget leaves no time for a mutation session")
    return limit


def _positive(options: Mapping[str, Any], name: str, default: float) -> float:
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"gates.options.mutation.{name} must be a positive number, not {value!r}")
    return float(value)


@hookimpl
def register_gates(register: Callable[[Gate], None]) -> None:
    """Register the ``mutation`` gate."""
    register(MutationGate())
