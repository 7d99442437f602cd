"""A batch keeps every task's saved steps in one SQLite file; a batch begun with a file per task still resumes."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from burr_codeagent import CodeAgent
from burr_codeagent.backends.base import GenerationRequest
from burr_codeagent.batch import BatchLayout, BatchTask, task_app_id
from burr_codeagent.persistence import open_persister

from ..conftest import broken, make_response
from .backends import Answer, ChoosingBackend
from .test_processes import config_for

SLOW = BatchTask(id="slow", task="Write factorial slowly")


def saved(state: Path) -> dict[str, list[str]]:
    """Each app id in ``state`` with the steps saved for it."""
    with contextlib.closing(sqlite3.connect(state)) as connection:
        rows = connection.execute("SELECT app_id, position FROM codeagent_runs ORDER BY sequence_id")
        steps: dict[str, list[str]] = {}
        for app_id, position in rows:
            steps.setdefault(app_id, []).append(position)
        return steps


class StallsOnTheSecondTry(ChoosingBackend):
    """Attempt 1 of the slow task is broken code; its second generation waits until the run is cancelled."""

    def __init__(self) -> None:
        super().__init__(self.choose)
        self.second_attempt = asyncio.Event()

    @staticmethod
    def choose(request: GenerationRequest[Any], seen: int) -> Answer:
        return broken(1) if "slowly" in request.messages[0].content and seen == 0 else make_response()

    async def agenerate(self, request: GenerationRequest[Any]) -> Any:
        if "slowly" in request.messages[0].content and self.calls_for("slowly") == 1:
            self.second_attempt.set()
            await asyncio.Event().wait()
        return await super().agenerate(request)


def test_every_task_of_a_batch_is_saved_in_one_file(tmp_path: Path) -> None:
    tasks = [{"id": f"t{n}", "task": f"Write factorial, variant {n}"} for n in range(5)]
    out = tmp_path / "batch"
    backend = ChoosingBackend(lambda request, seen: make_response())
    outcomes = CodeAgent(config_for(tmp_path), backend=backend).run_many(tasks, concurrency=5, output_dir=out)

    assert all(o.passed for o in outcomes)
    steps = saved(BatchLayout(out).store)
    assert set(steps) == {task_app_id(f"t{n}") for n in range(5)}
    assert all(positions == ["code_generator", "code_checker", "end"] for positions in steps.values())
    assert not (out / "state").exists()


async def test_a_batch_begun_with_a_file_per_task_resumes_from_it(tmp_path: Path) -> None:
    """An earlier release (and the ray executor) saved each task in ``state/<task>.sqlite``."""
    out = tmp_path / "batch"
    own_file = BatchLayout(out).state(SLOW)
    earlier = config_for(tmp_path).model_copy(update={"persistence": own_file})
    backend = StallsOnTheSecondTry()
    run = asyncio.create_task(
        CodeAgent(earlier, backend=backend).arun(SLOW.task, app_id=task_app_id(SLOW.id))
    )
    await asyncio.wait_for(backend.second_attempt.wait(), 60)
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert saved(own_file)[task_app_id(SLOW.id)] == ["code_generator", "code_checker"]

    healed = ChoosingBackend(lambda request, seen: make_response())
    outcomes = await CodeAgent(config_for(tmp_path), backend=healed).arun_many([SLOW], output_dir=out)
    assert outcomes[0].passed and outcomes[0].attempts == 2
    assert len(healed.prompts) == 1  # attempt 1 came from the task's own file
    assert saved(own_file)[task_app_id(SLOW.id)][-1] == "end"
    assert task_app_id(SLOW.id) not in saved(BatchLayout(out).store)


def test_runs_on_one_file_share_one_persister_while_one_holds_it(tmp_path: Path) -> None:
    first = open_persister(tmp_path / "runs.sqlite")
    assert open_persister(tmp_path / "runs.sqlite") is first
    assert open_persister(tmp_path / "other.sqlite") is not first


async def test_a_step_waiting_to_be_saved_does_not_hold_up_the_event_loop(tmp_path: Path) -> None:
    """Another process writing to the same file (a batch's workers do) makes a save wait for SQLite's write lock;
    the other runs on the loop go on meanwhile, and the step is still saved before the run goes on."""
    path = tmp_path / "runs.sqlite"
    config = config_for(tmp_path).model_copy(update={"persistence": path})
    holder = open_persister(path)  # the file and its table exist before the other writer locks it
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # the other writer holds the write lock ...
    asyncio.get_running_loop().call_later(0.6, other.execute, "COMMIT")  # ... for 0.6 s

    gaps: list[float] = []

    async def tick() -> None:
        last = asyncio.get_running_loop().time()
        while True:
            await asyncio.sleep(0.01)
            now = asyncio.get_running_loop().time()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    backend = ChoosingBackend(lambda request, seen: make_response())
    result = await CodeAgent(config, backend=backend).arun("Write factorial", app_id="busy")
    ticker.cancel()
    other.close()

    assert result.passed
    assert saved(path)["busy"] == ["code_generator", "code_checker", "end"]
    assert max(gaps) < 0.3  # the loop was never held for the lock's 0.6 s
    del holder
