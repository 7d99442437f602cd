"""The ``local`` executor: every task an asyncio task on this event loop, at most ``concurrency`` at once.

Nothing here holds a thread per task: the model calls are awaited natively, the checks run on the agent's bounded
check pool and the sandboxed test runs wait for a sandbox slot (see :mod:`burr_codeagent.sandbox.slots`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from ..backends.bedrock import blocking_calls
from ..batch.jobs import run_job

if TYPE_CHECKING:
    from ..agent import CodeAgent
    from ..batch.jobs import BatchJob
    from ..batch.outcome import TaskOutcome

__all__ = ["run_locally"]


async def run_locally(
    agent: CodeAgent,
    jobs: Sequence[BatchJob],
    concurrency: int,
    started: Callable[[BatchJob], None],
    finished: Callable[[BatchJob, TaskOutcome], Awaitable[None]],
) -> None:
    """Run ``jobs`` on this loop. On cancellation (Ctrl-C, SIGTERM) the running tasks are cancelled, which writes
    their reports; their saved steps stay in their persistence for the rerun."""
    blocking_calls.ensure(
        concurrency
    )  # Bedrock's blocking SDK calls get a thread each, up to the concurrency
    gate = asyncio.Semaphore(concurrency)

    async def one(job: BatchJob) -> None:
        async with gate:
            started(job)
            outcome = await run_job(agent, job)
        await finished(job, outcome)

    tasks = [asyncio.create_task(one(job), name=f"codeagent-task-{job.task.id}") for job in jobs]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
