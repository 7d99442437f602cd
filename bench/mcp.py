"""Benchmark: an MCP ``check_code`` call on a warm server against a fresh ``codeagent check`` process.

Run from the repository root (needs the ``[mcp]`` extra)::

    python bench/mcp.py [--runs 7] [--no-execution]

The input is a generated 200-line module (eleven documented, typed functions) with a pytest file of 22 tests.
Each round, interleaved so both sides see the same machine load:

* **mcp**: ``check_code(code, tests)`` sent by the ``mcp`` client to one ``codeagent mcp`` server (stdio, started
  once and warmed with one call before timing), timed from the client: request, all gates, the sandboxed pytest run,
  and the response;
* **cli**: ``codeagent check module.py --tests test_module.py`` in a new process, timed from spawn to exit: what a
  coding assistant without MCP would run.

Every round checks a slightly different module (a comment with the round number) so the server's in-memory report
cache cannot answer; the cached answer for an unchanged module is printed separately. The server's resident memory
(RSS, from ``/proc``) is read just after start-up and again, idle, after all calls.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# `python bench/mcp.py` puts bench/ first on sys.path, where this file would shadow the `mcp` SDK.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from mcp import Client  # noqa: E402
from mcp.client.stdio import StdioServerParameters  # noqa: E402

FUNCTION = '''

def scale_{i}(values: list[float], factor: float) -> list[float]:
    """Multiply every value by ``factor`` (variant {i}).

    Args:
        values: The numbers to scale.
        factor: What to multiply them by.

    Returns:
        A new list with the scaled values.

    Raises:
        ValueError: If ``factor`` is not a finite number.
    """
    if factor != factor or factor in (float("inf"), float("-inf")):
        raise ValueError("factor must be finite")
    return [value * factor + {i} - {i} for value in values]
'''
TESTS = """

def test_scale_{i}_doubles() -> None:
    assert scale_{i}([1.0, 2.5], 2.0) == [2.0, 5.0]


def test_scale_{i}_rejects_infinity() -> None:
    with pytest.raises(ValueError):
        scale_{i}([1.0], float("inf"))
"""


def make_input(functions: int = 11) -> tuple[str, str]:
    """A ~200-line module and its tests (two per function)."""
    code = '"""Scaling helpers, generated for the benchmark."""\n' + "".join(
        FUNCTION.format(i=i) for i in range(functions)
    )
    names = ", ".join(f"scale_{i}" for i in range(functions))
    tests = f"import pytest\n\nfrom module import {names}\n" + "".join(
        TESTS.format(i=i) for i in range(functions)
    )
    return code, tests


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MB (Linux ``/proc``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def server_pid() -> int:
    """The ``codeagent mcp`` process this benchmark started (a child of this process)."""
    me = str(os.getpid())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if stat.rsplit(")", 1)[1].split()[1] == me and b"mcp" in cmdline and b"burr_codeagent" in cmdline:
            return int(entry.name)
    raise RuntimeError("the server process was not found")


async def bench(runs: int, execution: bool) -> None:
    code, tests = make_input()
    print(f"input: {len(code.splitlines())}-line module, {len(tests.splitlines())}-line tests, runs={runs}")
    env = {"CODEAGENT_PLUGINS": "", "HOME": os.environ.get("HOME", "/tmp")}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        params = StdioServerParameters(
            command=sys.executable, args=["-m", "burr_codeagent", "mcp"], env=env, cwd=str(work)
        )
        cli_env = {**os.environ, **env}
        cli_flags = [] if execution else ["--no-execution"]
        started = time.perf_counter()
        async with Client(params, read_timeout_seconds=300) as client:
            ready = time.perf_counter() - started
            pid = server_pid()
            rss_start = rss_mb(pid)
            await client.call_tool(
                "check_code",
                {
                    "code": code + "# warm-up\n",
                    "tests": tests,
                    "module_name": "module",
                    "execution": execution,
                },
            )
            mcp_times: list[float] = []
            cli_times: list[float] = []
            for i in range(runs):
                variant = code + f"# round {i}\n"
                t0 = time.perf_counter()
                result = await client.call_tool(
                    "check_code",
                    {"code": variant, "tests": tests, "module_name": "module", "execution": execution},
                )
                mcp_times.append(time.perf_counter() - t0)
                assert result.structured_content is not None and not result.is_error
                if i == 0:
                    outcome = result.structured_content
                (work / "module.py").write_text(variant + "# cli\n")
                (work / "test_module.py").write_text(tests)
                t0 = time.perf_counter()
                done = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "burr_codeagent",
                        "check",
                        "module.py",
                        "--tests",
                        "test_module.py",
                        *cli_flags,
                    ],
                    cwd=work,
                    env=cli_env,
                    capture_output=True,
                    text=True,
                )
                cli_times.append(time.perf_counter() - t0)
                assert done.returncode == outcome["exit_code"], done.stdout + done.stderr
            t0 = time.perf_counter()
            await client.call_tool(
                "check_code",
                {
                    "code": code + "# round 0\n",
                    "tests": tests,
                    "module_name": "module",
                    "execution": execution,
                },
            )
            cached = time.perf_counter() - t0
            await asyncio.sleep(1.0)
            rss_idle = rss_mb(pid)
    tests_ran = outcome["tests"]["passed"] if outcome["tests"] else 0
    print(f"verdict: passed={outcome['passed']} exit_code={outcome['exit_code']} tests passed={tests_ran}")
    print(f"{'':28}{'median s':>10}{'min s':>9}{'max s':>9}")
    for name, times in (("mcp check_code (warm)", mcp_times), ("codeagent check (process)", cli_times)):
        print(f"{name:28}{statistics.median(times):>10.3f}{min(times):>9.3f}{max(times):>9.3f}")
    print(f"speed-up of the warm server: {statistics.median(cli_times) / statistics.median(mcp_times):.2f}x")
    print(f"mcp check_code, unchanged module (report cache): {cached:.3f} s")
    print(f"server start-up to first response: {ready:.2f} s")
    print(f"server RSS: {rss_start:.0f} MB after start-up, {rss_idle:.0f} MB idle after {runs + 2} checks")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--no-execution", action="store_true", help="Static gates only (no sandboxed pytest)."
    )
    args = parser.parse_args()
    asyncio.run(bench(args.runs, not args.no_execution))


if __name__ == "__main__":
    main()
