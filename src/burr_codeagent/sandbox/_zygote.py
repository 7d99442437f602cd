"""Runs inside a long-lived bubblewrap sandbox: imports pytest once, then forks every test run into namespaces of
its own (see :mod:`.warm`).

The host passes ``LAUNCHER`` (the launcher's source, for its limit and privilege functions) before this source to
``python -c``. Requests come one per line on stdin as JSON; this process answers on stdout with one line when the
run started and one with its exit status. A run is: a controller (this process's child) that unshares mount, pid,
IPC, UTS and network namespaces; its child, pid 1 of the new pid namespace, which binds the run's own directory of
the spool over ``/sandbox`` (hiding every other run's), mounts fresh ``/tmp``, ``/dev/shm`` and ``/proc`` and waits
for the test process; and the test process, which sets the limits, becomes the run's own unprivileged uid, and
calls ``pytest.main``. Everything of a run dies with its pid namespace; no state of one run reaches the next.
"""

import contextlib
import ctypes
import gc
import importlib
import json
import os
import select
import signal
import sys
from typing import Any

LAUNCHER: str  # set by the host before this source
_LAUNCHER: dict[str, Any] = {"__name__": "codeagent_launcher"}
exec(LAUNCHER, _LAUNCHER)  # noqa: F821 - the launcher's own source, given by the host

import pytest  # noqa: E402 - after the launcher, which must not import it
from _pytest.config import default_plugins  # noqa: E402

for _name in default_plugins:  # what every session imports: once, here, not per run
    importlib.import_module("_pytest." + _name)
import xml.etree.ElementTree  # noqa: E402, F401

import _pytest.assertion.rewrite  # noqa: E402, F401

# Every run forks from here. pytest's own gc.collect() calls at the end of a session (five of them) would walk, and
# write the gc header of, every object imported above: each run copied those pages and spent most of its CPU on it.
# Frozen objects are never collected nor touched; what a run creates is collected as usual.
gc.freeze()

_LIBC = ctypes.CDLL(None, use_errno=True)
_NAMESPACES = 0x00020000 | 0x20000000 | 0x08000000 | 0x04000000  # mount, pid, ipc, uts
_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None) -> None:
    enc = [None if v is None else v.encode() for v in (source, target, fstype, data)]
    if _LIBC.mount(enc[0], enc[1], enc[2], ctypes.c_ulong(flags), enc[3]) != 0:
        _LAUNCHER["fail"](f"mount {target}: {os.strerror(ctypes.get_errno())}")


def _test_process(request: dict[str, Any]) -> None:
    """Limits, the run's uid, a clean environment, then pytest in this process."""
    fd = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.closerange(3, 65536)
    uid, gid = request["uid"]
    _LAUNCHER["set_limits"](request["limits"], uid)
    # No set-uid program can give back what dropping privileges takes (this worker kept CAP_SYS_ADMIN to mount).
    if _LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        _LAUNCHER["fail"]("cannot set no_new_privs")
    _LAUNCHER["drop_privileges"](uid, gid)
    os.umask(0o022)
    os.environ.clear()
    os.environ.update(request["env"])
    extra = [p for p in request["env"].get("PYTHONPATH", "").split(os.pathsep) if p]
    sys.path[0:1] = ["/sandbox", *extra]
    sys.argv = ["pytest", *request["args"]]
    try:
        code = int(pytest.main(request["args"]))
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
    os._exit(code)


def _wait_exit(pid: int) -> None:
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    os._exit(code if code >= 0 else 128 - code)


def _controller(request: dict[str, Any]) -> None:
    """Runs in a fork of the zygote: new namespaces, then pid 1 of them, then the test process."""
    flags = _NAMESPACES | (0 if request["network"] else _NEWNET)
    if _LIBC.unshare(flags) != 0:
        _LAUNCHER["fail"](f"unshare: {os.strerror(ctypes.get_errno())}")
    init = os.fork()
    if init != 0:
        _wait_exit(init)
    _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # the controller killed: the whole run dies
    _mount(None, "/", None, MS_REC | MS_PRIVATE, None)
    _mount("/sandbox/" + request["dir"], "/sandbox", None, MS_BIND | MS_REC, None)
    # Read-only binds under /tmp (a venv, a project there) survive the fresh /tmp: held open, bound back.
    kept = {
        path: os.open(path, os.O_PATH | os.O_DIRECTORY) for path in request["keep"] if os.path.isdir(path)
    }
    for fresh in ("/tmp", "/dev/shm"):
        if os.path.isdir(fresh):
            _mount("tmpfs", fresh, "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
    for path, handle in kept.items():
        os.makedirs(path, mode=0o755, exist_ok=True)
        _mount(f"/proc/self/fd/{handle}", path, None, MS_BIND | MS_REC, None)
        _mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, None)
        os.close(handle)
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
    os.chdir("/sandbox")
    test = os.fork()
    if test == 0:
        _test_process(request)
    _wait_exit(test)


def _answer(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


class _Lines:
    """Lines from stdin read with ``os.read``, so ``select`` on fd 0 sees whatever is not yet consumed."""

    def __init__(self) -> None:
        self.buffer = b""

    def pending(self) -> bool:
        return b"\n" in self.buffer

    def readline(self) -> str:
        while b"\n" not in self.buffer:
            chunk = os.read(0, 65536)
            if not chunk:
                return ""
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode() + "\n"


def main() -> None:
    """Answer ``ready``, then serve runs until stdin ends."""
    lines = _Lines()
    _answer({"ready": True})
    while line := lines.readline():
        request = json.loads(line)
        gc.freeze()  # what this loop allocated so far, too (see above)
        pid = os.fork()
        if pid == 0:
            try:
                _controller(request)
            finally:
                os._exit(125)
        _answer({"started": True})
        handle = os.pidfd_open(pid)
        while True:
            ready = [0] if lines.pending() else select.select([0, handle], [], [])[0]
            if handle in ready:
                break
            lines.readline()  # "kill" (timeout, disk) or the end of input (the host is gone): either way, kill
            os.kill(pid, signal.SIGKILL)
            break
        os.close(handle)
        code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        _answer({"status": code if code >= 0 else 128 - code})


main()
