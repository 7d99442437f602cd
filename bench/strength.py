"""Test strength: coverage overhead, the mutation gate's speed and verdicts, side by side with mutmut.

For a 15-line and a 60-line module, each with a strong and a weak test file (the weak one reaches full line and
branch coverage but checks little), this prints:

- the median wall time of a plain sandboxed pytest run, of the same run measuring coverage (the overhead the
  coverage gate adds to the execution gate's run), and of that run also recording the mutation gate's baseline
  (which test reaches which function: the reach plugin), and the coverage it measured;
- the mutation gate: mutants, score, wall time (median; mutant generation + the one sandboxed session) and mutants
  per second, with the session taking its own baseline and with the baseline taken from the execution run;
- mutmut 3.8.1 on the same files in a temporary project: its mutants, score, wall time and mutants per second
  (mutmut mutates more kinds of things, strings included, so its counts differ; it runs without a sandbox);
- whether the gate's kill/survive verdicts match running each mutant in its own pytest process.

Run: ``python bench/strength.py [--repeat N]``. Targets: the gate under 2 s for the 60-line module, at least 3x
faster than mutmut, the same verdicts as one process per mutant.
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
import time
from collections.abc import Callable
from pathlib import Path

from burr_codeagent.gates.coverage._measure import CoverageData, coverage_extension, read_coverage
from burr_codeagent.gates.mutation._mutants import Mutant, generate_mutants
from burr_codeagent.gates.mutation._reach import Reach, reach_extension, read_reach
from burr_codeagent.gates.mutation._session import run_mutants
from burr_codeagent.sandbox import PytestRun, Sandbox, run_pytest

SMALL = '''\
"""Clamp and classify."""


def clamp(value: int, low: int, high: int) -> int:
    """Limit value to [low, high]."""
    if low > high:
        raise ValueError("low must not exceed high")
    if value < low:
        return low
    if value > high:
        return high
    return value


def sign(n: int) -> int:
    """-1, 0 or 1."""
    return 0 if n == 0 else (1 if n > 0 else -1)
'''

SMALL_STRONG = """\
import pytest

from solution import clamp, sign


def test_clamp_inside_and_at_bounds():
    assert clamp(5, 0, 10) == 5
    assert clamp(0, 0, 10) == 0
    assert clamp(10, 0, 10) == 10


def test_clamp_outside():
    assert clamp(-1, 0, 10) == 0
    assert clamp(11, 0, 10) == 10


def test_clamp_rejects_bad_range():
    with pytest.raises(ValueError):
        clamp(1, 3, 2)
    assert clamp(2, 2, 2) == 2


def test_sign():
    assert [sign(-5), sign(0), sign(7)] == [-1, 0, 1]
"""

SMALL_WEAK = """\
import pytest

from solution import clamp, sign


def test_clamp_runs():
    assert isinstance(clamp(5, 0, 10), int)
    assert isinstance(clamp(-1, 0, 10), int)
    assert isinstance(clamp(11, 0, 10), int)


def test_clamp_rejects_bad_range():
    with pytest.raises(ValueError):
        clamp(1, 3, 2)


def test_sign_runs():
    assert sign(0) is not None and sign(3) is not None and sign(-3) is not None
"""

LARGE = '''\
"""Small text and number utilities."""

from collections.abc import Sequence


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean of a non-empty sequence."""
    if not values:
        raise ValueError("mean of an empty sequence")
    return sum(values) / len(values)


def binary_search(items: Sequence[int], target: int) -> int:
    """Index of target in sorted items, or -1."""
    low, high = 0, len(items) - 1
    while low <= high:
        middle = (low + high) // 2
        if items[middle] == target:
            return middle
        if items[middle] < target:
            low = middle + 1
        else:
            high = middle - 1
    return -1


def run_length(text: str) -> list[tuple[str, int]]:
    """Run-length encoding: ('a', 3) for 'aaa'."""
    runs: list[tuple[str, int]] = []
    for char in text:
        if runs and runs[-1][0] == char:
            runs[-1] = (char, runs[-1][1] + 1)
        else:
            runs.append((char, 1))
    return runs


def is_leap(year: int) -> bool:
    """Gregorian leap year."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def first_negative(values: Sequence[int]) -> int | None:
    """The first negative value, or None."""
    found = None
    for value in values:
        if value >= 0:
            continue
        found = value
        break
    return found


class Counter:
    """Counts up to a limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0

    def bump(self, step: int = 1) -> bool:
        """Add step unless that passes the limit; True if it was added."""
        if self.count + step > self.limit:
            return False
        self.count += step
        return True
'''

LARGE_STRONG = """\
import pytest

from solution import Counter, binary_search, first_negative, is_leap, mean, run_length


def test_mean():
    assert mean([1.0, 2.0, 6.0]) == 3.0
    assert mean([4.0]) == 4.0
    with pytest.raises(ValueError):
        mean([])


def test_binary_search():
    items = [1, 3, 5, 7, 9, 11]
    assert [binary_search(items, x) for x in items] == [0, 1, 2, 3, 4, 5]
    assert binary_search(items, 4) == -1
    assert binary_search(items, 0) == -1
    assert binary_search(items, 12) == -1
    assert binary_search([], 1) == -1
    assert binary_search([2], 2) == 0


def test_run_length():
    assert run_length("aaabcc") == [("a", 3), ("b", 1), ("c", 2)]
    assert run_length("") == []
    assert run_length("ab") == [("a", 1), ("b", 1)]


def test_is_leap():
    assert [is_leap(y) for y in (2024, 2023, 1900, 2000, 2100)] == [True, False, False, True, False]


def test_first_negative():
    assert first_negative([3, 0, -2, -5]) == -2
    assert first_negative([1, 2]) is None
    assert first_negative([-1]) == -1


def test_counter():
    counter = Counter(3)
    assert counter.bump() is True and counter.count == 1
    assert counter.bump(2) is True and counter.count == 3
    assert counter.bump() is False and counter.count == 3
    other = Counter(2)
    assert other.bump(3) is False and other.count == 0
"""

LARGE_WEAK = """\
import pytest

from solution import Counter, binary_search, first_negative, is_leap, mean, run_length


def test_mean():
    assert mean([1.0, 3.0]) > 0
    with pytest.raises(ValueError):
        mean([])


def test_binary_search():
    assert binary_search([1, 3, 5], 5) >= 0
    assert binary_search([1, 3, 5], 1) >= 0
    assert binary_search([1, 3, 5], 4) < 0


def test_run_length():
    assert len(run_length("aab")) > 0


def test_is_leap():
    assert is_leap(2000) in (True, False)
    assert is_leap(2023) in (True, False)
    assert is_leap(1900) in (True, False)


def test_first_negative():
    assert first_negative([1, -2]) is not None
    assert first_negative([1]) is None or True


def test_counter():
    counter = Counter(1)
    counter.bump()
    counter.bump()
    assert counter.count >= 0
"""

CASES = [
    ("15 lines", SMALL, "strong", SMALL_STRONG),
    ("15 lines", SMALL, "weak", SMALL_WEAK),
    ("60 lines", LARGE, "strong", LARGE_STRONG),
    ("60 lines", LARGE, "weak", LARGE_WEAK),
]


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` runs after one warm-up."""
    action()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def gate_run(
    code: str, tests: str, sandbox: Sandbox, reach: Reach | None = None
) -> tuple[list[Mutant], dict[int, str]]:
    """What the mutation gate does: generate the mutants and test them in one sandboxed session (with ``reach``,
    the baseline the execution run recorded, the session runs no baseline of its own)."""
    mutants = generate_mutants(code)
    run = run_mutants(code, tests, mutants, sandbox, reach=reach)
    if not run.baseline_passed:
        raise SystemExit("the baseline did not pass: fix the bench's test files")
    return mutants, dict(run.verdicts)


def per_process_verdicts(mutants: list[Mutant], tests: str) -> dict[int, str]:
    """The slow reference: each mutant written to its own directory and tested by its own pytest process."""
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    verdicts = {}
    with tempfile.TemporaryDirectory() as root:
        for mutant in mutants:
            folder = Path(root) / f"m{mutant.id}"
            folder.mkdir()
            (folder / "solution.py").write_text(mutant.source, encoding="utf-8")
            (folder / "test_solution.py").write_text(tests, encoding="utf-8")
            command = [
                sys.executable,
                "-m",
                "pytest",
                "-x",
                "-q",
                "-p",
                "no:cacheprovider",
                "test_solution.py",
            ]
            try:
                done = subprocess.run(
                    command, cwd=folder, env=env, capture_output=True, timeout=30, check=False
                )
                verdicts[mutant.id] = "survived" if done.returncode == 0 else "killed"
            except subprocess.TimeoutExpired:
                verdicts[mutant.id] = "killed"
    return verdicts


def mutmut_run(code: str, tests: str) -> tuple[float, dict[str, int]] | str:
    """mutmut 3 on the same files in a fresh temporary project: (seconds, its CI stats) or why it could not run."""
    binary = shutil.which("mutmut")
    if binary is None:
        return "mutmut is not installed (pip install mutmut==3.8.1)"
    with tempfile.TemporaryDirectory() as root:
        project = Path(root)
        (project / "tests").mkdir()
        (project / "solution.py").write_text(code, encoding="utf-8")
        (project / "tests" / "test_solution.py").write_text(tests, encoding="utf-8")
        (project / "pyproject.toml").write_text(
            '[tool.mutmut]\nsource_paths = ["solution.py"]\npytest_add_cli_args_test_selection = ["tests/"]\n'
            'pytest_add_cli_args = ["-p", "no:cacheprovider"]\n',
            encoding="utf-8",
        )
        env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
        start = time.perf_counter()
        done = subprocess.run(
            [binary, "run"], cwd=project, env=env, capture_output=True, timeout=600, check=False
        )
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            tail = (done.stdout + done.stderr).decode("utf-8", "replace").strip().splitlines()[-3:]
            return f"mutmut run failed with status {done.returncode}: {' | '.join(tail)}"
        subprocess.run([binary, "export-cicd-stats"], cwd=project, capture_output=True, check=False)
        stats_file = project / "mutants" / "mutmut-cicd-stats.json"
        if not stats_file.exists():
            return "mutmut wrote no statistics (mutants/mutmut-cicd-stats.json)"
        stats: dict[str, int] = json.loads(stats_file.read_text(encoding="utf-8"))
        return seconds, stats


def main() -> None:
    """Measure every case and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per figure (median)")
    args = parser.parse_args()
    sandbox = Sandbox("auto")
    print(f"isolation: {sandbox.isolation}; medians of {args.repeat} runs after a warm-up\n")
    header = (
        f"{'module':<9} {'tests':<7} {'plain s':>7} {'+cov s':>7} {'+reach s':>8} {'cov %':>6} | {'mutants':>7} "
        f"{'score':>6} {'gate s':>6} {'derived s':>9} {'mut/s':>6} | {'mutmut n':>8} {'score':>6} {'mutmut s':>8} {'mut/s':>6} {'speedup':>7} "
        f"| {'verdicts vs per-process':<24}"
    )
    print(header)
    print("-" * len(header))
    notes = []
    for module_name, code, tests_name, tests in CASES:
        plain = PytestRun(code, tests)
        plain_s = median_seconds(lambda: run_pytest(plain, sandbox), args.repeat)  # noqa: B023
        covered = plain.extended(coverage_extension(plain.module))
        cov_s = median_seconds(lambda: run_pytest(covered, sandbox), args.repeat)  # noqa: B023
        data = read_coverage(run_pytest(covered, sandbox))
        reaching = covered.extended(reach_extension(plain.module))
        reach_s = median_seconds(lambda: run_pytest(reaching, sandbox), args.repeat)  # noqa: B023
        reach = read_reach(run_pytest(reaching, sandbox))
        derived_s = median_seconds(lambda: gate_run(code, tests, sandbox, reach), args.repeat)  # noqa: B023
        cov_pct = f"{data.percent:.0f}" if isinstance(data, CoverageData) else "n/a"
        mutants, verdicts = gate_run(code, tests, sandbox)
        gate_s = median_seconds(lambda: gate_run(code, tests, sandbox), args.repeat)  # noqa: B023
        killed = sum(1 for v in verdicts.values() if v in ("killed", "timeout"))
        tested = sum(1 for v in verdicts.values() if v in ("killed", "timeout", "survived"))
        gate_score = 100.0 * killed / tested if tested else 0.0
        reference = per_process_verdicts(mutants, tests)
        normal = {i: ("killed" if v in ("killed", "timeout") else v) for i, v in verdicts.items()}
        differ = [i for i in reference if normal.get(i) != reference[i]]
        same = "same" if not differ else f"{len(differ)} differ: {differ[:5]}"
        mm = mutmut_run(code, tests)
        if isinstance(mm, str):
            notes.append(f"{module_name}/{tests_name}: mutmut could not run: {mm}")
            mm_cols = f"{'-':>8} {'-':>6} {'-':>8} {'-':>6} {'-':>7}"
        else:
            mm_s, stats = mm
            total = stats.get("total", 0)
            mm_killed = stats.get("killed", 0) + stats.get("timeout", 0)
            mm_score = 100.0 * mm_killed / total if total else 0.0
            mm_cols = f"{total:>8} {mm_score:>5.0f}% {mm_s:>8.2f} {total / mm_s:>6.1f} {mm_s / gate_s:>6.1f}x"
        print(
            f"{module_name:<9} {tests_name:<7} {plain_s:>7.2f} {cov_s:>7.2f} {reach_s:>8.2f} {cov_pct:>6} | "
            f"{len(mutants):>7} {gate_score:>5.0f}% {gate_s:>6.2f} {derived_s:>9.2f} {len(mutants) / gate_s:>6.1f} | "
            f"{mm_cols} | {same:<24}",
            flush=True,
        )
    print(
        "\nmutmut: one timed run per case (each needs a fresh project); its mutant count includes string and "
        "argument mutations the gate leaves alone. The gate's time includes its sandbox."
    )
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
