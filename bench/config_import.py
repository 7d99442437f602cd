"""Benchmark: what building an ``AgentConfig`` costs a fresh process, next to building a plain pydantic setting.

Run from the repository root::

    python bench/config_import.py [--runs 7]

Each figure is the median over ``--runs`` fresh interpreters (``python -c ...``) of the wall time of the snippet,
measured inside the child with ``time.perf_counter`` around the import plus the construction, the number of
``burr_codeagent`` modules loaded afterwards and whether pydantic-settings was imported (only when a variable,
``.env`` or ``[tool.codeagent]`` names a setting). The baseline is the same work for a one-field
``pydantic_settings.BaseSettings`` subclass: what a user would otherwise pay to read settings.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

SNIPPETS = {
    "AgentConfig()": "from burr_codeagent import AgentConfig\nAgentConfig()\n",
    "AgentConfig() with CODEAGENT_MAX_RETRIES=2": (
        "import os\nos.environ['CODEAGENT_MAX_RETRIES'] = '2'\n"
        "from burr_codeagent import AgentConfig\nassert AgentConfig().max_retries == 2\n"
    ),
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
print(elapsed, sum(1 for m in sys.modules if m.startswith("burr_codeagent")), "pydantic_settings" in sys.modules)
"""


def measure(snippet: str, runs: int) -> tuple[float, int, bool]:
    """Median seconds, the module count and whether pydantic-settings was imported, for ``snippet`` in ``runs``
    fresh interpreters."""
    times, modules, settings = [], 0, False
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(snippet=snippet)], capture_output=True, text=True, check=True
        ).stdout.split()
        times.append(float(out[0]))
        modules, settings = int(out[1]), out[2] == "True"
    return statistics.median(times), modules, settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"{'what':<45} {'median ms':>10} {'burr_codeagent modules':>24} {'pydantic-settings':>18}")
    for name, snippet in SNIPPETS.items():
        seconds, modules, settings = measure(snippet, args.runs)
        print(f"{name:<45} {seconds * 1000:>10.1f} {modules:>24} {'imported' if settings else '-':>18}")


if __name__ == "__main__":
    main()
