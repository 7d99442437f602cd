"""The ``codeagent`` process ends without the cycle collector's walk over everything the command left
(issue 13: the whole ``codeagent check`` process must not be slower than ruff + bandit + radon)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CODE = "def add(a, b):\n    return eval('a + b')\n"

# An atexit handler registered before main() runs after every handler main() registered, so it sees the process as
# the interpreter's shutdown will: what the collector would still have to walk, and what is frozen out of its way.
PROBE = """
import atexit, gc, sys
def probe():
    sys.stderr.write(f"\\nPROBE frozen={gc.get_freeze_count()} walked={len(gc.get_objects())}\\n")
atexit.register(probe)
sys.argv = ["codeagent", "check", "--no-execution", "sample.py"]
from burr_codeagent.cli import main
main()
"""


def test_check_process_leaves_the_collector_nothing_to_walk_at_exit(tmp_path: Path) -> None:
    (tmp_path / "sample.py").write_text(CODE, encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=300, cwd=tmp_path, check=False
    )
    # The command itself is unchanged: its findings, its verdict and its exit code.
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "sample.py:2:12: security.B307 [warning]" in completed.stdout
    assert "sample.py: passed: 0 critical, 4 warnings" in completed.stdout
    probe = completed.stderr.rsplit("PROBE ", 1)[1].split()
    frozen, walked = (int(field.split("=")[1]) for field in probe)
    assert frozen > 10_000
    assert walked < frozen // 20
