"""``codeagent batch`` end to end: the real openai SDK against a loopback server, real sandbox and persistence."""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import time
from multiprocessing import forkserver
from pathlib import Path

from typer.testing import CliRunner

from burr_codeagent.cli import app
from burr_codeagent.executors.processes import _worker_context

from .backends.fakes import Fail, FakeProvider, Reply, Stall

runner = CliRunner()


def write_tasks(path: Path, count: int) -> Path:
    lines = [json.dumps({"id": f"add-{n}", "task": f"Write add(a, b), variant {n}"}) for n in range(count)]
    path.write_text("\n".join(lines) + "\n")
    return path


def cli_args(fake: FakeProvider, tasks: Path, out: Path, *extra: str, concurrency: int = 3) -> list[str]:
    return [
        "batch",
        str(tasks),
        "--backend",
        "openai",
        "--base-url",
        fake.url + "/v1",
        "--output-dir",
        str(out),
        "--concurrency",
        str(concurrency),
        *extra,
    ]


def test_batch_writes_results_prints_a_summary_and_resumes(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CODEAGENT_GATES__ENABLE", '["syntax","execution"]')
    monkeypatch.setenv("CODEAGENT_TRACKING", "false")
    tasks = write_tasks(tmp_path / "tasks.jsonl", 4)
    out = tmp_path / "out"
    with FakeProvider("openai", [Reply()]) as fake:
        first = runner.invoke(app, cli_args(fake, tasks, out, "--write", str(tmp_path / "lib")))
        assert first.exit_code == 0, first.output
        assert len(fake.requests) == 4
        again = runner.invoke(app, cli_args(fake, tasks, out))
        assert again.exit_code == 0, again.output
        assert len(fake.requests) == 4, "finished tasks are skipped on a rerun"
    results = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in results) == ["add-0", "add-1", "add-2", "add-3"]
    assert all(r["passed"] and r["attempts"] == 1 for r in results)
    assert "4 passed" in first.output and "0 failed" in first.output
    assert "add-3" in first.output and "results:" in first.output
    assert (tmp_path / "lib" / "add_0.py").is_file()


def test_batch_freezes_what_the_first_task_built_out_of_the_collectors_walks(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("CODEAGENT_GATES__ENABLE", '["syntax"]')
    monkeypatch.setenv("CODEAGENT_TRACKING", "false")
    tasks = write_tasks(tmp_path / "tasks.jsonl", 2)
    before = gc.get_freeze_count()
    try:
        with FakeProvider("openai", [Reply()]) as fake:
            done = runner.invoke(app, cli_args(fake, tasks, tmp_path / "out", concurrency=1))
        assert done.exit_code == 0, done.output
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


def test_batch_over_worker_processes_reads_the_settings_of_the_command(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CODEAGENT_GATES__ENABLE", '["syntax"]')
    monkeypatch.setenv("CODEAGENT_TRACKING", "false")
    tasks = write_tasks(tmp_path / "tasks.jsonl", 4)
    out = tmp_path / "out"
    with FakeProvider("openai", [Reply()]) as fake:
        # The workers are forked from a fork server that may have started before the key was set; each worker
        # creates the backend by name, with the key of the command's environment.
        _worker_context()
        forkserver.ensure_running()
        monkeypatch.setenv("OPENAI_API_KEY", "sk-for-the-workers-42")
        result = runner.invoke(app, cli_args(fake, tasks, out, "--executor", "processes"))
        assert result.exit_code == 0, result.output
    assert len(fake.requests) == 4
    keys = {
        value for r in fake.requests for name, value in r.headers.items() if name.lower() == "authorization"
    }
    assert keys == {"Bearer sk-for-the-workers-42"}
    results = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in results) == ["add-0", "add-1", "add-2", "add-3"] and all(
        r["passed"] for r in results
    )
    assert "4 passed" in result.output


def test_provider_outage_exits_3_and_keeps_going(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CODEAGENT_GATES__ENABLE", '["syntax"]')
    monkeypatch.setenv("CODEAGENT_TRACKING", "false")
    monkeypatch.setenv("CODEAGENT_API_MAX_RETRIES", "0")
    tasks = write_tasks(tmp_path / "tasks.jsonl", 2)
    with FakeProvider("openai", [Fail(503)]) as fake:
        result = runner.invoke(app, cli_args(fake, tasks, tmp_path / "out"))
    assert result.exit_code == 3, result.output
    lines = (tmp_path / "out" / "results.jsonl").read_text().splitlines()
    assert len(lines) == 2 and all("backend_error" in line for line in lines)


def test_bad_tasks_file_is_a_usage_error(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text('{"task": "ok"}\nnot json\n')
    result = runner.invoke(
        app, ["batch", str(tasks), "--backend", "openai", "--base-url", "http://127.0.0.1:9/v1"]
    )
    assert result.exit_code == 2
    assert "tasks.jsonl:2: not JSON" in result.output


def test_sigterm_exits_143_with_finished_tasks_on_disk(tmp_path: Path) -> None:
    tasks = write_tasks(tmp_path / "tasks.jsonl", 3)
    out = tmp_path / "out"
    # The first answer is quick; the rest stall, so the batch is mid-flight when it is terminated.
    with FakeProvider("openai", [Reply(), Stall(60)]) as fake:
        env = {
            **os.environ,
            "CODEAGENT_GATES__ENABLE": '["syntax"]',
            "CODEAGENT_TRACKING": "false",
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from burr_codeagent.cli import main; main()",
                *cli_args(fake, tasks, out, concurrency=1),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 120
        while not (out / "results.jsonl").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        while len(fake.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 143, output
    assert "run the same command again to resume" in output
    lines = (out / "results.jsonl").read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["passed"] is True
