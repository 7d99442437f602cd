"""Warm sandboxed workers: pytest imported once per worker, each test run forked into namespaces of its own.

A fresh sandbox per run pays a new interpreter, ``site`` and pytest's imports every time (about 350 of a run's
500 ms of CPU, see docs/scaling.md). A warm worker is one long-lived bubblewrap sandbox (the same read-only root,
no network) running :mod:`._zygote`, which has imported pytest; each run is forked from it into new mount, pid,
IPC, UTS and network namespaces, sees only its own work dir at ``/sandbox`` and fresh ``/tmp``, ``/dev/shm`` and
``/proc``, and runs as a uid of its own with the usual limits. Work dirs live in the worker's spool directory on
the host, so the host writes the files, watches the disk and reads the report exactly as for a fresh sandbox.

Used when the agent runs as root (the worker needs ``CAP_SYS_ADMIN`` and ``CAP_SETUID`` inside bubblewrap) with the
``bwrap`` layer; ``CODEAGENT_SANDBOX_WARM=0`` turns it off. Anything unexpected from a worker (it cannot start, it
dies) sends the run to a fresh sandbox instead, and the worker is dropped.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from .disk_watch import DiskWatch
from .environment import scrubbed_environment
from .layers import INSIDE_WORKDIR, interpreter_paths, is_root, wrap_bwrap
from .limits import ResourceLimits, _launcher_source, run_identity
from .slots import sandbox_slot
from .starvation import RunClock, SchedUse, sched_use

if TYPE_CHECKING:
    from .runner import RunResult, Sandbox

__all__ = ["WarmWorker", "close_idle_workers", "run_warm", "warm_worker"]

_START_SECONDS = 60.0  # importing pytest in a new worker, on a loaded machine
_OWN_PROCESSES = 4  # bwrap, the zygote, a run's controller and its pid 1: not the run's crowd
# bwrap's PR_SET_PDEATHSIG ties a worker to the thread that started it: one long-lived thread starts them all.
_SPAWNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="codeagent-warm")
_IDLE: dict[tuple[object, ...], list[WarmWorker]] = {}
_LOCK = threading.Lock()


@atexit.register
def close_idle_workers() -> None:
    """End every idle warm worker and remove its spool (at exit; also useful to start afresh)."""
    with _LOCK:
        workers = [worker for idle in _IDLE.values() for worker in idle]
        _IDLE.clear()
    for worker in workers:
        worker.close()


def _enabled(sandbox: Sandbox) -> bool:
    return (
        sandbox.isolation == "bwrap"
        and is_root()
        and hasattr(os, "pidfd_open")
        and os.environ.get("CODEAGENT_SANDBOX_WARM", "1").strip() != "0"
    )


@cache
def _zygote_source() -> str:
    return f"LAUNCHER = {_launcher_source()!r}\n" + Path(__file__).with_name("_zygote.py").read_text("utf-8")


class WarmWorker:
    """One warm sandbox; runs one test run at a time."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.spool = Path(tempfile.mkdtemp(prefix="codeagent-spool-"))
        self.spool.chmod(0o755)
        self.memory_mb = sandbox.memory_mb
        self.max_output_chars = sandbox.max_output_chars
        self.disk_mb = sandbox.disk_mb
        command = wrap_bwrap(
            [sys.executable, "-c", _zygote_source()],
            workdir=str(self.spool),
            network=sandbox.network,
            read_only=sandbox.read_only_paths,
            extra_caps=("CAP_SYS_ADMIN",),
        )
        environment = scrubbed_environment(os.environ, home=INSIDE_WORKDIR, tmpdir="/tmp")
        environment["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        self.network = sandbox.network
        bound = [*interpreter_paths(), *(os.path.realpath(p) for p in sandbox.read_only_paths)]
        self.keep = [p for p in bound if p.startswith(("/tmp/", "/dev/shm/"))]
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=environment,
            start_new_session=True,
            close_fds=True,
        )
        if self._answer(_START_SECONDS).get("ready") is not True:
            self.close()
            raise OSError("the warm sandbox did not start")

    def _answer(self, timeout: float) -> dict[str, Any]:
        stdout = cast(IO[bytes], self.process.stdout)
        if not select.select([stdout], [], [], timeout)[0]:
            return {}
        line = stdout.readline()
        try:
            answer = json.loads(line) if line else {}
        except ValueError:
            return {}
        return answer if isinstance(answer, dict) else {}

    def _send(self, message: str) -> None:
        stdin = cast(IO[bytes], self.process.stdin)
        stdin.write(message.encode() + b"\n")
        stdin.flush()

    def close(self) -> None:
        """End the worker and remove its spool."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, 9)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=2)
        import shutil

        shutil.rmtree(self.spool, ignore_errors=True)

    def run(
        self, args: list[str], host_workdir: Path, timeout: float, env: Mapping[str, str] | None
    ) -> RunResult | None:
        """Run pytest with ``args`` in ``host_workdir`` (a directory of :attr:`spool`); None: the worker failed
        before the run started (run it elsewhere)."""
        from .runner import RunResult, _CappedReader

        host_workdir.chmod(0o777)
        output = f".codeagent-output-{os.urandom(8).hex()}"
        environment = scrubbed_environment(os.environ, home=INSIDE_WORKDIR, tmpdir="/tmp", extra=env)
        request = {
            "dir": host_workdir.name,
            "args": args,
            "env": environment,
            "limits": ResourceLimits.for_run(timeout, self.memory_mb).__dict__,
            "uid": list(run_identity()),
            "network": self.network,
            "output": output,
            "keep": self.keep,
        }
        start = time.perf_counter()
        try:
            self._send(json.dumps(request))
        except OSError:
            return None
        if self._answer(_START_SECONDS).get("started") is not True:
            return None
        status, clock = self._wait(host_workdir, timeout)
        if status is None:  # the worker died mid-run: a run killed by a signal, as a fresh sandbox reports it
            status = -9
        elapsed = time.perf_counter() - start
        reader = _CappedReader(cast(Any, _OpenedOr(host_workdir / output)), self.max_output_chars)
        reader.run()
        text, truncated = reader.text()
        with contextlib.suppress(OSError):
            (host_workdir / output).unlink()
        return RunResult(
            returncode=status,
            output=text,
            output_truncated=truncated,
            timed_out=clock.timed_out,
            disk_exceeded=clock.disk_exceeded,
            seconds=elapsed,
            isolation="bwrap",
            workdir=host_workdir,
            inside_workdir=INSIDE_WORKDIR,
            starved=clock.starved if clock.timed_out else None,
        )

    def _wait(self, host_workdir: Path, timeout: float) -> tuple[int | None, RunClock]:
        """The run's exit status (None if the worker died) and its clock, once it ended or was killed."""
        stdout = cast(IO[bytes], self.process.stdout)
        clock = RunClock(timeout, self._use, DiskWatch([host_workdir], self.disk_mb).exceeded)
        while not select.select([stdout], [], [], 0.05)[0]:
            if clock.over():
                with contextlib.suppress(OSError):
                    self._send("kill")
                break
            if self.process.poll() is not None:
                return None, clock
        status = self._answer(10.0).get("status")
        return (status if isinstance(status, int) else None), clock

    def _use(self) -> SchedUse | None:
        """The busiest process of the worker is the run's test process; the worker's own are not its crowd."""
        use = sched_use(self.process.pid)
        return use and SchedUse(use.cpu, use.wait, max(1, use.processes - _OWN_PROCESSES))


class _OpenedOr:
    """The output file for :class:`_CappedReader` (``read1`` to its end); empty when the run wrote none."""

    def __init__(self, path: Path) -> None:
        try:
            if path.is_symlink():
                raise OSError("not following a link written by the run")
            self.handle: Any = path.open("rb")
        except OSError:
            self.handle = None

    def read1(self, size: int) -> bytes:
        if self.handle is None:
            return b""
        chunk: bytes = self.handle.read1(size)
        if not chunk:
            self.handle.close()
        return chunk


def _key(sandbox: Sandbox) -> tuple[object, ...]:
    return (
        sandbox.network,
        sandbox.read_only_paths,
        sandbox.memory_mb,
        sandbox.max_output_chars,
        sandbox.disk_mb,
    )


@contextlib.contextmanager
def warm_worker(sandbox: Sandbox) -> Any:
    """A warm worker for ``sandbox``'s settings held for the block (None where warm runs are not used or a worker
    cannot start); it goes back to the idle ones afterwards unless it died."""
    if not _enabled(sandbox):
        yield None
        return
    key = _key(sandbox)
    with _LOCK:
        idle = _IDLE.setdefault(key, [])
        worker = idle.pop() if idle else None
    if worker is None or worker.process.poll() is not None:
        try:
            worker = _SPAWNER.submit(WarmWorker, sandbox).result()
        except OSError:
            yield None
            return
    try:
        yield worker
    finally:
        if worker.process.poll() is None:
            with _LOCK:
                _IDLE.setdefault(key, []).append(worker)
        else:
            worker.close()


def run_warm(
    worker: WarmWorker, args: list[str], host_workdir: Path, timeout: float, env: Mapping[str, str] | None
) -> RunResult | None:
    """One run on ``worker`` holding a sandbox slot (see :mod:`.slots`)."""
    with sandbox_slot():
        return worker.run(args, host_workdir, timeout, env)
