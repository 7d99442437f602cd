"""Benchmark: the static gate suite against the tools a user would otherwise chain (ruff, bandit, radon).

Run from the repository root::

    python bench/gates.py [--runs 7]

For a generated 300-line and 2,000-line module and well-regarded stdlib modules of 350 to 6,425 lines (shlex,
textwrap, pprint, dataclasses, argparse, typing, _pydecimal) it measures, side by side and interleaved in the same
run (median seconds):

* in-process ``burr_codeagent.check`` with execution and tracking off, warm (this process, the cache defeated by a
  one-character change), interleaved with the rest like every other command;
* the whole process ``codeagent check --no-execution FILE``;
* ``ruff check``, ``bandit``, ``radon cc`` and ``radon mi`` as separate commands on the same file (the gates report
  what these four report), and their sum: the chain.

Every command runs once untimed first and byte-code caches are written (``PYTHONDONTWRITEBYTECODE`` is dropped for
the subprocesses and the package is compiled), so no side pays for compiling its own source.

Each is reported as the median wall-clock time, and as the ratio of median CPU times (user + system, child
processes included), which a machine shared with other work disturbs much less than the wall clock.

Targets (issue 13): warm in-process <= 1/5 of the chain; the whole ``codeagent check`` process no slower than it.

``--baseline SRC`` also times another checkout's ``src`` directory (``git archive REV src | tar -x``), interleaved
with the rest, for a before/after in one run: its whole process, and its warm in-process check in a worker process
that imports it (each run one check, reporting its own CPU time). A speed-up must not drop findings: ``--save-findings
FILE`` writes every module's findings (rule, place, severity; time budgets off, so a loaded machine does not cut a
gate short) and ``--check-findings FILE`` compares with such a file and exits 1 listing what changed.
"""

from __future__ import annotations

import argparse
import compileall
import importlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
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


ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def run_quiet(command: list[str], env: dict[str, str] | None = None) -> None:
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env or ENV)


def findings_of(code: str) -> list[list[object]]:
    """Every finding of the in-process check of ``code`` as ``[rule, target, line, column, severity]``, sorted;
    no gate has a time budget, so what is found does not depend on the machine's load."""
    from burr_codeagent import AgentConfig, check
    from burr_codeagent.plugins import default_manager

    unbounded = {name: {"time_budget": None} for name in default_manager().gates()}
    config = AgentConfig(enable_code_execution=False, tracking=False, gates={"options": unbounded})
    report = check(code, config=config)
    return sorted([f.rule, f.target, f.line, f.column, f.severity.value] for f in report.findings)


def compare_findings(saved: dict[str, list[list[object]]], now: dict[str, list[list[object]]]) -> list[str]:
    """What differs between two runs' findings, one line per module that changed."""
    changes = []
    for name in sorted(set(saved) & set(now)):
        before = {tuple(f) for f in saved[name]}
        after = {tuple(f) for f in now[name]}
        if before != after:
            changes.append(f"{name}: lost {sorted(before - after)[:10]}, new {sorted(after - before)[:10]}")
    return changes


def warm_in_process(code: str) -> Callable[[], object]:
    """One warm in-process check of ``code`` per call (imports and first-use costs paid here, untimed), each call
    with a one-character change so the report cache does not answer."""
    from burr_codeagent import AgentConfig, check

    config = AgentConfig(enable_code_execution=False, tracking=False)
    check(code, config=config)
    counter = iter(range(10**6))
    return lambda: check(f"{code}\n# run {next(counter)}\n", config=config)


WARM_WORKER = """
import resource, sys, time
from burr_codeagent import AgentConfig, check
def cpu():
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime
code = open(sys.argv[1], encoding="utf-8").read()
config = AgentConfig(enable_code_execution=False, tracking=False)
check(code, config=config)
print("ready", flush=True)
for number, _ in enumerate(sys.stdin):
    start = cpu()
    check(f"{code}\\n# run {number}\\n", config=config)
    print(cpu() - start, flush=True)
"""


def warm_in_worker(path: Path, env: dict[str, str]) -> tuple[Callable[[], float], Callable[[], None]]:
    """A warm check of ``path`` per call in a worker process importing the package from ``env``'s PYTHONPATH (a
    baseline checkout); each call returns the CPU seconds the worker reports for its check (ruff's process
    included, as for the warm check here). Also returns a stop."""
    worker = subprocess.Popen(
        [sys.executable, "-c", WARM_WORKER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert worker.stdin is not None and worker.stdout is not None
    stdin, stdout = worker.stdin, worker.stdout
    if stdout.readline().strip() != "ready":
        raise SystemExit("the baseline's warm worker did not start")

    def one() -> float:
        stdin.write("run\n")
        stdin.flush()
        return float(stdout.readline())

    def stop() -> None:
        stdin.close()
        worker.wait(timeout=60)

    return one, stop


def tool(name: str) -> str:
    """The tool's own executable: beside this interpreter, then its base installation, then PATH (where a pyenv
    shim, a shell script that costs ~0.1 s a call, may stand in front of it)."""
    places = [
        os.path.dirname(sys.executable),
        os.path.join(sys.base_prefix, "bin"),
        os.environ.get("PATH", ""),
    ]
    found = shutil.which(name, path=os.pathsep.join(places))
    if found is None:
        raise SystemExit(f"{name} is not installed next to {sys.executable}")
    return found


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its finished child processes so far."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def interleaved(
    commands: dict[str, Callable[[], object]], runs: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Median wall-clock and median CPU seconds of each command, run in turn (one of each per round) so load drifts
    hit them all alike. CPU time counts the work itself (subprocesses included): on a shared machine it moves far
    less with the load than the wall clock does. A command that returns a float reports its own CPU seconds (a
    worker process's, which this process's counters do not see until it ends)."""
    wall: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for action in commands.values():  # untimed: caches (byte code, the OS's file cache) filled for every side
        action()
    for _ in range(runs):
        for name, action in commands.items():
            start, start_cpu = time.perf_counter(), cpu_seconds()
            reported = action()
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(reported if isinstance(reported, float) else cpu_seconds() - start_cpu)
    return (
        {name: statistics.median(values) for name, values in wall.items()},
        {name: statistics.median(values) for name, values in cpu.items()},
    )


REAL_MODULES = ("shlex", "textwrap", "pprint", "dataclasses", "argparse", "typing", "_pydecimal")


def modules(folder: Path, names: list[str]) -> list[tuple[str, Path]]:
    """Two generated modules (300 and 2,000 lines) and well-regarded stdlib modules of the running Python."""
    found = []
    for size in (300, 2000):
        if names and f"generated_{size}" not in names:
            continue
        path = folder / f"generated_{size}.py"
        path.write_text(build_module(size), encoding="utf-8")
        found.append((f"generated {size}", path))
    for name in [n for n in REAL_MODULES if not names or n in names]:
        path = folder / f"{name}.py"
        path.write_text(Path(str(importlib.import_module(name).__file__)).read_text(encoding="utf-8"))
        found.append((name, path))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (median reported)")
    parser.add_argument(
        "--module",
        action="append",
        default=[],
        help=f"only these (repeatable): generated_300, generated_2000, {', '.join(REAL_MODULES)}",
    )
    parser.add_argument(
        "--baseline", type=Path, help="also time the process of this checkout's src directory"
    )
    parser.add_argument("--save-findings", type=Path, help="write every module's findings to this JSON file")
    parser.add_argument(
        "--check-findings", type=Path, help="compare the findings with this file; 1 if changed"
    )
    args = parser.parse_args()
    runs = max(1, args.runs)
    codeagent, ruff, bandit, radon = tool("codeagent"), tool("ruff"), tool("bandit"), tool("radon")
    baseline_env = None
    if args.baseline is not None:
        baseline_env = {**ENV, "PYTHONPATH": str(args.baseline.resolve())}
        compileall.compile_dir(args.baseline, quiet=1)
    package = Path(str(importlib.import_module("burr_codeagent").__file__)).parent
    compileall.compile_dir(package, quiet=1)
    header = (
        "module",
        "lines",
        "warm",
        "codeagent",
        "ruff",
        "bandit",
        "radon cc",
        "radon mi",
        "chain",
        "warm/ch",
        "proc/ch",
        "cpu warm/ch",
        "cpu proc/ch",
        *(("cpu base/ch", "cpu bwarm/ch") if baseline_env else ()),
    )
    print(
        f"median of {runs} interleaved runs, wall-clock seconds; tools: {', '.join((codeagent, ruff, bandit, radon))}\n"
    )
    print(" | ".join(f"{h:>12}" for h in header), flush=True)
    found: dict[str, list[list[object]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for label, path in modules(Path(folder), args.module):
            code = path.read_text(encoding="utf-8")
            if args.save_findings or args.check_findings:
                found[path.stem] = findings_of(code)
            commands = {
                "warm": warm_in_process(code),
                "codeagent": lambda p=path: run_quiet([codeagent, "check", "--no-execution", str(p)]),
                "ruff": lambda p=path: run_quiet([ruff, "check", "--no-cache", str(p)]),
                "bandit": lambda p=path: run_quiet([bandit, "-q", str(p)]),
                "radon cc": lambda p=path: run_quiet([radon, "cc", str(p)]),
                "radon mi": lambda p=path: run_quiet([radon, "mi", str(p)]),
            }
            stop_worker = None
            if baseline_env is not None:
                command = [sys.executable, "-m", "burr_codeagent", "check", "--no-execution", str(path)]
                commands["baseline"] = lambda c=command: run_quiet(c, baseline_env)
                commands["baseline warm"], stop_worker = warm_in_worker(path, baseline_env)
            timings, cpu = interleaved(commands, runs)
            if stop_worker is not None:
                stop_worker()
            chain_tools = ("ruff", "bandit", "radon cc", "radon mi")
            chain = sum(timings[name] for name in chain_tools)
            cpu_chain = sum(cpu[name] for name in chain_tools)
            warm = timings["warm"]
            values = [label, code.count("\n"), warm, timings["codeagent"], timings["ruff"], timings["bandit"]]
            values += [
                timings["radon cc"],
                timings["radon mi"],
                chain,
                warm / chain,
                timings["codeagent"] / chain,
                cpu["warm"] / cpu_chain,
                cpu["codeagent"] / cpu_chain,
                *((cpu["baseline"] / cpu_chain, cpu["baseline warm"] / cpu_chain) if baseline_env else ()),
            ]
            print(
                " | ".join(f"{v:>12}" if isinstance(v, str | int) else f"{v:>12.3f}" for v in values),
                flush=True,
            )
    print("\ntargets: warm/chain <= 0.20, proc/chain <= 1.00 (wall clock; the cpu columns compare CPU time)")
    if args.save_findings:
        args.save_findings.write_text(json.dumps(found, indent=0), encoding="utf-8")
    if args.check_findings:
        changes = compare_findings(json.loads(args.check_findings.read_text(encoding="utf-8")), found)
        print("\n".join(changes) if changes else f"findings: the same as in {args.check_findings}")
        if changes:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
