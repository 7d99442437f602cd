"""Per-run control groups: a process limit that binds root, and a kill that catches daemons which left the group.

Used by the ``none`` layer, which has no pid namespace: there ``RLIMIT_NPROC`` does not bind root, and a process
that calls ``setsid()`` leaves the process group the runner kills. Cgroup membership survives both, so each run gets
a fresh child of the agent's own cgroup, in the unified (v2) hierarchy for ``cgroup.kill`` and, where the ``pids``
controller is not available there, in the v1 ``pids`` hierarchy for ``pids.max``. The launcher joins them before it
runs the command (no race with early forks); the runner kills everything in them and removes them after the run.

Nothing here is required: where cgroups are read-only (an unprivileged container, macOS), :func:`create_run_cgroup`
returns None and the runner falls back to its process-tree sweep.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import signal
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["RunCgroup", "create_run_cgroup"]

log = logging.getLogger(__name__)

_REMOVE_SECONDS = 2.0  # killed processes leave their cgroup when they have exited; wait at most this long


@dataclass(frozen=True)
class _Hierarchies:
    """Where this process's own cgroups are, as directories on the host."""

    unified: Path | None
    pids_v1: Path | None


def _own_paths() -> tuple[str | None, str | None]:
    """This process's cgroup in the unified hierarchy and in the v1 ``pids`` hierarchy, from /proc/self/cgroup."""
    unified = pids = None
    with open("/proc/self/cgroup", encoding="utf-8") as lines:
        for line in lines:
            number, controllers, path = line.rstrip("\n").split(":", 2)
            if number == "0" and controllers == "":
                unified = path
            elif "pids" in controllers.split(","):
                pids = path
    return unified, pids


def _under(mount_point: str, mount_root: str, own: str) -> Path | None:
    """The host directory of cgroup ``own`` in a hierarchy mounted at ``mount_point`` from ``mount_root``."""
    if mount_root != "/" and own != mount_root and not own.startswith(mount_root.rstrip("/") + "/"):
        return None  # our cgroup is outside what this mount shows
    relative = own[len(mount_root) :] if mount_root != "/" else own
    directory = Path(mount_point) / relative.lstrip("/")
    return directory if directory.is_dir() else None


@cache
def _hierarchies() -> _Hierarchies:
    """Find the hierarchies once per process (mounts do not change under a running agent)."""
    try:
        own_unified, own_pids = _own_paths()
        mounts = Path("/proc/self/mountinfo").read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError):
        return _Hierarchies(None, None)
    unified = pids = None
    for mount in mounts:
        fields, _, rest = mount.partition(" - ")
        parts, extra = fields.split(), rest.split()
        if len(parts) < 5 or len(extra) < 3:
            continue
        root, point, fstype = parts[3], parts[4].replace("\\040", " "), extra[0]
        if fstype == "cgroup2" and unified is None and own_unified is not None:
            unified = _under(point, root, own_unified)
        elif fstype == "cgroup" and "pids" in extra[2].split(",") and pids is None and own_pids is not None:
            pids = _under(point, root, own_pids)
    return _Hierarchies(unified, pids)


def _write(path: Path, value: str) -> None:
    path.write_text(value, encoding="ascii")


def _make_child(parent: Path) -> Path | None:
    child = parent / f"codeagent-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        child.mkdir(mode=0o755)
    except OSError as exc:  # read-only cgroupfs (most containers), or not ours to write
        log.debug("cannot create cgroup under %s: %s", parent, exc)
        return None
    return child


class RunCgroup:
    """The cgroups of one run: join them with :attr:`procs_files`, then :meth:`kill` and :meth:`remove`."""

    def __init__(self, unified: Path | None, pids_v1: Path | None) -> None:
        self.unified = unified
        self.pids_v1 = pids_v1

    @property
    def directories(self) -> list[Path]:
        """The cgroup directories of this run."""
        return [d for d in (self.unified, self.pids_v1) if d is not None]

    @property
    def procs_files(self) -> list[str]:
        """The files the launcher writes its pid to, to put itself and everything it starts in this run's cgroups."""
        return [str(d / "cgroup.procs") for d in self.directories]

    def kill(self) -> None:
        """SIGKILL every process of the run, whatever its session or process group (idempotent)."""
        if self.unified is not None:
            try:
                _write(self.unified / "cgroup.kill", "1")  # Linux 5.14+: atomic, even against a fork bomb
                return
            except OSError:
                pass
        for directory in self.directories:
            _kill_members(directory)

    def remove(self) -> None:
        """Remove the cgroups once their killed processes have exited; a leftover is logged, never raised."""
        deadline = time.monotonic() + _REMOVE_SECONDS
        for directory in self.directories:
            while True:
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError as exc:
                    if time.monotonic() >= deadline:
                        log.warning("cannot remove the run's cgroup %s: %s", directory, exc)
                        break
                    _kill_members(directory)
                    time.sleep(0.01)


def _kill_members(directory: Path) -> None:
    """Kill the members of a cgroup until none is left (a fork bomb refills it, but ``pids.max`` bounds it)."""
    for _ in range(100):
        try:
            pids = (directory / "cgroup.procs").read_text(encoding="ascii").split()
        except OSError:
            return
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(int(pid), signal.SIGKILL)
        time.sleep(0.005)


def create_run_cgroup(max_processes: int) -> RunCgroup | None:
    """Fresh cgroups for one run, with at most ``max_processes`` tasks where a ``pids`` controller is at hand.

    None when no cgroup can be created here.
    """
    if not os.path.isfile("/proc/self/cgroup"):
        return None
    found = _hierarchies()
    unified = _make_child(found.unified) if found.unified is not None else None
    limited = False
    if unified is not None:
        with contextlib.suppress(OSError):
            if "pids" in (unified / "cgroup.controllers").read_text(encoding="ascii").split():
                _write(unified / "pids.max", str(max_processes))
                limited = True
    pids_v1 = None
    if not limited and found.pids_v1 is not None:
        pids_v1 = _make_child(found.pids_v1)
        if pids_v1 is not None:
            try:
                _write(pids_v1 / "pids.max", str(max_processes))
            except OSError as exc:
                log.debug("cannot limit processes in %s: %s", pids_v1, exc)
                with contextlib.suppress(OSError):
                    pids_v1.rmdir()
                pids_v1 = None
    if unified is None and pids_v1 is None:
        return None
    return RunCgroup(unified, pids_v1)
