"""A batch's jobs: where each task keeps its state and reports, and how one task runs in this process."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import AgentConfig
from .outcome import TaskOutcome
from .tasks import BatchTask

if TYPE_CHECKING:
    from ..agent import CodeAgent

__all__ = ["BatchJob", "BatchLayout", "run_job", "write_code"]


@dataclass(frozen=True)
class BatchLayout:
    """Where a batch keeps its results, saved state and reports."""

    root: Path

    @property
    def results(self) -> Path:
        return self.root / "results.jsonl"

    @property
    def store(self) -> Path:
        """The SQLite file holding every task's saved steps, under the task's app id."""
        return self.root / "state.sqlite"

    def state(self, task: BatchTask) -> Path:
        """A SQLite file of the task's own: the ``ray`` executor's layout, and every executor's in earlier releases."""
        return self.root / "state" / f"{task.slug}.sqlite"

    def persistence(self, task: BatchTask) -> Path:
        """Where ``task``'s steps are saved and found: its own file if it has one (a batch started by the ``ray``
        executor or an earlier version, which a rerun resumes from there), else the batch's :attr:`store`."""
        own = self.state(task)
        return own if own.exists() else self.store

    def reports(self, task: BatchTask) -> Path:
        return self.root / "reports" / task.slug


@dataclass(frozen=True)
class BatchJob:
    """A task to run now: its Burr app id and the configuration it runs with (persistence and reports per task)."""

    task: BatchTask
    app_id: str
    config: AgentConfig


async def run_job(agent: CodeAgent, job: BatchJob) -> TaskOutcome:
    """Run one job in this process; a failure of the task becomes its outcome, never an exception."""
    start = time.perf_counter()
    try:
        result = await agent.with_config(job.config).arun(
            job.task.task, acceptance_tests=job.task.tests, app_id=job.app_id
        )
    except Exception as exc:  # one task's failure must not take the batch down
        return TaskOutcome(
            id=job.task.id,
            app_id=job.app_id,
            stop_reason="error",
            error=f"{type(exc).__name__}: {exc}",
            seconds=round(time.perf_counter() - start, 3),
        )
    return TaskOutcome.from_result(job.task.id, result, time.perf_counter() - start)


def write_code(task: BatchTask, outcome: TaskOutcome, write_dir: Path) -> list[str]:
    """Write a passing task's code and tests as ``<module>.py`` and ``test_<module>.py`` in ``write_dir``."""
    result = outcome.result
    if not outcome.passed or result is None or not result.code:
        return []
    write_dir.mkdir(parents=True, exist_ok=True)
    module = task.module_name
    code_path = write_dir / f"{module}.py"
    code_path.write_text(result.code, encoding="utf-8")
    written = [str(code_path)]
    if result.test_code:
        tests = result.test_code.replace("from solution import", f"from {module} import")
        tests = tests.replace("import solution\n", f"import {module} as solution\n")
        test_path = write_dir / f"test_{module}.py"
        test_path.write_text(tests, encoding="utf-8")
        written.append(str(test_path))
    return written
