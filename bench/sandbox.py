"""Sandbox overhead: each isolation layer against a bare ``subprocess.run`` of the same pytest command.

Run: ``python bench/sandbox.py [--runs 20]``. Prints the median wall time per run of

* ``bare``: ``subprocess.run`` of the pytest command in a prepared directory (what a user would otherwise run),
* each available isolation layer (``bwrap``, ``unshare``, ``none``) through :class:`Sandbox.run`, and its overhead,
* a typical attempt (a 50-line module with 5 tests) through the ``execution`` gate via :func:`check`.

Layers are measured interleaved (round-robin) so that machine noise hits them alike.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from burr_codeagent import AgentConfig, check
from burr_codeagent.sandbox import Sandbox, available, scrubbed_environment
from burr_codeagent.sandbox.pytest_run import _PYTEST_INI, PytestRun, pytest_command

MODULE = '''\
"""A small inventory module: the size of a typical generated answer."""

from dataclasses import dataclass, field


@dataclass
class Item:
    """One stock item."""

    name: str
    price: float
    quantity: int = 0


@dataclass
class Inventory:
    """Items by name, with totals."""

    items: dict[str, Item] = field(default_factory=dict)

    def add(self, item: Item) -> None:
        """Add an item, merging quantities of items with the same name."""
        if item.price < 0 or item.quantity < 0:
            raise ValueError("price and quantity must be non-negative")
        if item.name in self.items:
            self.items[item.name].quantity += item.quantity
        else:
            self.items[item.name] = item

    def remove(self, name: str, quantity: int) -> None:
        """Take ``quantity`` of an item out of stock."""
        if name not in self.items:
            raise KeyError(name)
        item = self.items[name]
        if quantity > item.quantity:
            raise ValueError("not enough stock")
        item.quantity -= quantity

    def total_value(self) -> float:
        """The value of everything in stock."""
        return sum(item.price * item.quantity for item in self.items.values())

    def low_stock(self, threshold: int) -> list[str]:
        """Names of items with fewer than ``threshold`` units, sorted."""
        return sorted(name for name, item in self.items.items() if item.quantity < threshold)
'''
TESTS = """\
import pytest

from solution import Inventory, Item


def test_add_merges():
    inv = Inventory()
    inv.add(Item("a", 1.0, 2))
    inv.add(Item("a", 1.0, 3))
    assert inv.items["a"].quantity == 5


def test_negative_rejected():
    with pytest.raises(ValueError):
        Inventory().add(Item("a", -1.0, 1))


def test_remove_too_much():
    inv = Inventory()
    inv.add(Item("a", 1.0, 1))
    with pytest.raises(ValueError):
        inv.remove("a", 2)


def test_total_value():
    inv = Inventory()
    inv.add(Item("a", 2.5, 2))
    inv.add(Item("b", 1.0, 1))
    assert inv.total_value() == 6.0


def test_low_stock():
    inv = Inventory()
    inv.add(Item("b", 1.0, 1))
    inv.add(Item("a", 1.0, 10))
    assert inv.low_stock(5) == ["b"]
"""


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs

    with tempfile.TemporaryDirectory(prefix="codeagent-bench-") as folder:
        work = Path(folder)
        (work / "solution.py").write_text(MODULE)
        (work / "test_solution.py").write_text(TESTS)
        (work / "pytest.ini").write_text(_PYTEST_INI)
        os.chmod(work, 0o777)
        spec = PytestRun(MODULE, TESTS)
        argv = pytest_command(spec, "bare.xml", "bench")
        env = scrubbed_environment(os.environ, home=str(work), tmpdir=str(work))

        def bare() -> None:
            done = subprocess.run(argv, cwd=work, env=env, capture_output=True, check=False)
            assert done.returncode == 0, done.stdout.decode()

        cases: dict[str, Callable[[], object]] = {"bare subprocess.run": bare}
        for layer in ("bwrap", "unshare", "none"):
            if available(layer):  # type: ignore[arg-type]
                sandbox = Sandbox(layer, max_output_chars=8_000)  # type: ignore[arg-type]

                def sandboxed(sandbox: Sandbox = sandbox, report: str = f"{layer}.xml") -> None:
                    result = sandbox.run(pytest_command(spec, report, "bench"), work, timeout=30)
                    assert result.returncode == 0, result.output

                cases[f"Sandbox({layer!r})"] = sandboxed
        for action in cases.values():  # warm up caches and the layer probes
            action()
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(runs):
            for name, action in cases.items():
                times[name].append(_timed(action))

    config = AgentConfig(gates={"enable": ["execution"]}, tracking=False)
    attempt: list[float] = []
    for index in range(runs + 1):
        code = MODULE + f"\n# attempt {index}\n"  # distinct code: the checker caches identical input
        seconds = _timed(lambda code=code: check(code, TESTS, config=config))
        report = check(code, TESTS, config=config)
        assert report.tests is not None and report.tests.passed == 5, report
        if index:  # the first one pays for imports and plugin loading
            attempt.append(seconds)

    bare_median = statistics.median(times["bare subprocess.run"])
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, median of {runs} runs (pytest, 5 tests)\n"
    )
    print(f"{'what':<28}{'median ms':>12}{'overhead ms':>14}")
    for name, samples in times.items():
        median = statistics.median(samples)
        overhead = "" if name.startswith("bare") else f"{(median - bare_median) * 1000:+.1f}"
        print(f"{name:<28}{median * 1000:>12.1f}{overhead:>14}")
    isolation = report.tests.isolation if report.tests else "?"
    print(
        f"{'attempt via execution gate':<28}{statistics.median(attempt) * 1000:>12.1f}{'':>14}  ({isolation})"
    )
    print("\ntargets: bwrap overhead < 50 ms; a typical attempt through the execution gate < 1000 ms")


if __name__ == "__main__":
    main()
