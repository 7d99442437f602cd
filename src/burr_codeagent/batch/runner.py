"""Running a batch: skip what finished before, run the rest on an executor, record each outcome as it lands.

Layout of a batch's output directory::

    results.jsonl          one line per task, appended as each finishes (the last line of a task wins)
    state.sqlite           Burr's SQLite persistence of every task's run, under its app id: an interrupted task
                           resumes from it (one file for the batch, opened once, not one per task)
    state/<task>.sqlite    the same, a file per task: the ``ray`` executor's layout (and every executor's in earlier
                           releases; a rerun of such a batch resumes its tasks from there)
    reports/<task>/        the task's reports (markdown, json ... as configured)

A task's Burr app id is derived from its id (:func:`~.tasks.task_app_id`), so running the same batch again finds
each interrupted task's saved steps and resumes it; tasks with a finished line in ``results.jsonl`` are skipped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..backends.clients import off_loop
from ..executors import run_jobs
from ..persistence import open_persister
from .collector import older_objects_frozen
from .jobs import BatchJob, BatchLayout, write_code
from .outcome import ResultsFile, TaskOutcome
from .tasks import BatchTask, as_tasks, task_app_id

if TYPE_CHECKING:
    from ..agent import CodeAgent

__all__ = ["BatchListener", "ExecutorName", "arun_batch"]

_RECORDERS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="codeagent-results")
"""Threads that append ``results.jsonl`` lines: tasks finishing together share one ``fsync``
(:meth:`ResultsFile.append`)."""

ExecutorName = Literal["local", "processes", "ray"]
BatchListener = Callable[[str, BatchTask, TaskOutcome | None], None]
"""Called with ``("skipped" | "started" | "finished", task, outcome)`` as the batch goes."""


def _jobs(
    agent: CodeAgent,
    tasks: list[BatchTask],
    layout: BatchLayout,
    failed: Mapping[str, int],
    executor: ExecutorName,
) -> list[BatchJob]:
    jobs = []
    for task in tasks:
        # Ray's workers run each task against a file of its own, shipped to and fro.
        state = layout.state(task) if executor == "ray" else layout.persistence(task)
        config = agent.config.model_copy(update={"persistence": state, "output_dir": layout.reports(task)})
        jobs.append(BatchJob(task, task_app_id(task.id, failed.get(task.id, 0)), config))
    return jobs


async def arun_batch(
    agent: CodeAgent,
    tasks: Iterable[str | BatchTask | Mapping[str, Any]],
    *,
    output_dir: Path,
    concurrency: int | None = None,
    write_dir: Path | None = None,
    executor: ExecutorName = "local",
    ray_address: str | None = None,
    listener: BatchListener | None = None,
) -> list[TaskOutcome]:
    """Run ``tasks`` with ``agent``, at most ``concurrency`` at once; see the module docstring for the layout.

    Returns one outcome per task, in task order (skipped tasks report their earlier outcome).
    """
    task_list = as_tasks(tasks)
    layout = BatchLayout(Path(output_dir))
    results = ResultsFile(layout.results)
    previous = results.read()
    outcomes: dict[str, TaskOutcome] = {}
    pending: list[BatchTask] = []
    for task in task_list:
        earlier = previous.get(task.id)
        if earlier is not None and earlier.finished:
            outcomes[task.id] = earlier
            if listener:
                listener("skipped", task, earlier)
        else:
            pending.append(task)
    jobs = _jobs(agent, pending, layout, results.failed_runs(), executor)

    def started(job: BatchJob) -> None:
        if listener:
            listener("started", job.task, None)

    def record(job: BatchJob, outcome: TaskOutcome) -> None:
        if write_dir is not None:
            outcome.written = write_code(job.task, outcome, write_dir)
        results.append(outcome)

    async def finished(job: BatchJob, outcome: TaskOutcome) -> None:
        # The line is made durable (an fsync, ~5 ms on a busy disk) on a thread of its own: on the event loop it held
        # up every other task's model calls, and on the builder threads the next runs' builds and end steps waited
        # behind it. Shielded, so a cancelled batch still records what finished.
        loop = asyncio.get_running_loop()
        await asyncio.shield(loop.run_in_executor(_RECORDERS, record, job, outcome))
        outcomes[job.task.id] = outcome
        if listener:
            listener("finished", job.task, outcome)

    # The batch's store is opened (created) here, before any worker process opens it, and stays open in this
    # process while the batch runs, so its runs share one connection.
    store = await off_loop(open_persister, layout.store) if executor != "ray" else None
    with older_objects_frozen():
        await run_jobs(
            agent,
            jobs,
            concurrency=concurrency or agent.config.concurrency,
            executor=executor,
            ray_address=ray_address,
            layout=layout,
            started=started,
            finished=finished,
        )
    del store
    return [outcomes[task.id] for task in task_list if task.id in outcomes]
