"""``executor="processes"``: the batch spread over worker processes, with the results, persistence and resume of
the ``local`` executor."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.backends.base import GenerationRequest
from burr_codeagent.batch import ResultsFile, task_app_id
from burr_codeagent.errors import ConfigurationError
from burr_codeagent.sandbox import sandbox_slots

from ..conftest import GOOD_CODE, broken, make_response
from .backends import Answer, ChoosingBackend
from .test_run_many import TASKS, good_unless_outage, lines


def config_for(tmp_path: Path) -> AgentConfig:
    return AgentConfig(
        storage_dir=tmp_path / "burr",
        output_dir=tmp_path / "reports",
        gates={"enable": ["syntax"]},
        tracking=False,
    )


def signed_by_the_worker(request: GenerationRequest[Any], seen: int) -> Answer:
    """Good code naming the process that answered, so the test can see where each task ran."""
    answer = good_unless_outage(request, seen)
    if isinstance(answer, BaseException):
        return answer
    signature = f"# answered by process {os.getpid()} with {sandbox_slots()} sandbox slots"
    return make_response(code=f"{GOOD_CODE}\n{signature}\n")


def dies_on_the_second_task(request: GenerationRequest[Any], seen: int) -> Answer:
    if "variant two" in request.messages[0].content:
        os._exit(17)  # the worker process dies mid-task, as if killed
    return make_response()


def always_good(request: GenerationRequest[Any], seen: int) -> Answer:
    return make_response()


def test_tasks_run_in_worker_processes_and_land_like_local_ones(tmp_path: Path) -> None:
    out = tmp_path / "batch"
    agent = CodeAgent(config_for(tmp_path), backend=ChoosingBackend(signed_by_the_worker))
    outcomes = agent.run_many(TASKS, concurrency=4, output_dir=out, executor="processes")

    assert [o.id for o in outcomes] == ["fact-1", "fact-2", "fact-3", "outage"]
    assert [o.passed for o in outcomes] == [True, True, True, False]
    assert outcomes[3].stop_reason.startswith("backend_error")
    signatures = {
        re.findall(r"process (\d+) with (\d+) sandbox", o.result.code)[0] for o in outcomes[:3] if o.result
    }
    workers = {int(pid) for pid, _ in signatures}
    assert os.getpid() not in workers
    assert len(workers) == min(os.cpu_count() or 1, 4)
    # The workers share the sandbox slots this process allows: together no more sandboxes than before.
    assert {int(slots) for _, slots in signatures} == {max(1, sandbox_slots() // len(workers))}
    recorded = {line["id"]: line for line in lines(out / "results.jsonl")}
    assert set(recorded) == {"fact-1", "fact-2", "fact-3", "outage"}
    assert recorded["fact-1"]["app_id"] == task_app_id("fact-1")
    # Every task's saved steps, where a rerun finds them: one file for the batch, written by every worker.
    assert not (out / "state").exists()
    assert saved_apps(out / "state.sqlite") == {task_app_id(t["id"]) for t in TASKS}
    assert all(Path(path).exists() for path in recorded["fact-2"]["report_paths"].values())

    rerun = ChoosingBackend(always_good)
    again = CodeAgent(config_for(tmp_path), backend=rerun).run_many(
        TASKS, output_dir=out, executor="processes"
    )
    assert [o.passed for o in again] == [
        True,
        True,
        True,
        True,
    ]  # the outage ran again, the others were skipped
    assert [o.result is not None for o in again] == [False, False, False, True]


def test_a_worker_that_dies_fails_its_unfinished_tasks_and_a_rerun_runs_them(tmp_path: Path) -> None:
    out = tmp_path / "batch"
    tasks = TASKS[:3]
    agent = CodeAgent(config_for(tmp_path), backend=ChoosingBackend(dies_on_the_second_task))
    outcomes = {o.id: o for o in agent.run_many(tasks, concurrency=1, output_dir=out, executor="processes")}

    assert outcomes["fact-2"].stop_reason == "error"
    assert "exited (exit code 17)" in (outcomes["fact-2"].error or "")
    assert outcomes["fact-1"].passed or outcomes["fact-1"].error  # on the dead worker or another one
    assert set(ResultsFile(out / "results.jsonl").read()) == {"fact-1", "fact-2", "fact-3"}

    rerun = CodeAgent(config_for(tmp_path), backend=ChoosingBackend(always_good))
    again = rerun.run_many(tasks, output_dir=out, executor="processes")
    assert [o.passed for o in again] == [True, True, True]


def test_a_backend_that_cannot_be_sent_to_the_workers_is_a_clear_error(tmp_path: Path) -> None:
    agent = CodeAgent(config_for(tmp_path), backend=ChoosingBackend(lambda request, seen: make_response()))
    with pytest.raises(ConfigurationError, match="cannot be sent to worker processes"):
        agent.run_many(TASKS[:2], output_dir=tmp_path / "batch", executor="processes")


class StallsOnTheSecondTry(ChoosingBackend):
    """Attempt 1 of the "slow" task is broken code; its second generation never returns."""

    async def agenerate(self, request: GenerationRequest[Any]) -> Any:
        if "slowly" in request.messages[0].content and self.calls_for("slowly") == 1:
            await asyncio.sleep(3600)  # the batch is cancelled while this call is in flight
        return await super().agenerate(request)


def broken_first_time(request: GenerationRequest[Any], seen: int) -> Answer:
    return broken(1) if "slowly" in request.messages[0].content and seen == 0 else make_response()


def saved_steps(state: Path, app_id: str) -> list[str]:
    with contextlib.closing(sqlite3.connect(state)) as connection:
        rows = connection.execute(
            "SELECT position FROM codeagent_runs WHERE app_id = ? ORDER BY sequence_id", (app_id,)
        )
        return [row[0] for row in rows]


def saved_apps(state: Path) -> set[str]:
    with contextlib.closing(sqlite3.connect(state)) as connection:
        return {row[0] for row in connection.execute("SELECT DISTINCT app_id FROM codeagent_runs")}


async def test_a_cancelled_batch_keeps_finished_tasks_and_the_rerun_resumes_the_interrupted_one(
    tmp_path: Path,
) -> None:
    tasks = [
        {"id": "quick", "task": "Write factorial quickly"},
        {"id": "slow", "task": "Write factorial slowly"},
    ]
    out = tmp_path / "batch"
    agent = CodeAgent(config_for(tmp_path), backend=StallsOnTheSecondTry(broken_first_time))
    batch = asyncio.create_task(agent.arun_many(tasks, concurrency=2, output_dir=out, executor="processes"))
    state = out / "state.sqlite"
    for _ in range(1200):
        finished = "quick" in ResultsFile(out / "results.jsonl").read()
        if finished and state.exists() and "code_checker" in saved_steps(state, task_app_id("slow")):
            break
        await asyncio.sleep(0.05)
    batch.cancel()
    with pytest.raises(asyncio.CancelledError):
        await batch
    assert set(ResultsFile(out / "results.jsonl").read()) == {"quick"}

    resumed_backend = ChoosingBackend(always_good)
    outcomes = await CodeAgent(config_for(tmp_path), backend=resumed_backend).arun_many(tasks, output_dir=out)
    assert [o.passed for o in outcomes] == [True, True]
    assert len(resumed_backend.prompts) == 1  # attempt 1 of "slow" came from its saved state
    assert outcomes[1].attempts == 2
