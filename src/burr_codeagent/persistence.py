"""Where a run's steps go: Burr's SQLite persistence of completed steps and the local tracker's directory.

Runs in one process that persist to the same file share one persister (one connection, a lock around each save and
load): a batch keeps every task's steps in one file, opened once, instead of creating, setting up and checkpointing
a file per task (~1-2 ms of CPU per task, more on a busy disk). Saving is cheap (WAL, no fsync per step); an async
run saves on a writer thread (:class:`SavedOnWriterThread`), so the event loop its batch shares serves the other
runs meanwhile, and closing (a checkpoint) happens on a closer thread.
"""

from __future__ import annotations

import asyncio
import os
import queue
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

from burr.core import State
from burr.core.action import Action
from burr.core.persistence import SQLitePersister
from burr.lifecycle import PostRunStepHookAsync

__all__ = ["SavedOnWriterThread", "make_tracking_dir", "open_persister"]

_PRIOR_STEP = "__PRIOR_STEP"  # burr.core.application.PRIOR_STEP: the step that produced a state
_SEQUENCE_ID = "__SEQUENCE_ID"  # set by Burr before every step: the state came from Burr's own hook


class _CompletedStepsPersister(SQLitePersister):
    """Saves completed steps only, so a resumed run starts again at the step that failed or was killed.

    Burr 0.43 reports a step interrupted by ``CancelledError`` or ``KeyboardInterrupt`` (not ``Exception``s) as
    completed, with the state from *before* the step; saving that would make a resumed run skip the step. Such a
    state (Burr's, so it has a ``__SEQUENCE_ID``) does not name this step as its ``__PRIOR_STEP``: it is not saved.

    Runs on several threads share one (:func:`open_persister`): each save and load holds its lock.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def load(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return super().load(*args, **kwargs)

    def list_app_ids(self, *args: Any, **kwargs: Any) -> list[str]:
        with self._lock:
            return super().list_app_ids(*args, **kwargs)

    def save(
        self,
        partition_key: str | None,
        app_id: str,
        sequence_id: int,
        position: str,
        state: State[Any],
        status: Literal["completed", "failed"],
        **kwargs: Any,
    ) -> None:
        cut_short = _SEQUENCE_ID in state and state.get(_PRIOR_STEP) != position
        if status == "completed" and not cut_short:
            with self._lock:
                super().save(partition_key, app_id, sequence_id, position, state, status, **kwargs)

    def __del__(self) -> None:
        # Closing checkpoints the write-ahead log into the file (~10 ms of disk): not on the thread that dropped the
        # last reference, which in a batch is the event loop every other run shares. __del__ may run inside any
        # allocation, even one that holds a lock (ThreadPoolExecutor.submit holds a global one), so it only puts the
        # connection on a SimpleQueue, whose put() is documented as safe there.
        connection = self.connection  # type: ignore[has-type]  # untyped in Burr
        closer = _closer
        if closer is not None and closer.is_alive():
            _to_close.put(connection)
        else:
            connection.close()


def _close_forever() -> None:
    while True:
        _to_close.get().close()


_to_close: queue.SimpleQueue[Any] = queue.SimpleQueue()
_closer: threading.Thread | None = None
_closer_started = threading.Lock()


def _start_closer() -> None:
    # A new thread whenever none runs: a worker process forked from one that had a closer has none.
    global _closer
    with _closer_started:
        if _closer is None or not _closer.is_alive():
            _closer = threading.Thread(target=_close_forever, name="codeagent-sqlite-close", daemon=True)
            _closer.start()


def make_tracking_dir(project: str, storage_dir: str | None) -> None:
    """Create the tracker's project directory first: Burr's tracker checks, then creates it, which fails when
    runs are built at once on several threads (as a batch does)."""
    from burr.tracking.client import LocalTrackingClient

    path = LocalTrackingClient.get_storage_path(
        project, storage_dir or LocalTrackingClient.DEFAULT_STORAGE_DIR
    )
    Path(path).mkdir(parents=True, exist_ok=True)


_open: weakref.WeakValueDictionary[Path, SQLitePersister] = weakref.WeakValueDictionary()
_opening = threading.Lock()


def open_persister(path: Path) -> SQLitePersister:
    """Burr's SQLite persister on ``path``, its table created if needed; the one already open in this process for
    that file if some run still holds it (it is closed when none does)."""
    key = Path(path).absolute()
    with _opening:
        persister = _open.get(key)
    if persister is not None:
        return persister
    created = _new_persister(key)  # outside the lock: other files open meanwhile
    with _opening:
        # Two threads may have opened the same file at once: both use the first one registered.
        return _open.setdefault(key, created)


def _new_persister(path: Path) -> SQLitePersister:
    path.parent.mkdir(parents=True, exist_ok=True)
    _start_closer()
    persister = _CompletedStepsPersister(
        db_path=str(path), table_name="codeagent_runs", connect_kwargs={"check_same_thread": False}
    )
    # WAL with synchronous=NORMAL: a commit per step without an fsync (~20 ms each on a busy disk, on the event
    # loop of every run in a batch). A killed process loses nothing; a power cut may lose the last steps, not the file.
    # The table is created before that with no fsync at all (a new file has nothing to lose), in WAL mode already:
    # creating it in the default rollback mode, then switching, cost ~45 ms per file (a batch opens one per task).
    connection = persister.connection  # type: ignore[has-type]  # untyped in Burr
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA journal_mode=WAL")
    persister.initialize()  # type: ignore[no-untyped-call]
    connection.execute("PRAGMA synchronous=NORMAL")
    return persister


class SavedOnWriterThread(PostRunStepHookAsync):
    """Burr's persister hook for async applications, saving each step on a writer thread instead of the event loop.

    Added with ``ApplicationBuilder.with_hooks`` in place of ``with_state_persister(persister)``: the step's save is
    awaited, so it is on disk before the next step starts, exactly as with Burr's own hook, but the loop serves the
    other runs while SQLite writes (a commit, and now and then a WAL checkpoint, or a wait for another process's
    write lock). On the loop each save held every run of a batch for ~0.3-1 ms.
    """

    def __init__(self, persister: SQLitePersister) -> None:
        self.persister = persister

    async def post_run_step(
        self,
        *,
        app_id: str,
        partition_key: str,
        sequence_id: int,
        state: State[Any],
        action: Action,
        result: dict[str, Any] | None,
        exception: Exception,
        **future_kwargs: Any,
    ) -> None:
        """Save the step as Burr's ``PersisterHook`` does, on the writer thread."""
        status: Literal["completed", "failed"] = "completed" if exception is None else "failed"
        save = self.persister.save
        args = (partition_key, app_id, sequence_id, action.name, state, status)
        await asyncio.get_running_loop().run_in_executor(_writer(), save, *args)


_writers: dict[int, ThreadPoolExecutor] = {}


def _writer() -> ThreadPoolExecutor:
    """This process's writer thread (a forked worker builds its own: the parent's thread is not in the fork)."""
    pid = os.getpid()
    writer = _writers.get(pid)
    if writer is None:
        writer = _writers.setdefault(pid, ThreadPoolExecutor(1, thread_name_prefix="codeagent-save"))
    return writer
