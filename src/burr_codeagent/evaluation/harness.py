"""``codeagent eval``: run the agent over a benchmark as a batch, then judge each run with the dataset's own tests.

The model sees each problem's prompt as its task and writes code and tests of its own; the dataset's tests are
hidden from it unless asked (``visibility``: ``failures`` or ``verbatim`` turn them into acceptance tests shown as the
acceptance gate shows them). Every attempt's code is judged in the sandbox (:mod:`.judge`) as its task finishes,
and the verdicts are appended to ``judged.jsonl`` beside the batch's ``results.jsonl``: a rerun skips the problems
already judged and resumes the rest like ``codeagent batch``.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import ValidationError

from ..batch import BatchLayout, BatchListener, BatchTask, ExecutorName, TaskOutcome
from ..models import Attempt
from ..policy import best_attempt_index
from ..sandbox import Sandbox
from .dataset import Problem, task_text
from .judge import Verdict, judge
from .scoring import EvalReport, ProblemScore, summarise

if TYPE_CHECKING:
    from ..agent import CodeAgent

__all__ = ["Visibility", "acceptance_tests_for", "aevaluate"]

Visibility = Literal["hidden", "failures", "verbatim"]


def acceptance_tests_for(problem: Problem) -> str:
    """The dataset's tests as a pytest module (for ``visibility`` other than ``hidden``)."""
    return (
        f"from solution import *  # noqa: F403\nfrom solution import {problem.entry_point}\n\n{problem.test}\n\n\n"
        f"def test_{problem.entry_point}_meets_the_dataset_tests():\n    check({problem.entry_point})\n"
    )


class _Judged:
    """``judged.jsonl``: one :class:`ProblemScore` per problem, appended as each is judged."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def read(self) -> dict[str, ProblemScore]:
        scores: dict[str, ProblemScore] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    score = ProblemScore.model_validate(json.loads(line))
                except (json.JSONDecodeError, ValidationError):
                    continue  # a line torn by a kill
                scores[score.task_id] = score
        return {task_id: score for task_id, score in scores.items() if not score.unverified}  # judge again

    def append(self, score: ProblemScore) -> None:
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write("\n" + score.model_dump_json() + "\n")


def _attempts(outcome: TaskOutcome, task: BatchTask, layout: BatchLayout) -> list[Attempt]:
    if outcome.result is not None:
        return outcome.result.attempts
    from ..agent import (
        open_persister,  # a task finished in an earlier run: its attempts are in its saved state
    )

    state = layout.persistence(task)
    saved = open_persister(state).load(None, outcome.app_id) if state.exists() else None
    return [Attempt.model_validate(a) for a in (saved["state"]["attempts"] if saved else [])]


def _score(
    problem: Problem,
    task: BatchTask,
    outcome: TaskOutcome,
    layout: BatchLayout,
    sandbox: Sandbox,
    timeout: float,
) -> ProblemScore:
    attempts = _attempts(outcome, task, layout)
    verdicts: dict[str, Verdict] = {}

    def passes(attempt: Attempt | None) -> bool:
        if attempt is None or attempt.response is None or not attempt.response.code.strip():
            return False
        code = attempt.response.code
        if code not in verdicts:
            verdicts[code] = judge(problem, code, sandbox, timeout)
        return verdicts[code].passed

    rounds = []
    final: Attempt | None = None
    for k in range(1, len(attempts) + 1):
        best = best_attempt_index(attempts[:k])
        final = attempts[best] if best is not None else None
        rounds.append(passes(final))
    code = final.response.code if final is not None and final.response is not None else None
    failed = verdicts.get(code) if code is not None else None
    return ProblemScore(
        task_id=problem.task_id,
        rounds=rounds,
        first=rounds[0] if rounds else False,
        final=rounds[-1] if rounds else False,
        agent_passed=outcome.passed,
        unverified=any(v.unverified for v in verdicts.values()),
        detail=failed.detail[-500:] if failed is not None and not failed.passed else None,
        generations=len(attempts),
        tokens=outcome.total_tokens,
        cost_usd=outcome.cost_usd,
        seconds=outcome.seconds,
        error=outcome.error,
    )


async def aevaluate(
    agent: CodeAgent,
    problems: list[Problem],
    *,
    output_dir: Path,
    dataset: str = "HumanEval",
    concurrency: int | None = None,
    executor: ExecutorName = "local",
    ray_address: str | None = None,
    visibility: Visibility = "hidden",
    timeout: float = 10.0,
    listener: BatchListener | None = None,
) -> EvalReport:
    """Run ``agent`` over ``problems`` and judge every run; the report covers every problem of the list."""
    by_id = {p.task_id: p for p in problems}
    tasks = [
        BatchTask(p.task_id, task_text(p), tests=acceptance_tests_for(p) if visibility != "hidden" else None)
        for p in problems
    ]
    if visibility != "hidden":
        agent = agent.with_config(agent.config.model_copy(update={"acceptance_tests_visibility": visibility}))
    layout = BatchLayout(Path(output_dir))
    judged = _Judged(layout.root / "judged.jsonl")
    scores = judged.read()
    settings = agent.config.sandbox
    sandbox = Sandbox(
        settings.isolation, memory_mb=settings.memory_mb, max_output_chars=settings.max_output_chars
    )
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="codeagent-judge")
    pending: list[asyncio.Future[ProblemScore]] = []

    def record(task: BatchTask, outcome: TaskOutcome) -> ProblemScore:
        score = _score(by_id[task.id], task, outcome, layout, sandbox, timeout)
        judged.append(score)
        return score

    def on_event(event: str, task: BatchTask, outcome: TaskOutcome | None) -> None:
        if listener is not None:
            listener(event, task, outcome)
        if event in ("finished", "skipped") and outcome is not None and task.id not in scores:
            pending.append(loop.run_in_executor(pool, record, task, outcome))

    start = time.perf_counter()
    try:
        await agent.arun_many(
            tasks,
            concurrency=concurrency,
            output_dir=layout.root,
            executor=executor,
            ray_address=ray_address,
            listener=on_event,
        )
        for score in await asyncio.gather(*pending):
            scores[score.task_id] = score
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    ordered = [scores[p.task_id] for p in problems if p.task_id in scores]
    return summarise(dataset, ordered, time.perf_counter() - start)
