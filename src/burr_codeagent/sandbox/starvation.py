"""Telling a run the machine starved from a run whose code is slow: the CPU time and run-queue wait of its processes.

A wall-clock timeout alone blames the code for the machine's load: on 2 busy cores a correct solution may get a
third of a processor. At the deadline the runner reads ``/proc/<pid>/schedstat`` (time on a CPU, time waiting for
one) of the run's live processes and looks at the busiest (the test process). If it has not had ``timeout`` seconds
of CPU and spent a quarter or more of its time waiting for a processor, the run was starved: its deadline moves on
(at most to :data:`STRETCH` times the timeout). A run that used its CPU time (an endless loop), waited on nothing (a
sleep, a deadlock) or keeps more than :data:`CROWD` processes (a fork bomb: it waits on itself) is timed out as
before. Where schedstat is missing (not Linux, ``CONFIG_SCHED_INFO`` off) nothing changes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ._launcher import descendants

__all__ = ["CROWD", "RECHECK_SECONDS", "STRETCH", "RunClock", "SchedUse", "sched_use"]

STRETCH = 3.0
"""The most a starved run's deadline grows, as a multiple of its timeout."""
RECHECK_SECONDS = 0.25
"""A starved run past its deadline: how often to look again."""
CROWD = 8
"""More live processes than this and a run's waiting is its own doing, not the machine's."""
_USED_UP = 0.9  # this share of the timeout on a CPU: the run had its time
_WAITING = 0.25  # this share of the elapsed time waiting for a CPU: the machine held it back


@dataclass(frozen=True)
class SchedUse:
    """CPU time and run-queue wait of a run's busiest live process, in seconds, and how many processes live."""

    cpu: float
    wait: float
    processes: int = 1

    def starved(self, timeout: float, elapsed: float) -> bool:
        """Whether the run still deserves time: it has not had ``timeout`` s of CPU and the machine made it wait."""
        crowded = self.processes > CROWD
        return not crowded and self.cpu < _USED_UP * timeout and self.wait >= _WAITING * elapsed


def sched_use(root: int) -> SchedUse | None:
    """The schedstat of the busiest of ``root`` and its live descendants; None where the kernel does not keep it."""
    pids = [root, *descendants(root)]
    busiest: tuple[int, int] | None = None
    for pid in pids:
        try:
            with open(f"/proc/{pid}/schedstat", encoding="ascii") as handle:
                fields = handle.read().split()
        except (OSError, ValueError):
            continue
        if len(fields) >= 2 and (busiest is None or int(fields[0]) > busiest[0]):
            busiest = int(fields[0]), int(fields[1])
    return SchedUse(busiest[0] / 1e9, busiest[1] / 1e9, len(pids)) if busiest else None


class RunClock:
    """One run's limits as the host watches them: its deadline, moved on while the machine starves the run (up to
    :data:`STRETCH` times the timeout), and its disk allowance.

    ``use`` gives the run's :class:`SchedUse` now (None where unknown); ``exceeded`` is a disk watch's check.
    """

    def __init__(
        self, timeout: float, use: Callable[[], SchedUse | None], exceeded: Callable[[], bool]
    ) -> None:
        self.timeout = timeout
        self.start = time.perf_counter()
        self.deadline = self.start + timeout
        self.use = use
        self.exceeded = exceeded
        self.starved: SchedUse | None = None
        self.timed_out = self.disk_exceeded = False

    def over(self) -> bool:
        """Whether the run must be stopped now: out of time (and not starved), or over its disk allowance."""
        now = time.perf_counter()
        if now >= self.deadline:
            use = self.use()
            self.starved = use if use is not None and use.starved(self.timeout, now - self.start) else None
            if self.starved is not None and now < self.start + STRETCH * self.timeout:
                self.deadline = now + RECHECK_SECONDS  # the machine's fault: more time
                return False
            self.timed_out = True
            return True
        if self.exceeded():
            self.disk_exceeded = True
            return True
        return False

    def pause(self) -> float:
        """How long to wait for the run before looking again."""
        return min(0.05, max(0.0, self.deadline - time.perf_counter()))
