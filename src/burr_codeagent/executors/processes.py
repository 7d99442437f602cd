"""The ``processes`` executor: the batch spread over a process per core, each running its share on an event loop.

One event loop is one core: an agent run costs ~20 ms of CPU of its own (the SDK, instructor, Burr, the reports), so one
loop cannot finish more than ~50 runs a second however fast the model answers. This executor starts ``workers``
processes (default: one per core), hands each an equal share of the jobs, of the concurrency and of the sandboxed test
runs allowed at once (:func:`~burr_codeagent.sandbox.sandbox_slots`), and runs the share there exactly as the ``local``
executor would (:func:`.local.run_locally`). Each task persists to and reports under the batch's directory as with
``local`` (every worker writes the batch's SQLite file over a connection of its own; the driver creates it first); each
outcome is sent back as its task finishes and this process alone appends ``results.jsonl``.

Workers are forked from multiprocessing's fork server, which imports the package, its plugins, Burr, the SDKs and
instructor once per process (:mod:`._preload`): a fork of this process (threads, an event loop) would be unsafe,
and a freshly spawned worker imported ~1,000 modules during its first run (~1.5 s of CPU), every batch. Like
``spawn``, it needs a script that calls ``run_many(..., executor="processes")`` to have the usual
``if __name__ == "__main__":`` guard. The backend goes to the workers by name (each builds it from this process's
environment, handed to the workers over their pipe) or pickled; the agent's plugins, listeners and hooks stay in
this process.

Ctrl-C reaches every worker (one process group): each cancels its runs, which writes their reports, as ``local``
does. Cancelling the batch otherwise (SIGTERM, a cancelled task) sends the workers SIGTERM, which they treat alike.
Outcomes that arrived before are recorded; a worker that dies gives its unfinished tasks an error outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import multiprocessing
import os
import pickle
import queue
import signal
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..backends.clients import off_loop
from ..errors import ConfigurationError

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from ..agent import CodeAgent
    from ..backends.base import LLMBackend
    from ..batch.jobs import BatchJob
    from ..batch.outcome import TaskOutcome
    from ..config import AgentConfig

__all__ = ["run_in_processes", "worker_count"]

_POLL = 0.2  # seconds between looks at the workers' health while no outcome arrives


def worker_count(jobs: int, workers: int | None = None) -> int:
    """How many processes a batch of ``jobs`` gets: ``workers``, or one per core, never more than the jobs."""
    return max(1, min(workers or os.cpu_count() or 1, jobs))


def serve(
    config: AgentConfig,
    backend: LLMBackend | str,
    jobs: Sequence[BatchJob],
    concurrency: int,
    outbox: Any,
    sandbox_slots: int | None = None,
    environment: Mapping[str, str] | None = None,
) -> None:
    """A worker: run ``jobs`` on this process's own event loop, putting ``(task id, outcome)`` in ``outbox``.

    ``sandbox_slots``: this worker's share of the sandboxed test runs the driver allows at once (the workers
    together must not start more than the machine's cores). ``environment``: the driver's environment now (the
    fork server's is the one it started with), which a backend named in the configuration reads its settings from.
    """
    if environment is not None:
        os.environ.clear()
        os.environ.update(environment)
    if sandbox_slots is not None:
        from ..sandbox import set_sandbox_slots

        set_sandbox_slots(sandbox_slots)
    # Stopped by Ctrl-C or SIGTERM: the runs were cancelled and wrote their reports; nothing more to say.
    with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
        asyncio.run(_serve(config, backend, jobs, concurrency, outbox))


async def _serve(
    config: AgentConfig, backend: LLMBackend | str, jobs: Sequence[BatchJob], concurrency: int, outbox: Any
) -> None:
    from ..agent import CodeAgent
    from .local import run_locally

    # SIGTERM from the driver: cancel the runs (their reports are written), as Ctrl-C does.
    main = asyncio.current_task()
    assert main is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main.cancel)
    agent = CodeAgent(config, backend=backend)

    def started(job: BatchJob) -> None:
        outbox.put((job.task.id, None))

    async def finished(job: BatchJob, outcome: TaskOutcome) -> None:
        outbox.put((job.task.id, outcome))

    await run_locally(agent, jobs, concurrency, started, finished)


async def run_in_processes(
    agent: CodeAgent,
    jobs: Sequence[BatchJob],
    concurrency: int,
    started: Callable[[BatchJob], None],
    finished: Callable[[BatchJob, TaskOutcome], Awaitable[None]],
    *,
    workers: int | None = None,
) -> None:
    """Run ``jobs`` on ``workers`` processes (default: one per core), calling ``finished`` here as each completes."""
    if not jobs:
        return
    from ..sandbox import sandbox_slots
    from .ray_executor import _backend_for_workers

    count = worker_count(len(jobs), workers)
    context = _worker_context()
    # A queue per worker: a worker that dies while sending (its queue's write lock held for good) must not stop the
    # others' outcomes, as one queue shared by every worker did.
    outboxes = [context.Queue() for _ in range(count)]
    shares = [list(jobs[n::count]) for n in range(count)]
    share_concurrency = max(1, math.ceil(concurrency / count))
    backend = _backend_for_workers(agent)
    share_slots = max(1, sandbox_slots() // count)
    processes = [
        context.Process(
            target=serve,
            args=(agent.config, backend, share, share_concurrency, outbox, share_slots, dict(os.environ)),
            name=f"codeagent-worker-{n}",
            daemon=True,
        )
        for n, (share, outbox) in enumerate(zip(shares, outboxes, strict=True))
    ]
    try:
        for process in processes:
            process.start()  # pickles the backend and the jobs
    except (AttributeError, TypeError, pickle.PicklingError) as exc:
        for process in processes:
            if process.is_alive():
                process.terminate()
        raise ConfigurationError(
            f"the backend {backend!r} cannot be sent to worker processes ({str(exc).splitlines()[0]}); "
            "pass a backend name, or make the backend picklable"
        ) from None
    by_id = {job.task.id: job for job in jobs}
    owner = {job.task.id: process for process, share in zip(processes, shares, strict=True) for job in share}
    pending = set(by_id)
    # Outcomes are recorded concurrently, as the local executor's are: one after another, each waiting for its
    # results line's fsync, the driver fell behind the workers, and the lines could not share an fsync.
    recording: set[asyncio.Task[None]] = set()

    def land(task_id: str, outcome: TaskOutcome | None) -> None:
        if outcome is None:
            started(by_id[task_id])
        elif task_id in pending:
            pending.discard(task_id)
            recording.add(asyncio.ensure_future(finished(by_id[task_id], outcome)))

    async def listen(process: BaseProcess, outbox: Any) -> None:
        while any(owner[task_id] is process for task_id in pending):
            try:
                # Every message waiting, in one trip to a thread (two per task: started, finished).
                messages = await off_loop(_receive, outbox)
            except queue.Empty:
                if process.is_alive():
                    continue
                # The worker exited: what it sent is in its queue already; its tasks not there are lost.
                for task_id, outcome in _drain(outbox):
                    land(task_id, outcome)
                await _fail_lost([process], owner, pending, by_id, finished)
                return
            for task_id, outcome in messages:
                land(task_id, outcome)

    try:
        await asyncio.gather(*(listen(p, box) for p, box in zip(processes, outboxes, strict=True)))
        await asyncio.gather(*recording)
    except BaseException:
        # Cancelled (SIGTERM, Ctrl-C, the caller): stop the workers, then record what finished before.
        for process in processes:
            if process.is_alive():
                process.terminate()
        await off_loop(_join, processes)
        for outbox in outboxes:
            for task_id, outcome in _drain(outbox):
                if outcome is not None:
                    land(task_id, outcome)
        await asyncio.gather(*recording, return_exceptions=True)
        raise
    finally:
        await off_loop(_join, processes)


async def _fail_lost(
    processes: Sequence[BaseProcess],
    owner: Mapping[str, BaseProcess],
    pending: set[str],
    by_id: dict[str, BatchJob],
    finished: Callable[[BatchJob, TaskOutcome], Awaitable[None]],
) -> None:
    """Give the unfinished tasks of a worker that exited an error outcome (a rerun of the batch resumes them)."""
    from ..batch.outcome import TaskOutcome

    for process in processes:
        if process.is_alive():
            continue
        lost = sorted(task_id for task_id in pending if owner[task_id] is process)
        for task_id in lost:
            pending.discard(task_id)
            job = by_id[task_id]
            error = f"the worker process running this task exited (exit code {process.exitcode})"
            await finished(job, TaskOutcome(id=task_id, app_id=job.app_id, stop_reason="error", error=error))


_PRELOAD = ["burr_codeagent.executors._preload"]


def _worker_context() -> Any:
    """The fork server's context (its preloaded imports shared by every worker); ``spawn`` where there is none."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)  # takes effect when the fork server starts: once per process
    return context


def _receive(outbox: Any) -> list[tuple[str, TaskOutcome | None]]:
    """The next message from the workers and every one waiting behind it; ``queue.Empty`` after ``_POLL`` s."""
    return [outbox.get(True, _POLL), *_drain(outbox)]


def _drain(outbox: Any) -> list[tuple[str, TaskOutcome | None]]:
    messages = []
    while True:
        try:
            messages.append(outbox.get_nowait())
        except queue.Empty:
            return messages


def _join(processes: Sequence[BaseProcess]) -> None:
    for process in processes:
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
            process.join()
