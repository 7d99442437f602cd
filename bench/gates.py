"""Benchmark: the static gate suite against the tools a user would otherwise chain (ruff, bandit, radon).

Run from the repository root::

    python bench/gates.py [--runs 7]

For a generated 300-line and 2,000-line module it measures, side by side in the same run (median seconds):

* in-process ``burr_codeagent.check`` with execution and tracking off: cold (the first call in a fresh
  interpreter, imports excluded), warm (same process, the cache defeated by a one-character change) and cached;
* the whole process ``codeagent check --no-execution FILE``;
* ``ruff check``, ``bandit`` and ``radon cc`` as three separate commands on the same file, and their sum.

Targets (issue 3): warm in-process <= 1/5 of the chain; the whole ``codeagent check`` process no slower than it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

TEMPLATES = [
    '''
def parse_record_{i}(line: str) -> dict[str, str]:
    """Split a ``key=value;key=value`` line into a dictionary."""
    fields: dict[str, str] = {{}}
    for part in line.split(";"):
        if not part.strip():
            continue
        key, _, value = part.partition("=")
        fields[key.strip()] = value.strip()
    return fields
''',
    '''
class Inventory{i}:
    """Items and their quantities."""

    def __init__(self) -> None:
        self._items: dict[str, int] = {{}}

    def add(self, name: str, quantity: int = 1) -> None:
        """Add ``quantity`` of ``name``."""
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        self._items[name] = self._items.get(name, 0) + quantity

    def remove(self, name: str, quantity: int = 1) -> bool:
        """Remove up to ``quantity`` of ``name``; False when there was none."""
        current = self._items.get(name, 0)
        if current == 0:
            return False
        self._items[name] = max(0, current - quantity)
        return True
''',
    '''
def moving_average_{i}(values: list[float], window: int) -> list[float]:
    """Averages of each run of ``window`` consecutive values."""
    if window <= 0:
        raise ValueError("window must be positive")
    total = sum(values[:window])
    averages = [total / window] if len(values) >= window else []
    for k in range(window, len(values)):
        total += values[k] - values[k - window]
        averages.append(total / window)
    return averages
''',
    '''
def fetch_rows_{i}(connection: sqlite3.Connection, owner: str) -> list[tuple[int, str]]:
    """Rows belonging to ``owner``, newest first."""
    cursor = connection.execute(
        "SELECT id, title FROM notes WHERE owner = ? ORDER BY id DESC", (owner,)
    )
    return cursor.fetchall()
''',
    '''
def checksum_{i}(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(65536), b""):
            digest.update(chunk)
    return digest.hexdigest()
''',
    '''
def classify_{i}(score: int) -> str:
    """A label for a score from 0 to 100."""
    if score < 0 or score > 100:
        raise ValueError("score out of range")
    if score >= 90:
        return "excellent"
    if score >= 75:
        return "good"
    if score >= 50:
        return "fair"
    return "poor"
''',
    '''
def run_tool_{i}(arguments: list[str]) -> str:
    """Run a tool with an argument list and return its output."""
    completed = subprocess.run(["echo", *arguments], capture_output=True, text=True, check=True, timeout=10)
    return completed.stdout
''',
]

HEADER = '''"""A generated module for benchmarking the quality gates."""

import hashlib
import sqlite3
import subprocess
from pathlib import Path
'''


def build_module(lines: int) -> str:
    """A deterministic module of about ``lines`` lines, cycling through realistic functions and classes."""
    parts = [HEADER]
    count = HEADER.count("\n")
    i = 0
    while count < lines:
        block = "\n" + TEMPLATES[i % len(TEMPLATES)].format(i=i)
        parts.append(block)
        count += block.count("\n")
        i += 1
    return "".join(parts)


def median_seconds(action: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def run_quiet(command: list[str]) -> None:
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


COLD_SNIPPET = textwrap.dedent(
    """
    import json, sys, time
    from burr_codeagent import AgentConfig, check
    config = AgentConfig(enable_code_execution=False, tracking=False)
    code = open(sys.argv[1], encoding="utf-8").read()
    start = time.perf_counter()
    report = check(code, config=config)
    print(json.dumps({"seconds": time.perf_counter() - start, "findings": len(report.findings)}))
    """
)


def cold_in_process(path: Path, runs: int) -> tuple[float, int]:
    samples, findings = [], 0
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", COLD_SNIPPET, str(path)], capture_output=True, text=True, check=True
        ).stdout
        data = json.loads(out.strip().splitlines()[-1])
        samples.append(data["seconds"])
        findings = data["findings"]
    return statistics.median(samples), findings


def warm_in_process(code: str, runs: int) -> tuple[float, float]:
    from burr_codeagent import AgentConfig, check

    config = AgentConfig(enable_code_execution=False, tracking=False)
    check(code, config=config)  # imports and first-use costs out of the way
    counter = iter(range(10**6))
    warm = median_seconds(lambda: check(f"{code}\n# run {next(counter)}\n", config=config), runs)
    cached = median_seconds(lambda: check(code, config=config), runs)
    return warm, cached


def tool(name: str) -> str:
    found = shutil.which(name, path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    if found is None:
        raise SystemExit(f"{name} is not installed next to {sys.executable}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (median reported)")
    args = parser.parse_args()
    runs = max(1, args.runs)
    codeagent, ruff, bandit, radon = tool("codeagent"), tool("ruff"), tool("bandit"), tool("radon")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in (300, 2000):
            code = build_module(size)
            path = Path(folder) / f"module_{size}.py"
            path.write_text(code, encoding="utf-8")
            cold, findings = cold_in_process(path, max(3, runs // 2))
            warm, cached = warm_in_process(code, runs)
            process = median_seconds(
                lambda p=path: run_quiet([codeagent, "check", "--no-execution", str(p)]), runs
            )
            ruff_s = median_seconds(lambda p=path: run_quiet([ruff, "check", "--no-cache", str(p)]), runs)
            bandit_s = median_seconds(lambda p=path: run_quiet([bandit, "-q", str(p)]), runs)
            radon_s = median_seconds(lambda p=path: run_quiet([radon, "cc", str(p)]), runs)
            chain = ruff_s + bandit_s + radon_s
            rows.append(
                (
                    size,
                    code.count("\n"),
                    findings,
                    cold,
                    warm,
                    cached,
                    process,
                    ruff_s,
                    bandit_s,
                    radon_s,
                    chain,
                )
            )
    print(f"median of {runs} runs (cold: {max(3, runs // 2)} fresh interpreters), seconds\n")
    header = (
        "lines",
        "findings",
        "cold",
        "warm",
        "cached",
        "codeagent",
        "ruff",
        "bandit",
        "radon",
        "chain",
        "warm/chain",
        "proc/chain",
    )
    print(" | ".join(f"{h:>10}" for h in header))
    print("-" * (13 * len(header)))
    for _size, n, findings, cold, warm, cached, process, ruff_s, bandit_s, radon_s, chain in rows:
        values = [
            n,
            findings,
            cold,
            warm,
            cached,
            process,
            ruff_s,
            bandit_s,
            radon_s,
            chain,
            warm / chain,
            process / chain,
        ]
        print(" | ".join(f"{v:>10}" if isinstance(v, int) else f"{v:>10.4f}" for v in values))
    print("\ntargets: warm/chain <= 0.20, proc/chain <= 1.00")


if __name__ == "__main__":
    main()
