"""The baseline of a mutation session, taken from the ``execution`` gate's run of the tests.

The ``mutation`` gate adds a small pytest plugin (:mod:`._reach_plugin`) to that run (through
:class:`~burr_codeagent.gates.base.ExtendsTestRun`): for every test, how long it took and which functions of the
module it reached. When that run passed, the mutation session needs no baseline of its own, and the timings say how
many mutants fit the gate's time budget (:func:`plan`): when not all of them do, an evenly spread sample is tested.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ._mutants import Mutant

if TYPE_CHECKING:
    from ...sandbox import PytestResult, RunExtension

__all__ = ["REACH_FILE", "Reach", "plan", "reach_extension", "read_reach"]

PLUGIN_MODULE = "_codeagent_reach"
REACH_FILE = ".codeagent-reach.jsonl"
PER_MUTANT_SECONDS = 0.005  # swapping the code in, restoring module state, pytest's per-test bookkeeping


@cache
def _plugin_source() -> str:
    return Path(__file__).with_name("_reach_plugin.py").read_text(encoding="utf-8")


def reach_extension(module: str = "solution") -> RunExtension:
    """What the mutation gate adds to the execution gate's run."""
    from ...sandbox import RunExtension

    return RunExtension(
        plugins=(PLUGIN_MODULE,),
        files={f"{PLUGIN_MODULE}.py": _plugin_source()},
        collect=(REACH_FILE,),
        env={"CODEAGENT_REACH_MODULE": f"{module}.py", "CODEAGENT_REACH_REPORT": REACH_FILE},
    )


@dataclass(frozen=True)
class Reach:
    """Per test (pytest node id): its seconds and the functions it reached, as (qualified name, first line)."""

    tests: dict[str, tuple[float, frozenset[tuple[str, int]]]]
    startup_seconds: float
    """The run's time outside the tests (interpreter, pytest, collection): what a new session costs to start."""

    def seconds_for(self, mutant: Mutant) -> float:
        """The time of every test that reaches the mutant's function: what running the mutant costs at most."""
        return sum(seconds for seconds, reached in self.tests.values() if _reaches(reached, mutant))

    def as_spec(self) -> dict[str, dict[str, object]]:
        """JSON for the mutation session's plugin."""
        return {
            test: {"seconds": seconds, "reached": sorted([q, line] for q, line in reached)}
            for test, (seconds, reached) in self.tests.items()
        }


def _reaches(reached: frozenset[tuple[str, int]], mutant: Mutant) -> bool:
    nested = mutant.unit + ".<locals>."
    return any(
        (q == mutant.unit and line == mutant.first_line) or q.startswith(nested) for q, line in reached
    )


def read_reach(result: PytestResult | None) -> Reach | None:
    """The reach of every test of a passing run made with :func:`reach_extension`, or None.

    None when there is no such run, it did not pass, or its report is missing, malformed or incomplete (written
    next to untrusted code: anything odd means "take a baseline of your own").
    """
    if result is None or result.spec is None or REACH_FILE not in result.spec.collect:
        return None
    raw = result.files.get(REACH_FILE)
    if raw is None or not result.outcome.succeeded:
        return None
    tests: dict[str, tuple[float, frozenset[tuple[str, int]]]] = {}
    try:
        for line in raw.decode("utf-8", "replace").splitlines():
            record = json.loads(line)
            seconds = float(record["seconds"])
            reached = frozenset((str(q), int(n)) for q, n in record["reached"])
            tests[str(record["id"])] = (max(seconds, 0.0), reached)
    except (ValueError, KeyError, TypeError):
        return None
    ran = {case.nodeid for case in result.cases if case.outcome in ("passed", "skipped")}
    if not tests or not {case for case in ran if case} <= tests.keys():
        return None
    spent = sum(seconds for seconds, _ in tests.values())
    return Reach(tests, max(result.outcome.duration_seconds - spent, 0.0))


def plan(mutants: Sequence[Mutant], reach: Reach, seconds: float) -> list[Mutant]:
    """The mutants to test within ``seconds``: all of them when they fit, else an evenly spread sample that does.

    Each mutant is costed at the time of every test that reaches it (a survivor runs them all; a killed one stops
    at the first failure, so the estimate errs on the safe side). The sample is deterministic: the same code and
    tests give the same mutants.
    """
    costs = [PER_MUTANT_SECONDS + reach.seconds_for(m) for m in mutants]
    total = sum(costs)
    if total <= seconds or not mutants:
        return list(mutants)
    count = max(1, int(seconds / (total / len(mutants))))
    return evenly_spread(mutants, count)


def evenly_spread(mutants: Sequence[Mutant], count: int) -> list[Mutant]:
    """``count`` mutants taken at even steps through ``mutants`` (all of them when there are no more)."""
    if len(mutants) <= count:
        return list(mutants)
    step = len(mutants) / count
    return [mutants[int(i * step)] for i in range(count)]
