"""``results.jsonl`` written by many threads at once: every line whole, each durable when its append returns, and
tasks that finish together share an ``fsync``."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from burr_codeagent.batch import ResultsFile, TaskOutcome

THREADS = 16


def test_lines_appended_at_once_are_all_whole_and_share_fsyncs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "out" / "results.jsonl"
    results = ResultsFile(path)
    real_fsync = os.fsync
    synced: list[int] = []  # lines on disk at each fsync

    def slow_fsync(descriptor: int) -> None:  # a busy disk: every fsync takes a while
        time.sleep(0.05)
        real_fsync(descriptor)
        synced.append(len(path.read_bytes().splitlines()))

    monkeypatch.setattr(os, "fsync", slow_fsync)
    durable_at_return: list[bool] = []
    start = threading.Barrier(THREADS)

    def finish(n: int) -> None:
        start.wait()
        results.append(TaskOutcome(id=f"task-{n}", app_id=f"app-{n}", passed=True, stop_reason="passed"))
        durable_at_return.append(any(f"task-{n}" in line for line in _lines_synced(path, synced)))

    threads = [threading.Thread(target=finish, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert set(results.read()) == {f"task-{n}" for n in range(THREADS)}
    assert len(path.read_text().splitlines()) == THREADS
    assert all(durable_at_return)
    assert len(synced) < THREADS / 2  # one fsync per line would be 16 of them, 0.8 s on this disk


def _lines_synced(path: Path, synced: list[int]) -> list[str]:
    """The lines the last fsync so far made durable."""
    return path.read_text().splitlines()[: max(synced, default=0)]
