"""Resource limits for a sandboxed command, applied inside the child by the launcher (never with ``preexec_fn``,
which is unsafe while the checker runs gates on threads)."""

from __future__ import annotations

import json
import math
import secrets
import sys
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["LAUNCHER_FAILED", "RUN_UIDS", "ResourceLimits", "launcher_command", "run_identity"]

LAUNCHER_FAILED = 125
"""Exit status of the launcher when it cannot set the sandbox up."""

RUN_UIDS = range(0x4000_0000, 0x7FFF_0000)
"""User ids a root agent's sandboxed runs take, one drawn at random per run: far above system, login and subordinate
(``/etc/subuid``) ranges, so no file on the host belongs to one."""


def run_identity() -> tuple[int, int]:
    """A fresh unprivileged uid (and the same gid) for one run.

    ``RLIMIT_NPROC`` counts every process of a uid, so runs sharing one user (``nobody``) shared one process
    allowance: a fork bomb in one run made every other run's sandbox fail to start. With a uid of its own, a run's
    process limit is its own (two runs at once draw the same uid once in ~10^9 pairs).
    """
    uid = RUN_UIDS.start + secrets.randbelow(len(RUN_UIDS))
    return uid, uid


@dataclass(frozen=True)
class ResourceLimits:
    """Per-process limits (soft = hard, so the command cannot raise them).

    ``memory_bytes`` is added to the launcher's own address space, which is about the size of a fresh interpreter:
    a fixed absolute cap would either starve big interpreters or be loose for small ones. ``processes`` is added to the
    processes the sandbox user already has, since ``RLIMIT_NPROC`` counts per user.
    """

    cpu_seconds: int = 30
    memory_bytes: int = 1024 * 1024 * 1024
    processes: int = 64
    file_bytes: int = 64 * 1024 * 1024
    open_files: int = 256

    @classmethod
    def for_run(cls, timeout: float, memory_mb: int) -> ResourceLimits:
        """Limits for a run with a wall-clock ``timeout``: CPU time never outlasts it by much."""
        return cls(cpu_seconds=max(1, math.ceil(timeout) + 1), memory_bytes=memory_mb * 1024 * 1024)


@cache
def _launcher_source() -> str:
    return (Path(__file__).with_name("_launcher.py")).read_text(encoding="utf-8")


def launcher_command(
    argv: list[str],
    workdir: str,
    limits: ResourceLimits,
    *,
    drop_privileges: bool = False,
    babysit: bool = False,
    mounts: dict[str, Any] | None = None,
    cgroups: list[str] | None = None,
    subreaper: bool = False,
    python: str = sys.executable,
) -> list[str]:
    """The command that sets limits (and optionally private mounts and an unprivileged user) and then execs ``argv``.

    ``argv[0]`` must be an absolute path: the launcher uses ``execve`` without a ``PATH`` search. ``cgroups`` are
    ``cgroup.procs`` files the launcher joins first; a ``subreaper`` launcher (with ``babysit``) keeps the command's
    orphans as its children and kills them when the command ends.
    """
    spec: dict[str, Any] = {"argv": argv, "workdir": workdir, "limits": asdict(limits)}
    if drop_privileges:
        spec["drop_to"] = list(run_identity())
    if mounts:
        spec["mounts"] = mounts
    if babysit:
        spec["babysit"] = True
    if cgroups:
        spec["cgroups"] = cgroups
    if subreaper:
        spec["subreaper"] = True
    return [python, "-I", "-S", "-c", _launcher_source(), json.dumps(spec)]
