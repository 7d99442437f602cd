"""The mutation gate within its time budget: its baseline comes from the execution run, it samples mutants when
they would not all fit, and a session that runs out of time is reported as exactly that."""

from __future__ import annotations

import time
from typing import Any

import pytest

from burr_codeagent import AgentConfig, check
from burr_codeagent.gates.mutation import gate as mutation_gate
from burr_codeagent.gates.mutation._mutants import generate_mutants
from burr_codeagent.gates.mutation._reach import Reach, plan
from burr_codeagent.sandbox import PytestResult
from tests.gates._strength_cases import CODE, STRONG_TESTS

MANY_MUTANTS = '''\
def mix(a: int, b: int) -> int:
    """A number made of a and b."""
    total = a + b
    total = total * 2 - 1
    if total > 10:
        total -= 3
    if total < 5:
        total += 4
    if a >= b and b > 0:
        total = total + a - b
    return total % 7 + total // 3
'''
SLOW_TESTS = (
    "import time\n\nfrom solution import mix\n\n\n"
    "def test_mix():\n    time.sleep(0.3)\n    assert mix(1, 2) == 6\n"
)
HANGS_IN_THE_MUTATION_SESSION = (
    "import os\nimport time\n\nif os.environ.get('CODEAGENT_MUTANTS'):\n    time.sleep(60)\n\n" + STRONG_TESTS
)


def settings(*gates: str, **options: object) -> AgentConfig:
    return AgentConfig(tracking=False, gates={"enable": list(gates), "options": {"mutation": options}})


def sessions(monkeypatch: pytest.MonkeyPatch) -> list[PytestResult]:
    """Record every pytest session the mutation gate runs."""
    seen: list[PytestResult] = []
    real = mutation_gate.run_sandboxed

    def recorded(*args: Any, **kwargs: Any) -> PytestResult:
        result = real(*args, **kwargs)
        seen.append(result)
        return result

    monkeypatch.setattr(mutation_gate, "run_sandboxed", recorded)
    return seen


def test_the_baseline_comes_from_the_execution_run(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = sessions(monkeypatch)
    report = check(CODE, STRONG_TESTS, config=settings("execution", "mutation"))
    assert "Mutation score 100 %" in next(f.message for f in report.findings if f.rule == "mutation.score")
    [session] = seen
    assert session.outcome.passed == 0, "the mutation session ran the tests again as a baseline"
    assert report.tests is not None and report.tests.passed == 3


def test_without_the_execution_run_the_session_takes_its_own_baseline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = sessions(monkeypatch)
    report = check(CODE, STRONG_TESTS, config=settings("mutation"))
    assert "Mutation score 100 %" in next(f.message for f in report.findings if f.rule == "mutation.score")
    [session] = seen
    assert session.outcome.passed == 3


def test_mutants_are_sampled_to_fit_the_budget_and_the_score_says_how_many_ran() -> None:
    started = time.perf_counter()
    report = check(MANY_MUTANTS, SLOW_TESTS, config=settings("execution", "mutation", time_budget=8))
    elapsed = time.perf_counter() - started
    every = len(generate_mutants(MANY_MUTANTS))
    [score] = [f.message for f in report.findings if f.rule == "mutation.score"]
    ran = int(score.split("; ")[1].split(" of ")[0])
    assert 0 < ran < every and f"{ran} of {every} mutants run" in score, score
    assert "evenly spread sample" in score
    run = next(g for g in report.gates if g.name == "mutation")
    assert run.status == "ok" and not run.cut_short, run
    assert elapsed < 20, f"the check took {elapsed:.1f} s"


def test_the_sample_is_deterministic_and_evenly_spread() -> None:
    mutants = generate_mutants(MANY_MUTANTS)
    reach = Reach({"test_mix": (0.3, frozenset({("mix", 1)}))}, startup_seconds=0.5)
    first, second = plan(mutants, reach, 3.0), plan(mutants, reach, 3.0)
    assert first == second and 5 <= len(first) < len(mutants)
    lines = [m.line for m in first]
    assert (
        lines == sorted(lines) and lines[0] == mutants[0].line and lines[-1] > mutants[len(mutants) // 2].line
    )
    assert plan(mutants, reach, 1000.0) == mutants


@pytest.mark.parametrize("gates", [("execution", "mutation"), ("mutation",)], ids=["derived", "own-baseline"])
def test_a_session_that_runs_out_of_time_is_reported_as_a_timeout(gates: tuple[str, ...]) -> None:
    report = check(CODE, HANGS_IN_THE_MUTATION_SESSION, config=settings(*gates, time_budget=5))
    run = next(g for g in report.gates if g.name == "mutation")
    assert run.status == "ok" and run.cut_short, run
    assert "ran past its" in (run.error or "") and "baseline" not in (run.error or "")
    assert [f.rule for f in report.findings if f.gate == "mutation"] == ["mutation.cut_short"]
    assert report.warning_count == 0 and report.critical_count == 0
