"""The disk watch charges a run for what the run itself wrote, never for what other processes write meanwhile."""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

import pytest

from burr_codeagent.gates.execution import verdict
from burr_codeagent.sandbox import PytestRun, Sandbox, available, run_pytest
from burr_codeagent.sandbox.disk_watch import DiskWatch, disk_usage

MB = 1024 * 1024
LAYERS = [
    pytest.param(layer, marks=pytest.mark.skipif(not available(layer), reason=f"{layer} is not available"))
    for layer in ("bwrap", "unshare", "none")
]
QUIET = "import time\n\n\ndef test_quiet():\n    time.sleep(2.5)\n"
WRITER = (
    "import time\n\n\ndef test_writes_too_much():\n    chunk = b'x' * (4 << 20)\n"
    "    for i in range(8):\n        with open(f'big{i}', 'wb') as handle:\n            handle.write(chunk)\n"
    "    time.sleep(15)\n"
)


def _write_big_file(path: Path, size: int, delay: float) -> None:
    time.sleep(delay)
    with path.open("wb") as handle:
        for _ in range(size // MB):
            handle.write(os.urandom(MB))
        handle.flush()
        os.fsync(handle.fileno())


def test_another_process_filling_tmp_is_not_charged_to_the_run() -> None:
    # The work dir lives in the temporary directory too: the same file system, as on any machine.
    neighbour = Path(tempfile.mkdtemp(prefix="codeagent-neighbour-")) / "big.bin"
    writer = threading.Thread(target=_write_big_file, args=(neighbour, 64 * MB, 0.3))
    try:
        writer.start()
        result = run_pytest(PytestRun(code="", test_code=QUIET, timeout=30), Sandbox("auto", disk_mb=16))
        writer.join()
        assert neighbour.stat().st_size == 64 * MB
    finally:
        writer.join()
        neighbour.unlink(missing_ok=True)
        neighbour.parent.rmdir()
    assert not result.run.disk_exceeded
    assert result.outcome.succeeded, result.outcome.output
    assert [f.rule for f in verdict(result, 30)] == []


@pytest.mark.parametrize("layer", LAYERS)
def test_a_run_that_writes_too_much_is_stopped_and_blamed(layer: str) -> None:
    started = time.perf_counter()
    result = run_pytest(PytestRun(code="", test_code=WRITER, timeout=30), Sandbox(layer, disk_mb=16))
    elapsed = time.perf_counter() - started
    assert result.run.disk_exceeded
    assert elapsed < 15, f"the run was stopped only after {elapsed:.1f} s"
    assert [f.rule for f in verdict(result, 30)] == ["execution.disk"]


def test_usage_counts_what_is_under_the_directories_hard_links_once_symlinks_not_followed(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "outside.bin"
    outside.write_bytes(os.urandom(2 * MB))
    work = tmp_path / "work"
    (work / "nested").mkdir(parents=True)
    (work / "nested" / "data.bin").write_bytes(os.urandom(MB))
    os.link(work / "nested" / "data.bin", work / "again.bin")
    (work / "link").symlink_to(outside)
    used = disk_usage([work])
    assert MB <= used < MB + 64 * 1024  # the data once, plus directory and link entries


def test_the_watch_compares_with_what_was_there_when_the_run_started(tmp_path: Path) -> None:
    (tmp_path / "given.bin").write_bytes(os.urandom(3 * MB))  # the module and tests the host wrote
    watch = DiskWatch([tmp_path], limit_mb=2)
    assert not watch.exceeded()
    (tmp_path / "written.bin").write_bytes(os.urandom(3 * MB))
    time.sleep(0.2)  # the watch walks at most every 0.1 s
    assert watch.exceeded()
    assert 3 * MB <= watch.written() < 3 * MB + 64 * 1024


def test_a_directory_that_vanishes_is_zero_not_an_error(tmp_path: Path) -> None:
    assert disk_usage([tmp_path / "gone"]) == 0
