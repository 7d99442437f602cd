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

    def state(self, task: BatchTask) -> Path:
        return self.root / "state" / f"{task.slug}.sqlite"

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
