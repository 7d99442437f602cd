"""Benchmark: the ``codeagent`` script entering through ``entry_point:main`` (collector off before the command line
is imported) against ``cli:main`` (collector off once ``main`` runs), on ``codeagent check --no-execution``.

Run from the repository root::

    nice -n 19 python bench/script_entry.py [--runs 21]

Each run is a fresh interpreter running the same three lines pip writes for a console script, with one entry point
or the other, interleaved (A B A B ...), on a 6-line module in a temporary directory without a ``pyproject.toml``.
It prints the median CPU time (user + system, from ``wait4``) and wall time of each, and their difference.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCRIPT = """\
import sys
from burr_codeagent.{module} import main
if __name__ == '__main__':
    sys.argv[0] = sys.argv[0].removesuffix('.exe')
    sys.exit(main())
"""
CODE = '"""Add."""\n\n\ndef add(a: int, b: int) -> int:\n    """The sum."""\n    return a + b\n'
ENTRIES = {"cli:main": "cli", "entry_point:main": "entry_point"}


def run_once(script: Path, folder: Path) -> tuple[float, float]:
    """CPU and wall seconds of one ``codeagent check --no-execution small.py`` through ``script``."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(script), "check", "--no-execution", "small.py"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{script.name} exited {process.returncode}")
    return usage.ru_utime + usage.ru_stime, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "small.py").write_text(CODE, encoding="utf-8")
        scripts = {}
        for name, module in ENTRIES.items():
            scripts[name] = folder / f"codeagent_{module}"
            scripts[name].write_text(SCRIPT.format(module=module), encoding="utf-8")
        for script in scripts.values():  # warm the file cache and the bytecode
            run_once(script, folder)
        cpu: dict[str, list[float]] = {name: [] for name in scripts}
        wall: dict[str, list[float]] = {name: [] for name in scripts}
        for index in range(runs):
            order = list(scripts) if index % 2 == 0 else list(reversed(scripts))
            for name in order:
                seconds, elapsed = run_once(scripts[name], folder)
                cpu[name].append(seconds)
                wall[name].append(elapsed)
    print(f"codeagent check --no-execution on a 6-line module, median of {runs} interleaved runs")
    print(f"{'entry point':<20}{'CPU ms':>10}{'wall ms':>10}")
    for name in scripts:
        print(
            f"{name:<20}{1000 * statistics.median(cpu[name]):>10.1f}{1000 * statistics.median(wall[name]):>10.1f}"
        )
    first, second = list(scripts)
    pairs = [a - b for a, b in zip(cpu[first], cpu[second], strict=True)]
    print(
        f"CPU {first} minus {second}: median of the paired differences {1000 * statistics.median(pairs):.1f} ms"
    )


if __name__ == "__main__":
    main()
