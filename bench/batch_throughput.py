"""Many agent runs on one event loop against a loopback model with fixed latency.

Run: ``python bench/batch_throughput.py [--tasks 200] [--concurrency 50] [--latency 0.5] [--runs 3] [--gates syntax]``

Prints, per mode, the median wall time, its ratio to the ideal (``ceil(tasks / concurrency) * latency``: every model
call overlapped, nothing else costing time) and to the ``raw`` floor of the same run, the process's CPU time per task
(what bounds the wall time: the event loop uses one core, so the wall time cannot fall below tasks x CPU per task),
the peak RSS of the process and the most requests the server saw in flight at once. The machine's load average is
printed first: on a shared machine the CPU figures compare better than the wall times. Modes, side by side in one
run, each in a fresh process with a fresh server, taking turns run by run:

Each mode warms up before the clock starts, as a long-running pipeline would be: imports, the SDK client and a
connection pool as wide as the concurrency (``concurrency`` requests or tasks at once; for ``agent+processes`` the
fork server that preloads the workers' imports). Opening 50 connections inside the clock cost the first wave ~10 %
of the raw floor's wall time on a loaded machine.

* ``raw``: the floor a user would otherwise write: ``asyncio.gather`` over ``AsyncOpenAI`` calls, 50 at a time;
* ``raw+aiohttp``: the same over the SDK's aiohttp transport (``http_client=openai.DefaultAioHttpClient()``), which
  the agent's openai backend uses;
* ``agent``: ``CodeAgent.arun_many`` (Burr app, instructor, the checker, per-task SQLite persistence, reports),
  Burr's local tracker off;
* ``agent+tracking``: the same with Burr's local tracker on (the default), which writes its files synchronously;
* ``agent+processes``: ``agent`` with ``executor="processes"``: a worker process per core, each running its share
  on its own event loop (the workers' start-up is inside the clock; their CPU is counted).

The server's CPU per request is printed too: a loopback server that cannot keep up would make every mode look
slower than the client side is.

``--baseline SRC`` also measures every agent mode with the package from ``SRC`` (the ``src`` directory of another
checkout, e.g. ``git archive REV src | tar -x -C /tmp/before``), interleaved run by run with this checkout's, rows
marked ``[baseline]``: a change's before and after under the same load.

``--gates default`` runs every default gate instead of the syntax gate alone and also prints tasks per minute and
where the time went (model, checks, and each gate's seconds summed over all tasks).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def start_server(latency: float) -> tuple[subprocess.Popen[str], int]:
    server = subprocess.Popen(
        [sys.executable, str(HERE / "_loopback_openai.py"), "--latency", str(latency)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    return server, int(server.stdout.readline())


def stats(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/stats") as response:
        data: dict[str, Any] = json.load(response)
    return data


async def raw(port: int, tasks: int, concurrency: int, aiohttp: bool = False) -> dict[str, Any]:
    import openai

    transport = {"http_client": openai.DefaultAioHttpClient()} if aiohttp else {}
    client = openai.AsyncOpenAI(
        api_key="x", base_url=f"http://127.0.0.1:{port}/v1", max_retries=0, **transport
    )
    warm_up = {"role": "user", "content": "warm-up"}
    await asyncio.gather(
        *(client.chat.completions.create(model="bench", messages=[warm_up]) for _ in range(concurrency))
    )
    gate = asyncio.Semaphore(concurrency)

    async def one(n: int) -> None:
        async with gate:
            await client.chat.completions.create(
                model="bench", messages=[{"role": "user", "content": f"task {n}"}], max_tokens=100
            )

    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one(n) for n in range(tasks)))
    figures = {"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu}
    await client.close()
    return figures


def cpu_seconds() -> float:
    """CPU time of this process, its finished children, and multiprocessing's fork server with its finished
    children (the ``processes`` executor's workers are forked by it, so they are not ours)."""
    times = os.times()
    total = times.user + times.system + times.children_user + times.children_system
    from multiprocessing import forkserver

    server = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if server:
        # /proc/PID/stat fields 14-17: utime, stime, cutime, cstime in clock ticks (after the parenthesised name)
        fields = Path(f"/proc/{server}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return total


async def agent(
    port: int, tasks: int, concurrency: int, tracking: bool, gates: str, executor: str = "local"
) -> dict[str, Any]:
    from burr_codeagent import AgentConfig, CodeAgent

    scratch = Path(tempfile.mkdtemp(prefix="codeagent-bench-"))
    config = AgentConfig(
        backend="openai",
        base_url=f"http://127.0.0.1:{port}/v1",
        api_key="x",
        tracking=tracking,
        storage_dir=scratch / "burr",
        output_dir=scratch / "reports",
        **({"gates": {"enable": ["syntax"]}} if gates == "syntax" else {}),
    )
    work = [{"id": f"t{n}", "task": f"Write add(a, b), variant {n}"} for n in range(tasks)]
    # Warm-up tasks first, as many as run at once: imports, the SDK client and its connection pool are a
    # once-per-process cost, not a per-batch one.
    await CodeAgent(config).arun_many(
        work[:concurrency],
        concurrency=concurrency,
        output_dir=scratch / "warm-up",
        executor=executor,  # type: ignore[arg-type]
    )
    start, cpu = time.perf_counter(), cpu_seconds()
    outcomes = await CodeAgent(config).arun_many(
        work,
        concurrency=concurrency,
        output_dir=scratch / "batch",
        executor=executor,  # type: ignore[arg-type]
    )
    wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    where: Counter[str] = Counter()
    for outcome in outcomes:
        if outcome.result is None:
            continue
        where["model (sum over tasks)"] += sum(outcome.result.metrics.generation_seconds)
        where["checks (sum over tasks)"] += sum(outcome.result.metrics.check_seconds)
        for attempt in outcome.result.attempts:
            for gate in attempt.report.gates if attempt.report else []:
                where[f"  gate {gate.name}"] += gate.seconds
    passed = sum(o.passed for o in outcomes)
    return {"wall": wall, "cpu": cpu, "passed": passed, "where": dict(where)}


def child(args: argparse.Namespace) -> None:
    if args.mode in ("raw", "raw+aiohttp"):
        figures = asyncio.run(
            raw(args.port, args.tasks, args.concurrency, aiohttp=args.mode == "raw+aiohttp")
        )
    else:
        executor = "processes" if args.mode == "agent+processes" else "local"
        tracking = args.mode == "agent+tracking"
        figures = asyncio.run(agent(args.port, args.tasks, args.concurrency, tracking, args.gates, executor))
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["children_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(figures))


BASELINE = " [baseline]"


def measure(mode: str, args: argparse.Namespace) -> dict[str, Any]:
    server, port = start_server(args.latency)
    environment = dict(os.environ)
    if mode.endswith(
        BASELINE
    ):  # the other checkout's package first on the path (workers and fork server inherit it)
        mode = mode.removesuffix(BASELINE)
        environment["PYTHONPATH"] = os.pathsep.join(
            filter(None, [args.baseline, environment.get("PYTHONPATH")])
        )
    try:
        command = [sys.executable, __file__, "--child", mode, "--port", str(port)]
        command += ["--tasks", str(args.tasks), "--concurrency", str(args.concurrency), "--gates", args.gates]
        done = subprocess.run(command, capture_output=True, text=True, check=True, env=environment)
        figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        served = stats(port)
        figures["server_max_in_flight"] = served["max_in_flight"]
        figures["server_cpu"] = served["cpu_seconds"]
        return figures
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--gates", choices=["syntax", "default"], default="syntax")
    parser.add_argument("--modes", default="raw,raw+aiohttp,agent,agent+tracking,agent+processes")
    parser.add_argument("--baseline", help="the src directory of another checkout to measure side by side")
    parser.add_argument("--child", dest="mode")
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    if args.mode:
        child(args)
        return
    ideal = math.ceil(args.tasks / args.concurrency) * args.latency
    print(f"{args.tasks} tasks, concurrency {args.concurrency}, latency {args.latency}s, gates {args.gates}")
    print(f"ideal wall time: {ideal:.2f}s")
    print(f"load average before: {os.getloadavg()[0]:.1f} (cores: {os.cpu_count()})")
    print(
        f"{'mode':<28}{'wall s':>9}{'x ideal':>9}{'x raw':>7}{'CPU ms/task':>13}{'tasks/min':>11}"
        f"{'peak RSS MB':>13}{'in flight':>11}{'server CPU ms/req':>19}{'passed':>8}"
    )
    floor = None
    # Modes take turns run by run, so a change in the machine's load hits every mode alike.
    modes = args.modes.split(",")
    if args.baseline:
        modes = [
            m for mode in modes for m in (mode, mode + BASELINE) if m == mode or mode.startswith("agent")
        ]
    runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in modes}
    for _ in range(args.runs):
        for mode in modes:
            runs[mode].append(measure(mode, args))
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    for mode in modes:
        wall = statistics.median(r["wall"] for r in runs[mode])
        cpu = statistics.median(r["cpu"] for r in runs[mode])
        floor = wall if mode == "raw" else floor
        rss = max(max(r["peak_rss_mb"], r["children_peak_rss_mb"]) for r in runs[mode])
        server = statistics.median(r["server_cpu"] for r in runs[mode])
        flight = max(r["server_max_in_flight"] for r in runs[mode])
        passed = runs[mode][-1].get("passed", "-")
        versus = f"{wall / floor:>7.2f}" if floor else f"{'-':>7}"
        print(
            f"{mode:<28}{wall:>9.2f}{wall / ideal:>9.2f}{versus}{1000 * cpu / args.tasks:>13.1f}"
            f"{60 * args.tasks / wall:>11.0f}{rss:>13.0f}{flight:>11}{1000 * server / args.tasks:>19.2f}{passed!s:>8}"
        )
        print(
            f"    CPU ms per task, run by run: {[round(1000 * r['cpu'] / args.tasks, 1) for r in runs[mode]]}"
        )
        if "where" in runs[mode][-1] and args.gates == "default":
            for name, seconds in sorted(runs[mode][-1]["where"].items(), key=lambda kv: -kv[1]):
                print(f"    {name:<32}{seconds:>10.1f}s")


if __name__ == "__main__":
    main()
