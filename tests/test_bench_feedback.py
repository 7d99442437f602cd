"""bench/feedback.py still runs against the current graph and shows what the improvement loop saves.

The benchmark patches the generation step's feedback prompt for its "plain" baseline; a refactor that moved that
function once left the script failing with AttributeError while every test passed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "feedback.py"


def _row(output: str, scenario: str, mode: str) -> list[str]:
    for line in output.splitlines():
        words = line.split()
        if words[:2] == [scenario, mode]:
            return words
    raise AssertionError(f"no row for {scenario} {mode} in:\n{output}")


def test_feedback_bench_runs_and_the_improved_loop_spends_fewer_generations() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # columns: scenario mode gens retry-chars passed returned last stop-reason...
    fixed = _row(done.stdout, "fixes-what-it-is-told", "improved")
    assert fixed[4] == "True"
    for scenario in ("regresses", "repeats-itself"):
        improved = _row(done.stdout, scenario, "improved")
        plain = _row(done.stdout, scenario, "plain")
        assert int(improved[2]) < int(plain[2]) == 6
        assert improved[7].startswith("no_progress") and plain[7].startswith("max_retries")
