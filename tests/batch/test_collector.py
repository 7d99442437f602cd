"""While a batch runs, what the process held before it is out of the collector's walks; afterwards it is back."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.batch import BatchTask, TaskOutcome

from ..conftest import make_response
from .backends import ChoosingBackend

TASKS = [{"id": f"t{n}", "task": f"Write factorial, variant {n}"} for n in range(3)]


class Cycle:
    """An object in a reference cycle: only the collector frees it."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def nothing_frozen() -> Iterator[None]:
    gc.unfreeze()  # another test's in-process command may have frozen the test process
    yield
    gc.unfreeze()


def agent_for(tmp_path: Path) -> CodeAgent:
    config = AgentConfig(
        storage_dir=tmp_path / "burr",
        output_dir=tmp_path / "reports",
        gates={"enable": ["syntax"]},
        tracking=False,
    )
    return CodeAgent(config, backend=ChoosingBackend(lambda request, seen: make_response()))


@pytest.mark.usefixtures("nothing_frozen")
def test_objects_from_before_the_batch_are_frozen_while_it_runs_and_collected_after(tmp_path: Path) -> None:
    before = Cycle()
    before_ref = weakref.ref(before)
    seen: dict[str, Any] = {}

    def listener(event: str, task: BatchTask, outcome: TaskOutcome | None) -> None:
        if event != "finished" or seen:
            return
        seen["frozen"] = gc.get_freeze_count()
        during = Cycle()
        during_ref = weakref.ref(during)
        del during
        gc.collect()
        seen["own garbage collected"] = during_ref() is None
        gc.collect()
        seen["older garbage collected"] = before_ref() is None

    older = before
    del before
    outcomes = agent_for(tmp_path).run_many(
        TASKS, concurrency=2, output_dir=tmp_path / "out", listener=listener
    )
    assert all(o.passed for o in outcomes)
    assert seen["frozen"] > 10_000  # the imports' objects, among them the Cycle made before the batch
    assert seen["own garbage collected"] is True
    del older
    assert seen["older garbage collected"] is False  # frozen: the batch's collections do not walk it
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert before_ref() is None  # back in the collector's care once the batch ended


@pytest.mark.usefixtures("nothing_frozen")
def test_a_process_that_froze_before_the_batch_keeps_its_freeze(tmp_path: Path) -> None:
    gc.freeze()
    agent_for(tmp_path).run_many(TASKS, concurrency=2, output_dir=tmp_path / "out")
    assert gc.get_freeze_count() > 0


@pytest.mark.usefixtures("nothing_frozen")
def test_a_freeze_made_while_the_batch_ran_is_kept(tmp_path: Path) -> None:
    def listener(event: str, task: BatchTask, outcome: TaskOutcome | None) -> None:
        if event == "finished":
            gc.freeze()  # what `codeagent batch` does after its first task

    agent_for(tmp_path).run_many(TASKS, concurrency=2, output_dir=tmp_path / "out", listener=listener)
    assert gc.get_freeze_count() > 0
