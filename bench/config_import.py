"""Benchmark: what building an ``AgentConfig`` costs a fresh process, next to building a plain pydantic setting.

Run from the repository root::

    python bench/config_import.py [--runs 7]

Each figure is the median over ``--runs`` fresh interpreters (``python -c ...``) of the wall time of the snippet,
measured inside the child with ``time.perf_counter`` around the import plus the construction, and the number of
``burr_codeagent`` modules loaded afterwards. The baseline is the same work for a one-field
``pydantic_settings.BaseSettings`` subclass: what a user would otherwise pay to read settings.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

SNIPPETS = {
    "AgentConfig()": "from burr_codeagent import AgentConfig\nAgentConfig()\n",
    "AgentConfig() + CodeAgent's plugin manager": (
        "from burr_codeagent import AgentConfig\nfrom burr_codeagent.plugins import PluginManager\n"
        "PluginManager(load_entry_points=False).validate(AgentConfig())\n"
    ),
    "pydantic-settings baseline": (
        "from pydantic_settings import BaseSettings\nclass S(BaseSettings):\n    backend: str = 'x'\nS()\n"
    ),
}

PROBE = """\
import sys, time
start = time.perf_counter()
exec(compile({snippet!r}, "<bench>", "exec"))
elapsed = time.perf_counter() - start
print(elapsed, sum(1 for m in sys.modules if m.startswith("burr_codeagent")))
"""


def measure(snippet: str, runs: int) -> tuple[float, int]:
    """Median seconds and the module count of ``snippet`` in ``runs`` fresh interpreters."""
    times, modules = [], 0
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(snippet=snippet)], capture_output=True, text=True, check=True
        ).stdout.split()
        times.append(float(out[0]))
        modules = int(out[1])
    return statistics.median(times), modules


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"{'what':<45} {'median ms':>10} {'burr_codeagent modules':>24}")
    for name, snippet in SNIPPETS.items():
        seconds, modules = measure(snippet, args.runs)
        print(f"{name:<45} {seconds * 1000:>10.1f} {modules:>24}")


if __name__ == "__main__":
    main()
