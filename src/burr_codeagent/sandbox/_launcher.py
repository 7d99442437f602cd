"""Runs inside the sandbox, before the command: limits, private mounts, dropped privileges, then ``exec``.

The host passes this file's source to ``python -I -S -c`` (so it needs no import path inside the sandbox) with a
JSON spec as the only argument. It must stay standard-library only and import as little as possible: its start-up
time is part of every run. Exit status 125 with a ``codeagent-launcher:`` message means the sandbox could not be set
up (a bug or an unsupported host), never a verdict on the code.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

MS_NOSUID = 2
MS_NODEV = 4
MS_BIND = 4096
MS_REC = 16384
AT_FDCWD = -100
AT_RECURSIVE = 0x8000
MOUNT_ATTR_RDONLY = 1
SYS_MOUNT_SETATTR = 442  # same number on every architecture (new syscalls share the table)
LAUNCHER_FAILED = 125
PR_SET_CHILD_SUBREAPER = 36


def fail(message: str) -> None:
    """Report a set-up failure on stderr and exit with the launcher's own status."""
    sys.stderr.write(f"codeagent-launcher: {message}\n")
    sys.stderr.flush()
    os._exit(LAUNCHER_FAILED)


def own_address_space() -> int:
    """This process's virtual size in bytes (the interpreter the command will replace us with is about as big)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # no /proc (macOS)
        pass
    return 64 * 1024 * 1024


def processes_of(uid: int) -> int:
    """How many processes of ``uid`` this process can see (RLIMIT_NPROC counts them all, not just ours)."""
    count = 0
    entries = os.listdir("/proc") if os.path.isdir("/proc") else []
    for entry in entries:
        if entry.isdigit():
            try:
                count += os.stat(f"/proc/{entry}").st_uid == uid
            except OSError:  # the process ended while we looked; contextlib would cost an import
                continue
    return count


def set_limits(limits: dict[str, int], uid_after: int) -> None:
    """Apply the resource limits; soft and hard are equal so the command cannot raise them again.

    On Linux a limit that cannot be set is an error; elsewhere (macOS refuses some) it is skipped with a note.
    """
    try:
        import resource
    except ImportError:  # Windows: the timeout and the output cap are all there is
        return
    pairs = [
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_CPU, limits["cpu_seconds"]),
        (resource.RLIMIT_FSIZE, limits["file_bytes"]),
        (resource.RLIMIT_NOFILE, limits["open_files"]),
        (resource.RLIMIT_AS, own_address_space() + limits["memory_bytes"]),
        (resource.RLIMIT_NPROC, processes_of(uid_after) + limits["processes"]),
    ]
    for which, value in pairs:
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError) as exc:
            if sys.platform.startswith("linux"):
                fail(f"cannot set resource limit {which}: {exc}")
            sys.stderr.write(f"codeagent-launcher: resource limit {which} not applied here: {exc}\n")


def private_mounts(spec: dict[str, Any]) -> None:
    """Hide home and temporary directories behind empty tmpfs mounts and make everything but ``writable`` read-only.

    Used by the ``unshare`` layer, where the process is root of a fresh mount namespace. Paths to keep visible under
    a hidden directory (the interpreter, the work dir) are opened first and bound back from their descriptors.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)

    def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None) -> None:
        enc = [None if v is None else v.encode() for v in (source, target, fstype, data)]
        if libc.mount(enc[0], enc[1], enc[2], ctypes.c_ulong(flags), enc[3]) != 0:
            errno = ctypes.get_errno()
            fail(f"mount {target}: {os.strerror(errno)}")

    def set_readonly(path: str, readonly: bool, recursive: bool) -> bool:
        attr = (ctypes.c_uint64 * 4)(
            MOUNT_ATTR_RDONLY if readonly else 0, 0 if readonly else MOUNT_ATTR_RDONLY, 0, 0
        )
        flags = AT_RECURSIVE if recursive else 0
        status: int = libc.syscall(
            SYS_MOUNT_SETATTR, AT_FDCWD, path.encode(), flags, attr, ctypes.sizeof(attr)
        )
        return status == 0

    keep = [p for p in spec["keep"] if os.path.isdir(p)]
    handles = {path: os.open(path, os.O_PATH | os.O_DIRECTORY) for path in keep}
    fresh = []
    for hidden in spec["hide"]:
        if os.path.isdir(hidden) and not os.path.islink(hidden):
            mount("tmpfs", hidden, "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
            fresh.append(hidden)
    for path, fd in handles.items():
        os.makedirs(path, mode=0o755, exist_ok=True)
        mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC, None)
        os.close(fd)
    if not set_readonly("/", True, recursive=True):
        fail("cannot make the file system read-only (mount_setattr needs Linux 5.12)")
    for path in [*fresh, spec["workdir"]]:
        if not set_readonly(path, False, recursive=False):
            fail(f"cannot make {path} writable again")


def join_cgroups(procs_files: list[str]) -> None:
    """Move this process (and so everything the command starts) into the run's cgroups, before anything forks."""
    for procs in procs_files:
        try:
            with open(procs, "w", encoding="ascii") as handle:
                handle.write(str(os.getpid()))
        except OSError as exc:
            fail(f"cannot join the run's cgroup {procs}: {exc}")


def drop_privileges(uid: int, gid: int) -> None:
    """Become an unprivileged user: root is exempt from RLIMIT_NPROC and would ignore file permissions."""
    try:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    except OSError as exc:
        fail(f"cannot drop privileges to {uid}:{gid}: {exc}")


def main() -> None:
    """Set up the sandbox from the JSON spec in ``argv[1]`` and replace this process with the command."""
    spec = json.loads(sys.argv[1])
    if spec.get("cgroups"):
        join_cgroups(spec["cgroups"])
    if spec.get("mounts"):
        private_mounts(spec["mounts"])
    os.chdir(spec["workdir"])
    drop = spec.get("drop_to")
    set_limits(spec["limits"], drop[0] if drop else os.getuid())
    if drop:
        drop_privileges(drop[0], drop[1])
    os.umask(0o022)
    argv = spec["argv"]
    if spec.get("babysit"):
        babysit(argv, spec.get("subreaper", False))
    try:
        os.execve(argv[0], argv, dict(os.environ))
    except OSError as exc:
        fail(f"cannot run {argv[0]}: {exc}")


def babysit(argv: list[str], subreaper: bool) -> None:
    """Run the command as a child and exit with its status, so ``os.getppid()`` in it is this process, not the agent.

    Used where no pid namespace hides the agent: a command that kills its parent then only kills this process. As a
    ``subreaper`` (where no cgroup holds the run) orphans of the command, such as a daemon that double-forked and
    called ``setsid()``, become children of this process instead of init's, so they stay findable and are killed.
    """
    if subreaper:
        import ctypes

        if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
            fail(f"cannot become a subreaper: {os.strerror(ctypes.get_errno())}")
    try:
        pid = os.fork()
    except OSError as exc:
        fail(f"cannot fork: {exc}")
    if pid == 0:
        try:
            os.execve(argv[0], argv, dict(os.environ))
        except OSError as exc:
            fail(f"cannot run {argv[0]}: {exc}")
    _, status = os.waitpid(pid, 0)
    if subreaper:
        kill_descendants(os.getpid(), reap=True)
    code = os.waitstatus_to_exitcode(status)
    os._exit(code if code >= 0 else 128 - code)


def descendants(root: int) -> list[int]:
    """Live (not zombie) processes below ``root``, from the parent pids in /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as stat:
                    fields = stat.read().rpartition(")")[2].split()
            except OSError:
                continue
            if fields and fields[0] != "Z":
                parents[int(entry)] = int(fields[1])
    found: list[int] = []
    frontier = {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier}
        found += frontier
    return found


def kill_descendants(root: int, reap: bool) -> None:
    """SIGKILL everything below ``root`` until nothing is left; ``reap`` when ``root`` is this process."""
    for _ in range(100):
        alive = descendants(root)
        for pid in alive:
            try:
                os.kill(pid, 9)
            except OSError:
                continue
        while reap:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break
        if not alive:
            return


if __name__ == "__main__":
    main()
