"""While a batch runs, the objects the process held before it stay out of the garbage collector's walks.

A process that has imported Burr, the SDKs, instructor and pydantic holds ~250,000 objects the collector tracks.
Each full collection walks them all: in a 200-task batch at concurrency 50 two of them cost ~1.1 ms of CPU per task
and held the event loop, and every run on it, for ~0.1 s each time. None of those objects become garbage because a
batch runs, so the batch sets them aside with :func:`gc.freeze` and puts them back with :func:`gc.unfreeze` when the
last batch running in the process ends. The objects the batch itself allocates are collected as usual.

A process that manages freezing itself keeps its choice: nothing is frozen if something is frozen already when the
first batch starts, and nothing is unfrozen if more was frozen while the batches ran (``codeagent batch`` freezes
after its first task, for the rest of the process).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

__all__ = ["older_objects_frozen"]

_lock = threading.Lock()
_running = 0
_frozen: int | None = None  # how many objects the first batch froze; None: it froze nothing


@contextlib.contextmanager
def older_objects_frozen() -> Iterator[None]:
    """Freeze what the process holds for as long as any batch runs (see the module docstring)."""
    global _running, _frozen
    with _lock:
        if _running == 0:
            _frozen = None
            if gc.get_freeze_count() == 0:
                gc.freeze()
                _frozen = gc.get_freeze_count()
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            # Frozen objects that die leave the count, so it only grows if someone else froze more meanwhile.
            if _running == 0 and _frozen is not None and gc.get_freeze_count() <= _frozen:
                gc.unfreeze()
            if _running == 0:
                _frozen = None
