"""Run one command in a fresh work dir behind the chosen isolation layer, with a wall-clock timeout and capped output."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal, cast

from ._launcher import kill_descendants
from .cgroups import RunCgroup, create_run_cgroup
from .disk_watch import DiskWatch
from .environment import scrubbed_environment
from .layers import (
    INSIDE_WORKDIR,
    Isolation,
    is_root,
    resolve_isolation,
    unshare_mounts,
    wrap_bwrap,
    wrap_unshare,
)
from .limits import LAUNCHER_FAILED, ResourceLimits, launcher_command
from .slots import sandbox_slot
from .starvation import RunClock, SchedUse, sched_use

__all__ = ["RunResult", "Sandbox", "workdir"]

log = logging.getLogger(__name__)

_CAN_SUBREAP = sys.platform.startswith("linux")  # PR_SET_CHILD_SUBREAPER, and /proc to find the orphans
_GRACE_SECONDS = 0.5  # after a kill, how long to wait for the output pipe to drain


@dataclass(frozen=True)
class RunResult:
    """What happened to one sandboxed command."""

    returncode: int | None
    """Exit status; negative for a signal (as :mod:`subprocess` reports it); None if it never finished."""
    output: str
    """stdout and stderr interleaved, capped at ``max_output_chars``."""
    output_truncated: bool
    timed_out: bool
    disk_exceeded: bool
    """Killed for writing more than the disk allowance."""
    seconds: float
    isolation: Isolation
    workdir: Path
    """The work dir on the host (removed after the run unless it was kept)."""
    inside_workdir: str
    """The work dir as the sandboxed command sees it (paths in its output use this)."""
    starved: SchedUse | None = None
    """Set when the run was killed at its deadline while the machine, not the code, held it back: it had less
    than its timeout of CPU time and spent much of its time waiting for a processor (see :mod:`.starvation`)."""

    @property
    def signal(self) -> int | None:
        """The signal that ended the command, if one did (including 128+N statuses from bwrap and shells)."""
        if self.returncode is None:
            return None
        if self.returncode < 0:
            return -self.returncode
        if 128 < self.returncode < 128 + 65:
            return self.returncode - 128
        return None

    @property
    def launcher_failed(self) -> bool:
        """The sandbox itself could not be set up (not a verdict on the code)."""
        return self.returncode == LAUNCHER_FAILED and "codeagent-launcher:" in self.output


@contextlib.contextmanager
def workdir(keep: bool = False, prefix: str = "codeagent-", parent: Path | None = None) -> Iterator[Path]:
    """A fresh private directory for one run (in ``parent``, default the temporary directory), removed afterwards
    unless ``keep``."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        yield path
    finally:
        if keep:
            log.warning("sandbox work dir kept for debugging: %s", path)
        else:
            shutil.rmtree(path, ignore_errors=True)


class _CappedReader(threading.Thread):
    """Reads a pipe to its end, keeping the head and the tail (where tracebacks end); the middle of a flood is dropped.

    Memory stays bounded by about ``cap`` characters however much the command prints.
    """

    def __init__(self, stream: BinaryIO, cap: int) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.half = cap * 2  # bytes per half: up to 4 bytes per character, two halves
        self.cap = cap
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def run(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            while chunk := self.stream.read1(65536):  # type: ignore[attr-defined]  # a BufferedReader
                self.total += len(chunk)
                room = self.half - len(self.head)
                if room > 0:
                    self.head += chunk[:room]
                    chunk = chunk[room:]
                if chunk:
                    self.tail += chunk
                    if len(self.tail) > 2 * self.half:
                        del self.tail[: len(self.tail) - self.half]

    def text(self) -> tuple[str, bool]:
        tail = bytes(self.tail[-self.half :])
        dropped = self.total - len(self.head) - len(tail)
        if dropped <= 0:
            whole = (bytes(self.head) + tail).decode("utf-8", errors="replace")
            if len(whole) <= self.cap:
                return whole, False
        head_text = bytes(self.head).decode("utf-8", errors="replace")
        tail_text = tail.decode("utf-8", errors="replace")
        keep = self.cap // 2 - 40
        return (
            f"{head_text[:keep]}\n[... {max(dropped, 0)} bytes of output dropped ...]\n{tail_text[-keep:]}",
            True,
        )


class Sandbox:
    """Runs commands behind the strongest available (or the requested) isolation layer.

    Every run gets its own session and process group, resource limits, a scrubbed environment with ``HOME`` in the
    work dir, a wall-clock timeout that kills everything the command started, and capped output.
    """

    def __init__(
        self,
        isolation: Literal["auto", "bwrap", "unshare", "none"] = "auto",
        *,
        memory_mb: int = 1024,
        network: bool = False,
        max_output_chars: int = 8_000,
        disk_mb: int = 512,
        read_only_paths: Sequence[str] = (),
    ) -> None:
        self.isolation: Isolation = resolve_isolation(isolation)
        self.read_only_paths = tuple(read_only_paths)
        """Host directories the command may read (a dependency environment, a project), at the same path."""
        self.memory_mb = memory_mb
        self.network = network
        self.max_output_chars = max_output_chars
        self.disk_mb = disk_mb
        if self.isolation == "none":
            note = "" if sys.platform.startswith("linux") else f" ({sys.platform} has no namespaces for it)"
            log.warning(
                "UNISOLATED: generated code runs without namespaces%s; only resource limits, a scrubbed environment "
                "and a timeout protect this machine. Install bubblewrap for real isolation.",
                note,
            )

    def inside(self, host_workdir: Path) -> str:
        """How the command sees ``host_workdir``."""
        return INSIDE_WORKDIR if self.isolation == "bwrap" else str(host_workdir)

    def command(
        self, argv: list[str], host_workdir: Path, limits: ResourceLimits, cgroups: list[str] | None = None
    ) -> list[str]:
        """The full command line: isolation layer, then the launcher (joining ``cgroups`` first), then ``argv``."""
        inside = self.inside(host_workdir)
        if self.isolation == "bwrap":
            launched = launcher_command(argv, inside, limits, drop_privileges=is_root())
            return wrap_bwrap(
                launched, workdir=str(host_workdir), network=self.network, read_only=self.read_only_paths
            )
        if self.isolation == "unshare":
            mounts = unshare_mounts(inside, os.environ.get("HOME"), self.read_only_paths)
            # babysit: pid 1 of a namespace ignores signals it has no handler for, so the tests must not be pid 1.
            launched = launcher_command(
                argv, inside, limits, drop_privileges=is_root(), mounts=mounts, babysit=True
            )
            return wrap_unshare(launched, network=self.network)
        fallback = not cgroups and _CAN_SUBREAP
        return launcher_command(argv, inside, limits, babysit=True, cgroups=cgroups, subreaper=fallback)

    def run(
        self,
        argv: list[str],
        host_workdir: Path,
        *,
        timeout: float,
        env: Mapping[str, str] | None = None,
    ) -> RunResult:
        """Run ``argv`` (absolute ``argv[0]``) with ``host_workdir`` as its writable cwd and wait at most ``timeout``.

        Waits first for a free sandbox slot (:mod:`.slots`); the timeout counts from the start of the command.
        """
        with sandbox_slot():
            return self._run_in_slot(argv, host_workdir, timeout, env)

    def _run_in_slot(
        self, argv: list[str], host_workdir: Path, timeout: float, env: Mapping[str, str] | None
    ) -> RunResult:
        if is_root() and self.isolation != "none":
            host_workdir.chmod(0o777)  # the command runs as an unprivileged uid of its own
        inside = self.inside(host_workdir)
        tmpdir = "/tmp" if self.isolation == "bwrap" else inside
        environment = scrubbed_environment(os.environ, home=inside, tmpdir=tmpdir, extra=env)
        limits = ResourceLimits.for_run(timeout, self.memory_mb)
        # Without a pid namespace, only a cgroup holds a setsid() daemon, and only pids.max binds a root fork bomb.
        run_cgroup = create_run_cgroup(limits.processes) if self.isolation == "none" else None
        try:
            return self._run(argv, host_workdir, timeout, environment, limits, run_cgroup)
        finally:
            if run_cgroup is not None:
                run_cgroup.kill()
                run_cgroup.remove()

    def _run(
        self,
        argv: list[str],
        host_workdir: Path,
        timeout: float,
        environment: dict[str, str],
        limits: ResourceLimits,
        run_cgroup: RunCgroup | None,
    ) -> RunResult:
        inside = self.inside(host_workdir)
        start = time.perf_counter()
        process = subprocess.Popen(
            self.command(argv, host_workdir, limits, run_cgroup.procs_files if run_cgroup else None),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=environment,
            cwd=host_workdir,
            start_new_session=hasattr(os, "killpg"),
            close_fds=True,
        )
        assert process.stdout is not None
        reader = _CappedReader(cast(BinaryIO, process.stdout), self.max_output_chars)
        reader.start()
        watch = DiskWatch(
            [host_workdir], self.disk_mb
        )  # what this run wrote, not the file system's free space
        clock = RunClock(timeout, lambda: sched_use(process.pid), watch.exceeded)
        try:
            while process.poll() is None and not clock.over():
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=clock.pause())
        finally:
            if run_cgroup is not None:
                run_cgroup.kill()
            elif self.isolation == "none" and _CAN_SUBREAP:
                kill_descendants(process.pid, reap=False)  # the launcher is their subreaper while it lives
            _kill_group(process)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=2)
        reader.join(_GRACE_SECONDS)
        process.stdout.close()
        elapsed = time.perf_counter() - start
        output, truncated = reader.text()
        return RunResult(
            returncode=process.returncode,
            output=output,
            output_truncated=truncated,
            timed_out=clock.timed_out,
            disk_exceeded=clock.disk_exceeded,
            seconds=elapsed,
            isolation=self.isolation,
            workdir=host_workdir,
            inside_workdir=inside,
            starved=clock.starved if clock.timed_out else None,
        )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the whole process group (with bwrap and unshare, killing it also ends their pid namespace)."""
    if not hasattr(os, "killpg"):  # Windows: no process groups to kill; the process itself at least
        with contextlib.suppress(OSError):
            process.kill()
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
