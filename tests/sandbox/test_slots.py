"""The process-wide sandbox slots: concurrent runs beyond the limit wait, and waiting never counts as timing out."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from burr_codeagent.sandbox import Sandbox, sandbox_slots, set_sandbox_slots, workdir
from burr_codeagent.sandbox.slots import slots_peak

SLEEP = [sys.executable, "-c", "import time; time.sleep(0.4)"]


@pytest.fixture
def two_slots() -> Iterator[None]:
    set_sandbox_slots(2)
    yield
    set_sandbox_slots(None)


def _run(sandbox: Sandbox, timeout: float) -> bool:
    with workdir() as host:
        return sandbox.run(SLEEP, host, timeout=timeout).timed_out


def test_no_more_than_the_slots_run_at_once_and_waiting_is_not_a_timeout(two_slots: None) -> None:
    sandbox = Sandbox("auto")
    with ThreadPoolExecutor(max_workers=8) as pool:
        # 8 runs of 0.4 s in 2 slots take >= 1.6 s in all, each with a 3 s timeout of its own: none times out.
        timed_out = list(pool.map(lambda _: _run(sandbox, 3.0), range(8)))
    assert slots_peak() == 2
    assert timed_out == [False] * 8


def test_default_is_one_slot_per_core(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.delenv("CODEAGENT_SANDBOX_SLOTS", raising=False)
    set_sandbox_slots(None)
    assert sandbox_slots() == (os.cpu_count() or 1)
    monkeypatch.setenv("CODEAGENT_SANDBOX_SLOTS", "3")
    set_sandbox_slots(None)
    assert sandbox_slots() == 3
    monkeypatch.setenv("CODEAGENT_SANDBOX_SLOTS", "many")
    with pytest.raises(ValueError, match="CODEAGENT_SANDBOX_SLOTS must be a whole number"):
        set_sandbox_slots(None)
    monkeypatch.delenv("CODEAGENT_SANDBOX_SLOTS")
    set_sandbox_slots(None)


def test_zero_slots_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        set_sandbox_slots(0)
