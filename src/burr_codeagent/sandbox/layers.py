"""Isolation layers, strongest first, and the command each one wraps around the launcher.

``bwrap``    bubblewrap: a new root file system with read-only system and interpreter, a writable work dir, tmpfs
             ``/tmp``, fresh ``/proc`` and ``/dev``, and new user, pid, network, ipc, uts and cgroup namespaces.
``unshare``  util-linux ``unshare``: new pid, network and mount namespaces; the launcher hides home and temporary
             directories and makes everything but the work dir read-only.
``none``     only the portable layer every run gets (own session, resource limits, scrubbed environment, timeout),
             plus, on Linux, a per-run cgroup (process limit, kill of everything in it) or a subreaper fallback.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Literal

__all__ = [
    "INSIDE_WORKDIR",
    "Isolation",
    "IsolationUnavailable",
    "available",
    "interpreter_paths",
    "is_root",
    "resolve_isolation",
    "wrap_bwrap",
    "wrap_unshare",
]

Isolation = Literal["bwrap", "unshare", "none"]
INSIDE_WORKDIR = "/sandbox"
"""Where the work dir appears inside bubblewrap."""

_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_ETC_FILES = (
    "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "nsswitch.conf", "passwd", "group",
    "hosts", "host.conf", "ssl", "ca-certificates", "alternatives", "mime.types", "os-release",
)  # fmt: skip
_HIDDEN_BY_UNSHARE = ("/tmp", "/var/tmp", "/dev/shm", "/root", "/home", "/run/user", "/mnt", "/media")


class IsolationUnavailable(RuntimeError):  # noqa: N818 - reads as a condition, like FileNotFoundError
    """The isolation layer that was asked for explicitly cannot run on this machine."""


def is_root() -> bool:
    """Whether the agent runs as root (then the sandbox drops to a uid of its own: root ignores ``RLIMIT_NPROC``)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _probe(argv: list[str]) -> bool:
    try:
        done = subprocess.run(argv, capture_output=True, timeout=10, check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and done.stdout.strip() == b"ok"


@cache
def available(layer: Isolation) -> bool:
    """Whether ``layer`` works here (probed once per process by running a trivial command inside it)."""
    if layer == "none":
        return True
    if not sys.platform.startswith("linux"):
        return False
    python = [sys.executable, "-I", "-S", "-c", "print('ok')"]
    if layer == "bwrap":
        exe = shutil.which("bwrap")
        return exe is not None and _probe(
            wrap_bwrap(python, workdir=tempfile.gettempdir(), network=False, bwrap=exe)
        )
    exe = shutil.which("unshare")
    return exe is not None and _probe(wrap_unshare(python, network=False, unshare=exe))


def resolve_isolation(wanted: Literal["auto", "bwrap", "unshare", "none"]) -> Isolation:
    """The layer to use: the strongest available for ``auto``, else exactly what was asked for (or an error)."""
    if wanted == "auto":
        strongest: tuple[Isolation, ...] = ("bwrap", "unshare")
        for layer in strongest:
            if available(layer):
                return layer
        return "none"
    if not available(wanted):
        platform_note = "" if sys.platform.startswith("linux") else f" (not supported on {sys.platform})"
        raise IsolationUnavailable(
            f"sandbox isolation {wanted!r} is not available on this machine{platform_note}; "
            "install bubblewrap, or set sandbox.isolation to 'auto'"
        )
    return wanted


def interpreter_paths() -> list[str]:
    """Directories the interpreter needs, read-only: its prefixes and every site-packages directory that exists."""
    candidates = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    candidates += site.getsitepackages()
    if site.ENABLE_USER_SITE and site.getusersitepackages():
        candidates.append(site.getusersitepackages())
    candidates.append(str(Path(sys.executable).resolve().parent.parent))
    return _outermost(os.path.realpath(p) for p in candidates if os.path.isdir(p))


def _outermost(paths: Iterable[str]) -> list[str]:
    """Drop duplicates and paths inside another path of the list (binding the parent covers them)."""
    result: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path == kept or path.startswith(kept.rstrip("/") + "/") for kept in result):
            result.append(path)
    return result


def _ancestors(path: str) -> list[str]:
    parts = Path(path).parts[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def wrap_bwrap(
    command: list[str],
    *,
    workdir: str,
    network: bool,
    bwrap: str = "bwrap",
    tmp_size: int = 64 * 1024 * 1024,
    read_only: Sequence[str] = (),
    extra_caps: Sequence[str] = (),
) -> list[str]:
    """``command`` inside bubblewrap, with ``workdir`` bound writable at :data:`INSIDE_WORKDIR`; ``extra_caps``
    are kept besides ``CAP_SETUID``/``CAP_SETGID`` when root (a warm worker's, see :mod:`.warm`)."""
    args = [bwrap, "--die-with-parent", "--new-session"]
    if is_root():
        # No user namespace: the launcher needs real CAP_SETUID to become the run's own uid, not 0.
        args += ["--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-cgroup-try"]
        args += [] if network else ["--unshare-net"]
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        for cap in extra_caps:
            args += ["--cap-add", cap]
    else:
        args += ["--unshare-all", "--share-net"] if network else ["--unshare-all"]
    system = _outermost(d for d in _SYSTEM_DIRS if os.path.isdir(d) and not os.path.islink(d))
    for entry in _SYSTEM_DIRS:
        if os.path.islink(entry):
            args += ["--symlink", os.readlink(entry), entry]
    for directory in system:
        args += ["--ro-bind", directory, directory]
    for name in _ETC_FILES:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    # /tmp is a fresh tmpfs, mounted before the interpreter so that one living under /tmp (a venv made there) is
    # bound on top of it instead of being hidden by it.
    args += [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        str(tmp_size),
        "--perms",
        "1777",
        "--tmpfs",
        "/tmp",
    ]
    made: set[str] = {"/tmp"}
    for path in [*interpreter_paths(), *(os.path.realpath(p) for p in read_only)]:
        if any(path == s or path.startswith(s + "/") for s in system):
            continue
        for parent in _ancestors(path):  # bwrap would create them 0700, closed to the run's uid
            if parent not in made and not any(parent == s or parent.startswith(s + "/") for s in system):
                args += ["--perms", "0755", "--dir", parent]
                made.add(parent)
        args += ["--ro-bind", path, path]
    args += ["--bind", workdir, INSIDE_WORKDIR, "--chdir", INSIDE_WORKDIR, "--hostname", "sandbox"]
    return [*args, "--", *command]


def wrap_unshare(command: list[str], *, network: bool, unshare: str = "unshare") -> list[str]:
    """``command`` in new pid, mount (and network) namespaces; the whole namespace dies with ``unshare``."""
    args = [unshare, "--pid", "--fork", "--kill-child", "--mount-proc", "--ipc", "--uts"]
    if not is_root():
        args.append("--map-root-user")
    if not network:
        args.append("--net")
    return [*args, "--", *command]


def unshare_mounts(workdir: str, host_home: str | None, read_only: Sequence[str] = ()) -> dict[str, object]:
    """The launcher's mount plan for the ``unshare`` layer: what to hide and what to keep visible."""
    hide = list(_HIDDEN_BY_UNSHARE)
    if host_home and host_home not in ("/", workdir) and not workdir.startswith(host_home.rstrip("/") + "/"):
        hide.append(host_home)
    keep = [*interpreter_paths(), *(os.path.realpath(p) for p in read_only), workdir]
    return {
        "hide": _outermost(os.path.realpath(h) for h in hide if os.path.isdir(h)),
        "keep": keep,
        "workdir": workdir,
    }
