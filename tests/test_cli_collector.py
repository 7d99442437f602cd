"""The ``codeagent`` process keeps the cycle collector away from what lives as long as it does: no passes while it
starts, none over the start-up's objects while the checks run, none at exit (issue 13: the whole ``codeagent check``
process must not be slower than ruff + bandit + radon). The collector is on wherever a command does its work."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CODE = "def add(a, b):\n    return eval('a + b')\n"

# Collections are counted from main()'s start; the atexit handler registered first runs after every handler main()
# registered, so it sees the process as the interpreter's shutdown will.
PROBE = """
import atexit, gc, sys
from burr_codeagent import bulk
collections = []
gc.callbacks.append(lambda phase, info: collections.append(info["generation"]) if phase == "start" else None)
seen = {}
def check_many(*args, **kwargs):
    seen.update(before=len(collections) - started, enabled=gc.isenabled(), frozen=gc.get_freeze_count())
    return real(*args, **kwargs)
real, bulk.check_many = bulk.check_many, check_many
def probe():
    seen.update(exit_enabled=gc.isenabled(), exit_frozen=gc.get_freeze_count(), exit_walked=len(gc.get_objects()))
    sys.stderr.write(f"\\nPROBE {seen!r}\\n")
atexit.register(probe)
sys.argv = ["codeagent", *sys.argv[1:]]
from burr_codeagent.cli import main
started = len(collections)
main()
"""


def probed(tmp_path: Path, *arguments: str) -> tuple[subprocess.CompletedProcess[str], dict[str, int]]:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        check=False,
    )
    assert "PROBE " in completed.stderr, completed.stderr[-2000:]
    seen: dict[str, int] = ast.literal_eval(completed.stderr.rsplit("PROBE ", 1)[1].strip())
    return completed, seen


def test_check_process_starts_and_ends_without_collecting_what_lives_as_long_as_it(tmp_path: Path) -> None:
    (tmp_path / "sample.py").write_text(CODE, encoding="utf-8")
    completed, seen = probed(tmp_path, "check", "--no-execution", "sample.py")
    # The command itself is unchanged: its findings, its verdict and its exit code.
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "sample.py:2:12: security.B307 [warning]" in completed.stdout
    assert "sample.py: passed: 0 critical, 4 warnings" in completed.stdout
    # No collection while the process started and set the checks up; then the collector is on for the checks,
    # with what the start-up built frozen out of its walks, and at exit nothing is left for it to walk.
    assert seen["before"] == 0
    assert seen["enabled"] and seen["frozen"] > 10_000
    assert seen["exit_enabled"] and seen["exit_walked"] < seen["exit_frozen"] // 20


def test_other_commands_run_with_the_collector_on(tmp_path: Path) -> None:
    completed, seen = probed(tmp_path, "gates")
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "syntax" in completed.stdout
    assert seen["exit_enabled"]
