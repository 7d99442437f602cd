"""Benchmark: the README's first command in a fresh virtualenv, and how many ``openai`` releases pip tries.

Run from the repository root::

    python bench/fresh_install.py [--runs 1] [--no-cache-dir] [--ref HEAD]

For each run it clones ``--ref`` of this repository into a temporary directory (so uncommitted files do not count),
creates ``python -m venv``, and times ``pip install -v -e .`` followed by
``codeagent check examples/factorial/solution.py --tests examples/factorial/test_solution.py``. It prints the
seconds of each part and the number of distinct ``openai`` releases pip downloaded while resolving: one means pip
resolved without backtracking. ``--no-cache-dir`` measures a cold pip cache. Compare two commits by running it once
with ``--ref`` of each, in the same session (the machine's load changes the seconds, not the release count).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OPENAI_WHEEL = re.compile(r"openai-(\d[\w.]*?)(?:-py3|\.tar\.gz)")


def one_run(ref: str, pip_args: list[str]) -> tuple[float, float, int]:
    """(pip seconds, check seconds, distinct openai releases pip fetched) for one fresh install."""
    with tempfile.TemporaryDirectory(prefix="codeagent-install-") as tmp:
        clone, venv = Path(tmp) / "repo", Path(tmp) / "venv"
        subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
        subprocess.run(["git", "-C", str(clone), "checkout", "-q", ref], check=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        started = time.perf_counter()
        pip = subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-v", "-e", ".", *pip_args],
            cwd=clone,
            capture_output=True,
            text=True,
            check=True,
        )
        installed = time.perf_counter()
        subprocess.run(
            [
                str(venv / "bin" / "codeagent"),
                "check",
                "examples/factorial/solution.py",
                "--tests",
                "examples/factorial/test_solution.py",
            ],
            cwd=clone,
            capture_output=True,
            check=True,
        )
        checked = time.perf_counter()
    releases = set(OPENAI_WHEEL.findall(pip.stdout + pip.stderr))
    return installed - started, checked - installed, len(releases)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--ref", default="HEAD", help="commit of this repository to install")
    parser.add_argument("--no-cache-dir", action="store_true", help="measure with a cold pip cache")
    args = parser.parse_args()
    ref = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", args.ref], capture_output=True, text=True, check=True
    ).stdout.strip()
    pip_args = ["--no-cache-dir"] if args.no_cache_dir else []
    runs = [one_run(ref, pip_args) for _ in range(args.runs)]
    pip_s = statistics.median(r[0] for r in runs)
    check_s = statistics.median(r[1] for r in runs)
    print(f"commit {ref}, {args.runs} run(s){' with --no-cache-dir' if pip_args else ''}, medians:")
    print(f"  pip install -e .     {pip_s:7.1f} s")
    print(f"  codeagent check      {check_s:7.1f} s")
    print(f"  first README command {pip_s + check_s:7.1f} s")
    print(f"  openai releases fetched while resolving: {max(r[2] for r in runs)}")


if __name__ == "__main__":
    main()
