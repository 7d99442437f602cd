"""Batches of tasks: ``CodeAgent.run_many`` / ``arun_many`` and ``codeagent batch TASKS.jsonl``."""

from __future__ import annotations

from .jobs import BatchJob, BatchLayout
from .outcome import ResultsFile, TaskOutcome
from .runner import BatchListener, ExecutorName, arun_batch
from .tasks import BatchTask, as_tasks, load_tasks, task_app_id

__all__ = [
    "BatchJob",
    "BatchLayout",
    "BatchListener",
    "BatchTask",
    "ExecutorName",
    "ResultsFile",
    "TaskOutcome",
    "arun_batch",
    "as_tasks",
    "load_tasks",
    "task_app_id",
]
