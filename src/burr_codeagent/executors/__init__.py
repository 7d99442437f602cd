"""Where a batch's tasks run: ``local`` (one asyncio event loop in this process), ``processes`` (an event loop in
each of a process per core) or ``ray`` (a Ray cluster)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..agent import CodeAgent
    from ..batch.jobs import BatchJob, BatchLayout
    from ..batch.outcome import TaskOutcome
    from ..batch.runner import ExecutorName

__all__ = ["run_jobs"]


async def run_jobs(
    agent: CodeAgent,
    jobs: Sequence[BatchJob],
    *,
    concurrency: int,
    executor: ExecutorName,
    ray_address: str | None,
    layout: BatchLayout,
    started: Callable[[BatchJob], None],
    finished: Callable[[BatchJob, TaskOutcome], Awaitable[None]],
) -> None:
    """Run ``jobs`` at most ``concurrency`` at once, calling ``finished`` in this process as each completes."""
    if executor == "ray":
        from .ray_executor import run_on_ray

        await run_on_ray(agent, jobs, concurrency, ray_address, layout, started, finished)
    elif executor == "local":
        from .local import run_locally

        await run_locally(agent, jobs, concurrency, started, finished)
    elif executor == "processes":
        from .processes import run_in_processes

        await run_in_processes(agent, jobs, concurrency, started, finished)
    else:
        from ..errors import ConfigurationError

        raise ConfigurationError(f"unknown executor {executor!r}; choose local, processes or ray")
