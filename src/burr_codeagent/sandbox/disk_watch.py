"""How much a sandboxed run has written: the disk use of the directories it may write, measured while it runs.

``RLIMIT_FSIZE`` caps each file, not how many a run writes. The watch adds up the blocks under the run's writable
directories (its work dir; bubblewrap's ``/tmp`` and the ``unshare`` layer's private temporary directories are size
capped tmpfs mounts of their own) and compares that with what was there when the run started. Only what the run
itself wrote counts: another process filling the same file system is none of its business, which a comparison of
the file system's free space could not tell apart.

Walking a directory costs time in proportion to its entries, so the watch walks at most every ``interval`` seconds
and backs off so that walking takes at most a tenth of the run's time, even for a run that makes many small files.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

__all__ = ["DiskWatch", "disk_usage"]

_MIN_INTERVAL = 0.1
_MAX_SHARE = 0.1  # of wall time spent walking


def disk_usage(paths: Sequence[Path]) -> int:
    """Bytes of disk used under ``paths``: every file and directory, hard links once, symlinks not followed.

    Entries that vanish or cannot be read while the walk runs are skipped (the run is still writing).
    """
    seen: set[tuple[int, int]] = set()
    total = 0
    stack = [str(p) for p in paths]
    while stack:
        directory = stack.pop()
        try:
            entries = os.scandir(directory)
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    stat = entry.stat(follow_symlinks=False)
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                except OSError:
                    continue
                key = (stat.st_dev, stat.st_ino)
                if key in seen:
                    continue
                seen.add(key)
                total += _bytes_used(stat)
    return total


def _bytes_used(stat: os.stat_result) -> int:
    blocks = getattr(stat, "st_blocks", None)
    return blocks * 512 if blocks is not None else stat.st_size


class DiskWatch:
    """Notices when a run has written more than ``limit_mb`` into ``paths`` since the watch was made."""

    def __init__(self, paths: Sequence[Path], limit_mb: int) -> None:
        self.paths = list(paths)
        self.limit = limit_mb * 1024 * 1024
        self.start = disk_usage(self.paths)
        self._next = 0.0

    def written(self) -> int:
        """Bytes written (net) since the watch was made."""
        return disk_usage(self.paths) - self.start

    def exceeded(self) -> bool:
        """Whether the run has written more than its allowance (measured at most every so often)."""
        now = time.perf_counter()
        if now < self._next:
            return False
        used = self.written()
        took = time.perf_counter() - now
        self._next = now + max(_MIN_INTERVAL, took / _MAX_SHARE)
        return used > self.limit
