"""Steps of many runs that arrive together are saved together: the same rows as Burr's own save, each on disk
before its run goes on, and a step that cannot be saved fails its own run only."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from burr.core import State
from burr.core.action import Action
from burr.core.persistence import SQLitePersister

from burr_codeagent.persistence import SavedOnWriterThread, open_persister

COLUMNS = "partition_key, app_id, sequence_id, position, state, status"


def step(name: str) -> Action:
    """The hook reads only the step's name."""
    return SimpleNamespace(name=name)  # type: ignore[return-value]


def unserialisable() -> State[Any]:
    """A state Burr cannot serialise (its save raises too)."""
    loop: list[Any] = []
    loop.append(loop)
    return State({"loop": loop})


def rows(path: Path, table: str) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return list(connection.execute(f"SELECT {COLUMNS} FROM {table} ORDER BY app_id, sequence_id"))


def state_of(n: int) -> State[Any]:
    return State(
        {"code": f"def f():\n    return {n}\n", "attempt": n, "passed": n % 2 == 0, "nested": {"n": [n]}}
    )


async def save_all(persister: SQLitePersister, states: dict[str, State[Any]]) -> list[Any]:
    hook = SavedOnWriterThread(persister)

    async def one(app_id: str, state: State[Any]) -> None:
        await hook.post_run_step(
            app_id=app_id,
            partition_key=None,
            sequence_id=1,
            state=state,
            action=step("code_generator"),
            result={},
            exception=None,
        )

    return await asyncio.gather(
        *(one(app_id, state) for app_id, state in states.items()), return_exceptions=True
    )


async def test_steps_saved_together_are_the_rows_burr_writes_and_load_back(tmp_path: Path) -> None:
    states = {f"run-{n:02d}": state_of(n) for n in range(60)}
    persister = open_persister(tmp_path / "runs.sqlite")
    assert await save_all(persister, states) == [None] * 60

    stock = SQLitePersister(db_path=str(tmp_path / "stock.sqlite"), table_name="codeagent_runs")
    stock.initialize()  # type: ignore[no-untyped-call]
    for app_id, state in states.items():
        stock.save(None, app_id, 1, "code_generator", state, "completed")  # type: ignore[no-untyped-call]

    assert rows(tmp_path / "runs.sqlite", "codeagent_runs") == rows(
        tmp_path / "stock.sqlite", "codeagent_runs"
    )
    for app_id, state in states.items():
        loaded = persister.load("", app_id)  # type: ignore[no-untyped-call]
        assert loaded is not None
        assert loaded["state"].get_all() == state.get_all()
        assert loaded["position"] == "code_generator"


async def test_a_step_that_cannot_be_saved_fails_its_own_run_only(tmp_path: Path) -> None:
    states = {f"run-{n:02d}": state_of(n) for n in range(10)}
    states["run-bad"] = unserialisable()
    persister = open_persister(tmp_path / "runs.sqlite")

    outcomes = dict(zip(states, await save_all(persister, states), strict=True))

    assert isinstance(outcomes.pop("run-bad"), ValueError)
    assert set(outcomes.values()) == {None}
    assert [row[1] for row in rows(tmp_path / "runs.sqlite", "codeagent_runs")] == sorted(outcomes)


def test_stock_save_raises_on_a_state_that_is_not_json(tmp_path: Path) -> None:
    stock = SQLitePersister(db_path=str(tmp_path / "stock.sqlite"), table_name="codeagent_runs")
    stock.initialize()  # type: ignore[no-untyped-call]
    with pytest.raises(ValueError):
        stock.save(None, "run", 1, "code_generator", unserialisable(), "completed")  # type: ignore[no-untyped-call]


async def test_steps_waiting_for_the_writer_are_committed_together(tmp_path: Path) -> None:
    """While the file is busy (here: its lock held), the steps of 60 runs queue up; they are then written in one
    commit, not 60 (each commit appends its own frames to the write-ahead log)."""
    persister = open_persister(tmp_path / "runs.sqlite")
    connection = persister.connection  # type: ignore[has-type]
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    states = {f"run-{n:02d}": state_of(n) for n in range(60)}
    with persister._lock:  # type: ignore[attr-defined]
        saving = asyncio.ensure_future(save_all(persister, states))
        await asyncio.sleep(0.2)  # every step handed to the writer, which waits for the file
    assert await saving == [None] * 60

    with contextlib.closing(sqlite3.connect(tmp_path / "runs.sqlite")) as other:
        _, frames, _ = other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert frames < 20
    assert len(rows(tmp_path / "runs.sqlite", "codeagent_runs")) == 60
