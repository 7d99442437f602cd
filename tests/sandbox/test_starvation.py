"""A timeout under load is the machine's, not the code's: a starved run gets more time, and if it still cannot
finish the check is unverified; an endless loop or a sleep still times out."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from burr_codeagent import AgentConfig, check
from burr_codeagent.sandbox import Sandbox, workdir
from burr_codeagent.sandbox.starvation import sched_use

pytestmark = pytest.mark.skipif(
    not hasattr(os, "sched_setaffinity") or sched_use(os.getpid()) is None,
    reason="needs Linux CPU affinity and per-process schedstat",
)

HOG = "while True: pass"


@contextlib.contextmanager
def one_busy_cpu(hogs: int) -> Iterator[None]:
    """Pin this thread (and so every process it starts) to one CPU shared with ``hogs`` endless loops."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(before)})
    # Each in a session of its own: the scheduler shares a CPU between sessions (autogroups), not processes.
    started = [subprocess.Popen([sys.executable, "-c", HOG], start_new_session=True) for _ in range(hogs)]
    try:
        yield
    finally:
        for hog in started:
            hog.kill()
            hog.wait()
        os.sched_setaffinity(0, before)


def cpu_for(seconds: float) -> list[str]:
    loop = f"import time\nt = time.process_time()\nwhile time.process_time() - t < {seconds}:\n    pass\n"
    return [sys.executable, "-I", "-S", "-c", loop]


def run(argv: list[str], timeout: float) -> object:
    with workdir() as host:
        return Sandbox("auto").run(argv, host, timeout=timeout)


def test_a_run_starved_by_the_machine_gets_the_time_it_needs() -> None:
    with one_busy_cpu(hogs=3):  # about a quarter of one CPU: 0.5 s of CPU takes about 2 s
        result = run(cpu_for(0.5), timeout=1.0)
    assert not result.timed_out and result.returncode == 0, result  # type: ignore[attr-defined]
    assert 1.0 < result.seconds < 3.0  # type: ignore[attr-defined]


def test_an_endless_loop_still_times_out_and_is_the_codes_fault() -> None:
    result = run(cpu_for(60), timeout=1.0)
    assert result.timed_out and result.starved is None  # type: ignore[attr-defined]


def test_a_sleep_under_load_still_times_out_and_is_the_codes_fault() -> None:
    with one_busy_cpu(hogs=3):
        result = run([sys.executable, "-I", "-S", "-c", "import time; time.sleep(60)"], timeout=1.0)
    assert result.timed_out and result.starved is None  # type: ignore[attr-defined]


def test_a_run_held_back_at_start_up_that_then_sleeps_is_the_codes_fault() -> None:
    # Waiting for a CPU through its start-up (as pytest's imports do on a busy machine) is no excuse for sleeping
    # through the deadline: only the last moments before it count.
    program = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.4:\n    pass\ntime.sleep(60)\n"
    with one_busy_cpu(hogs=3):
        result = run([sys.executable, "-I", "-S", "-c", program], timeout=2.5)
    assert result.timed_out and result.starved is None, result  # type: ignore[attr-defined]
    assert result.seconds < 4.0  # type: ignore[attr-defined]


def test_tests_the_machine_starves_past_every_extension_are_unverified_not_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A fresh sandbox, started from this (pinned) thread; a warm worker was started by a thread of its own.
    monkeypatch.setenv("CODEAGENT_SANDBOX_WARM", "0")
    code = "def spin(seconds):\n    import time\n    t = time.process_time()\n    while time.process_time() - t < seconds:\n        pass\n    return True\n"
    tests = "from solution import spin\n\n\ndef test_spin():\n    assert spin(1.0)\n"
    config = AgentConfig(tracking=False, gates={"enable": ["execution"]}, execution_timeout=1.0)
    with one_busy_cpu(hogs=5):  # a sixth of a CPU: pytest and 1 s of spinning do not fit in 3 s
        report = check(code, tests, config=config)
    assert report.verdict == "unverified" and report.critical_count == 0, report.findings
    [note] = report.findings
    assert note.rule == "execution.unavailable" and "too loaded" in note.message


def test_a_run_crowded_with_its_own_processes_waits_on_itself() -> None:
    from burr_codeagent.sandbox.starvation import CROWD, SchedUse

    assert SchedUse(cpu=0.2, wait=2.0, processes=3).starved(timeout=3.0, elapsed=3.0)
    assert not SchedUse(cpu=0.2, wait=2.0, processes=CROWD + 1).starved(
        timeout=3.0, elapsed=3.0
    )  # a fork bomb
    assert not SchedUse(cpu=2.8, wait=2.0, processes=3).starved(timeout=3.0, elapsed=3.0)  # had its CPU time
    assert not SchedUse(cpu=0.2, wait=0.1, processes=3).starved(timeout=3.0, elapsed=3.0)  # a sleep


def test_only_the_window_before_the_deadline_tells_a_starved_run() -> None:
    from burr_codeagent.sandbox.starvation import SchedUse

    start_up = SchedUse(cpu=0.3, wait=1.2, pid=7)  # held back while it started
    slept = SchedUse(cpu=0.31, wait=1.21, pid=7)  # then slept through the window
    assert slept.starved(timeout=3.0, elapsed=3.0)  # the whole run's wait says "starved"
    assert not slept.starved(timeout=3.0, elapsed=0.5, since=start_up)  # the window says "asleep"
    spinning = SchedUse(cpu=0.45, wait=1.55, pid=7)  # on a CPU or waiting for one all through the window
    assert spinning.starved(timeout=3.0, elapsed=0.5, since=start_up)
    other = SchedUse(cpu=0.31, wait=1.21, pid=8)  # another process became the busiest: the whole run counts
    assert other.starved(timeout=3.0, elapsed=3.0, since=start_up)
