"""Benchmark: the mutation gate on a module whose tests are slow, within its time budget.

A generated module of 40 small functions with one test each that sleeps ``--sleep`` seconds (a suite whose
baseline alone takes seconds, like the 700-line module with 77 tests in issue 13). Printed, per run and as
medians:

- the gate as it runs inside ``check()`` (execution + mutation): its baseline comes from the execution run and,
  when not every mutant fits its 60 s budget, it tests an evenly spread sample -- mutants generated, mutants run,
  score, the gate's seconds and whether it was cut short;
- the session as it ran before (``run_mutants`` without the execution run's baseline, every mutant up to
  ``max_mutants``, 60 s limit): mutants tested, mutants left untested when its time ran out, seconds.

Run: ``python bench/mutation_budget.py [--repeat N] [--sleep S]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

from burr_codeagent import AgentConfig, check
from burr_codeagent.gates.mutation._mutants import generate_mutants
from burr_codeagent.gates.mutation._session import run_mutants
from burr_codeagent.sandbox import Sandbox

FUNCTIONS = 40


def module() -> str:
    parts = ['"""Forty small functions."""\n']
    for i in range(FUNCTIONS):
        parts.append(
            f"\n\ndef f{i}(x: int, y: int) -> int:\n"
            f'    """Function {i}."""\n'
            f"    if x > y:\n        return x - y + {i}\n"
            f"    return (x * y) % ({i} + 7)\n"
        )
    return "".join(parts)


def tests(sleep: float) -> str:
    names = ", ".join(f"f{i}" for i in range(FUNCTIONS))
    parts = [f"import time\n\nfrom solution import {names}\n"]
    for i in range(FUNCTIONS):
        parts.append(
            f"\n\ndef test_f{i}():\n    time.sleep({sleep})\n"
            f"    assert f{i}(5, 2) == {3 + i}\n    assert f{i}(2, 5) == {10 % (i + 7)}\n"
        )
    return "".join(parts)


def main() -> None:
    """Run the gate and the old-style session and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (medians are printed)")
    parser.add_argument("--sleep", type=float, default=0.25, help="seconds each test sleeps")
    args = parser.parse_args()
    code, test_code = module(), tests(args.sleep)
    every = generate_mutants(code)
    config = AgentConfig(tracking=False, execution_timeout=60, gates={"enable": ["execution", "mutation"]})
    print(f"{FUNCTIONS} functions, {FUNCTIONS} tests of {args.sleep} s each, {len(every)} mutants\n")
    gate_s, old_s = [], []
    for run in range(1, args.repeat + 1):
        report = check(code, test_code + f"\n# run {run}\n", config=config)  # a new comment: no cached report
        gate = next(g for g in report.gates if g.name == "mutation")
        score = next((f.message for f in report.findings if f.rule == "mutation.score"), gate.error or "")
        gate_s.append(gate.seconds)
        print(f"gate (check):   {gate.seconds:6.1f} s, cut short: {gate.cut_short}; {score}")
        started = time.perf_counter()
        old = run_mutants(code, test_code, every[:200], Sandbox("auto"), timeout=60.0)
        old_s.append(time.perf_counter() - started)
        tested = old.count("killed", "timeout", "survived")
        print(
            f"own baseline:   {old_s[-1]:6.1f} s, baseline finished: {old.baseline_passed}, "
            f"{tested} of {min(len(every), 200)} mutants tested, {old.count('not_run')} not run (out of time)"
        )
    print(
        f"\nmedian gate {statistics.median(gate_s):.1f} s; median own-baseline session {statistics.median(old_s):.1f} s"
    )


if __name__ == "__main__":
    main()
