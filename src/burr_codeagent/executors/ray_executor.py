"""The ``ray`` executor: each whole agent run is one Ray task; results, state and reports come back to the driver.

Burr's SQLite persister cannot be shared across Ray processes (or machines), so each task persists to a SQLite file
of its own in the worker's temporary directory, seeded with the bytes of the task's saved state if the driver has
any; the worker returns the file's bytes with the result and the reports, and the driver writes them under the
batch's output directory. The batch's ``results.jsonl`` is written by the driver alone. A worker lost mid-task (its
process killed, its node gone) makes Ray run the task again (``max_retries``); the rest of the batch goes on.

Ray is an optional dependency: ``pip install 'burr-codeagent[ray]'``.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..backends.clients import off_loop
from ..batch.jobs import BatchJob, BatchLayout
from ..batch.outcome import TaskOutcome
from ..errors import ConfigurationError
from ..models import AgentResult

if TYPE_CHECKING:
    from ..agent import CodeAgent
    from ..backends.base import LLMBackend
    from ..config import AgentConfig

__all__ = ["MAX_RETRIES", "run_on_ray"]

MAX_RETRIES = 3
"""How often Ray runs a task again after its worker died (not after the task failed: that is its outcome)."""


def _import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise ConfigurationError("the ray executor needs Ray: pip install 'burr-codeagent[ray]'") from exc
    return ray


def run_task_in_worker(
    config: AgentConfig,
    backend: LLMBackend | str,
    job: BatchJob,
    saved_state: bytes | None,
) -> dict[str, Any]:
    """Run one job where this is called (a Ray worker) and return everything the driver keeps, as plain data."""
    from ..agent import CodeAgent

    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="codeagent-ray-") as scratch:
        state = Path(scratch) / "state.sqlite"
        if saved_state:
            state.write_bytes(saved_state)
        reports = Path(scratch) / "reports"
        settings = config.model_copy(update={"persistence": state, "output_dir": reports})
        try:
            result = CodeAgent(config=settings, backend=backend).run(
                job.task.task, acceptance_tests=job.task.tests, app_id=job.app_id
            )
        except Exception as exc:
            return {"error": f"{type(exc).__name__}: {exc}", "seconds": time.perf_counter() - start}
        files = {name: (path.name, path.read_bytes()) for name, path in result.report_paths.items()}
        if state.exists():  # fold the write-ahead log into the file, which is all that travels back
            with contextlib.closing(sqlite3.connect(state)) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return {
            "result": result.model_dump(mode="json"),
            "state": state.read_bytes() if state.exists() else None,
            "reports": files,
            "seconds": time.perf_counter() - start,
        }


def _land(job: BatchJob, layout: BatchLayout, data: dict[str, Any]) -> TaskOutcome:
    """Write what a worker sent back under the batch's directory; the outcome with driver-side report paths."""
    if "error" in data:
        return TaskOutcome(
            id=job.task.id,
            app_id=job.app_id,
            stop_reason="error",
            error=data["error"],
            seconds=data["seconds"],
        )
    if data.get("state"):
        target = layout.state(job.task)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data["state"])
    paths: dict[str, Path] = {}
    report_dir = layout.reports(job.task)
    for name, (filename, content) in data["reports"].items():
        report_dir.mkdir(parents=True, exist_ok=True)
        paths[name] = report_dir / filename
        paths[name].write_bytes(content)
    result = AgentResult.model_validate(data["result"]).model_copy(update={"report_paths": paths})
    return TaskOutcome.from_result(job.task.id, result, data["seconds"])


def _backend_for_workers(agent: CodeAgent) -> LLMBackend | str:
    """What a worker builds its backend from: the name (workers read their own credentials), or the instance."""
    from ..agent import _DeferredBackend

    return agent.backend.name if isinstance(agent.backend, _DeferredBackend) else agent.backend


async def run_on_ray(
    agent: CodeAgent,
    jobs: Sequence[BatchJob],
    concurrency: int,
    address: str | None,
    layout: BatchLayout,
    started: Callable[[BatchJob], None],
    finished: Callable[[BatchJob, TaskOutcome], Awaitable[None]],
) -> None:
    """Submit each job as a Ray task (at most ``concurrency`` in flight) and land each result as it arrives."""
    ray = _import_ray()
    if not ray.is_initialized():
        ray.init(address=address, ignore_reinit_error=True, log_to_driver=False)
    remote = ray.remote(max_retries=MAX_RETRIES, retry_exceptions=False)(run_task_in_worker)
    backend = _backend_for_workers(agent)
    gate = asyncio.Semaphore(concurrency)

    async def one(job: BatchJob) -> None:
        async with gate:
            started(job)
            state = layout.state(job.task)
            saved = state.read_bytes() if state.exists() else None
            try:
                reference = remote.remote(job.config, backend, job, saved)
            except TypeError as exc:  # Ray could not pickle an argument
                raise ConfigurationError(
                    f"the backend {backend!r} cannot be sent to Ray workers ({str(exc).splitlines()[0]}); "
                    "pass a backend name, or make the backend picklable"
                ) from None
            try:
                data = await reference
            except asyncio.CancelledError:
                ray.cancel(reference, force=True)
                raise
            except Exception as exc:  # the task's retries ran out (its worker kept dying) or Ray failed
                outcome = TaskOutcome(
                    id=job.task.id,
                    app_id=job.app_id,
                    stop_reason="error",
                    error=f"{type(exc).__name__}: {exc}",
                )
            else:
                outcome = await off_loop(_land, job, layout, data)  # disk writes, off the event loop
        await finished(job, outcome)

    tasks = [asyncio.create_task(one(job)) for job in jobs]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
