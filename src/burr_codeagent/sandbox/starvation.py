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

from dataclasses import dataclass

from ._launcher import descendants

__all__ = ["CROWD", "STRETCH", "SchedUse", "sched_use"]

STRETCH = 3.0
"""The most a starved run's deadline grows, as a multiple of its timeout."""
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
