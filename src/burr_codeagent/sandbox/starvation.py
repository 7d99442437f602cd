"""Telling a run the machine starved from a run whose code is slow: the CPU time and run-queue wait of its processes.

A wall-clock timeout alone blames the code for the machine's load: on 2 busy cores a correct solution may get a
third of a processor. At the deadline the runner reads ``/proc/<pid>/schedstat`` (time on a CPU, time waiting for
one) of the run's live processes and looks at the busiest (the test process). If it has not had ``timeout`` seconds
of CPU and, in the last :data:`WINDOW_SECONDS` before the deadline, wanted a processor most of the time and waited
for one a quarter or more of it, the run is being starved: its deadline moves on (at most to :data:`STRETCH` times
the timeout). Looking at that window, not at the whole run, matters for a run that waited at start-up (pytest's
imports on a busy machine) and then slept: it is not held back by the machine at its deadline. A run that used its
CPU time (an endless loop), waits on nothing (a sleep, a deadlock) or keeps more than :data:`CROWD` processes (a fork
bomb: it waits on itself) is timed out as before. Where schedstat is missing (not Linux, ``CONFIG_SCHED_INFO`` off)
nothing changes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ._launcher import descendants

__all__ = ["CROWD", "RECHECK_SECONDS", "STRETCH", "WINDOW_SECONDS", "RunClock", "SchedUse", "sched_use"]

STRETCH = 3.0
"""The most a starved run's deadline grows, as a multiple of its timeout."""
RECHECK_SECONDS = 0.25
"""A starved run past its deadline: how often to look again."""
CROWD = 8
"""More live processes than this and a run's waiting is its own doing, not the machine's."""
WINDOW_SECONDS = 0.5
"""How much of a run's last moments before its deadline tell whether the machine is holding it back."""
_USED_UP = 0.9  # this share of the timeout on a CPU: the run had its time
_WAITING = 0.25  # this share of the elapsed time waiting for a CPU: the machine held it back
_RUNNABLE = (
    0.5  # this share of a window on a CPU or waiting for one: the run wanted to run, it was not sleeping
)


@dataclass(frozen=True)
class SchedUse:
    """CPU time and run-queue wait of a run's busiest live process, in seconds, and how many processes live."""

    cpu: float
    wait: float
    processes: int = 1
    pid: int = 0

    def starved(self, timeout: float, elapsed: float, since: SchedUse | None = None) -> bool:
        """Whether the run still deserves time: it has not had ``timeout`` s of CPU and the machine made it wait.

        With ``since`` (the same process ``elapsed`` seconds ago) only that window counts: the run must have wanted a
        processor most of it and waited for one a quarter of it; without, the whole run's wait does.
        """
        if self.processes > CROWD or self.cpu >= _USED_UP * timeout:
            return False
        if since is None or since.pid != self.pid:
            return self.wait >= _WAITING * elapsed
        cpu, wait = self.cpu - since.cpu, self.wait - since.wait
        return cpu + wait >= _RUNNABLE * elapsed and wait >= _WAITING * elapsed


def sched_use(root: int) -> SchedUse | None:
    """The schedstat of the busiest of ``root`` and its live descendants; None where the kernel does not keep it."""
    pids = [root, *descendants(root)]
    busiest: tuple[int, int, int] | None = None
    for pid in pids:
        try:
            with open(f"/proc/{pid}/schedstat", encoding="ascii") as handle:
                fields = handle.read().split()
        except (OSError, ValueError):
            continue
        if len(fields) >= 2 and (busiest is None or int(fields[0]) > busiest[0]):
            busiest = int(fields[0]), int(fields[1]), pid
    return SchedUse(busiest[0] / 1e9, busiest[1] / 1e9, len(pids), busiest[2]) if busiest else None


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
        self._window = min(WINDOW_SECONDS, timeout / 2)
        self._before: tuple[float, SchedUse | None] | None = None  # when, and what, the window started with

    def _held_back(self, use: SchedUse, now: float) -> bool:
        if self._before is None or self._before[1] is None or now - self._before[0] < RECHECK_SECONDS / 2:
            return use.starved(self.timeout, now - self.start)
        return use.starved(self.timeout, now - self._before[0], since=self._before[1])

    def over(self) -> bool:
        """Whether the run must be stopped now: out of time (and not starved), or over its disk allowance."""
        now = time.perf_counter()
        if self._before is None and now >= self.deadline - self._window:
            self._before = (now, self.use())
        if now >= self.deadline:
            use = self.use()
            self.starved = use if use is not None and self._held_back(use, now) else None
            if self.starved is not None and now < self.start + STRETCH * self.timeout:
                self.deadline = now + RECHECK_SECONDS  # the machine's fault: more time
                self._before = (now, use)
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
