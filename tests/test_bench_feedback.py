"""bench/feedback.py still runs against the current graph and shows what auto-fix saves.

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


def test_feedback_bench_runs_and_auto_fix_saves_the_formatting_retry() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--no-execution"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    improved = _row(done.stdout, "formatting-only", "improved")
    plain = _row(done.stdout, "formatting-only", "plain")
    # columns: scenario mode gens retry-chars passed returned last stop-reason
    assert (improved[2], improved[4]) == ("1", "True")
    assert (plain[2], plain[4]) == ("2", "True")
    assert int(plain[3]) > 0
