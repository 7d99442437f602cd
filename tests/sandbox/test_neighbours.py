"""Concurrent sandboxes do not share resources: one run's fork bomb does not stop another run from starting."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from burr_codeagent.sandbox import PytestRun, Sandbox, available, run_pytest
from burr_codeagent.sandbox.slots import set_sandbox_slots

from ..conftest import GOOD_CODE, GOOD_TESTS

# Forks children that only sleep until it is refused, says so in its work dir, and holds its processes.
GREEDY = """\
import os, time

def test_greedy():
    while True:
        try:
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
        except OSError:
            open("SATURATED", "w").close()
            time.sleep(60)
"""

# The neighbour starts processes of its own too (as tests using subprocess or multiprocessing do).
FORKING_TESTS = (
    GOOD_TESTS
    + """

def test_children():
    import os

    for _ in range(3):
        pid = os.fork()
        if pid == 0:
            os._exit(7)
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 7
"""
)


@pytest.fixture
def two_slots() -> Iterator[None]:
    set_sandbox_slots(2)
    yield
    set_sandbox_slots(None)


@pytest.mark.parametrize(
    "layer",
    [
        pytest.param(layer, marks=pytest.mark.skipif(not available(layer), reason=f"no {layer} here"))
        for layer in ("bwrap", "unshare")
    ],
)
def test_a_fork_bomb_that_used_up_its_processes_does_not_stop_a_neighbour(
    layer: str, two_slots: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_tmp = Path(tempfile.gettempdir())
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the work dirs, to see the bomb's marker

    def saturated() -> bool:  # in a fresh work dir, or in a warm worker's spool (see sandbox/warm.py)
        spools = real_tmp.glob("codeagent-spool-*/codeagent-*/SATURATED")
        return any(tmp_path.glob("**/SATURATED")) or any(spools)

    sandbox = Sandbox(layer, memory_mb=256)  # type: ignore[arg-type]
    with ThreadPoolExecutor(max_workers=1) as pool:
        bomb = pool.submit(run_pytest, PytestRun("", GREEDY, timeout=12), sandbox)
        deadline = time.monotonic() + 10
        while not saturated() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert saturated(), "the bomb never reached its process limit"
        good = run_pytest(PytestRun(GOOD_CODE, FORKING_TESTS, timeout=10), sandbox)
        bombed = bomb.result()
    assert not good.run.launcher_failed, good.run.output
    assert good.outcome.succeeded and good.outcome.passed == 3, good.outcome.output
    assert bombed.outcome.timed_out and not bombed.outcome.succeeded
