"""One line of a batch's ``results.jsonl``, and the file itself: appended as each task finishes, read on rerun."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, computed_field

from ..models import AgentResult

__all__ = ["ResultsFile", "TaskOutcome"]


class TaskOutcome(BaseModel):
    """What became of one task: the line written to ``results.jsonl``.

    ``result`` (the full :class:`AgentResult`) is kept in memory for API callers and never written to the file.
    """

    id: str
    app_id: str
    passed: bool = False
    attempts: int = 0
    stop_reason: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cost_usd: float | None = None
    seconds: float = 0.0
    report_paths: dict[str, str] = Field(default_factory=dict)
    written: list[str] = Field(default_factory=list, description="Files written with --write.")
    error: str | None = Field(default=None, description="Why the task could not run, if it could not.")
    result: AgentResult | None = Field(default=None, exclude=True)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unverified(self) -> bool:
        """The run ended because a gate could not run (neither passed nor failed: a rerun checks it again)."""
        return self.stop_reason.startswith("unverified")

    @property
    def finished(self) -> bool:
        """Whether a rerun skips this task (a provider failure, an unverified check or an error is worth another
        try)."""
        retry = ("backend_error", "interrupted", "unverified")
        return self.error is None and not self.stop_reason.startswith(retry)

    @classmethod
    def from_result(cls, task_id: str, result: AgentResult, seconds: float) -> TaskOutcome:
        """The outcome of a run that finished (passed or not)."""
        metrics = result.metrics
        return cls(
            id=task_id,
            app_id=result.app_id,
            passed=result.passed,
            attempts=len(result.attempts),
            stop_reason=result.stop_reason,
            input_tokens=metrics.input_tokens,
            output_tokens=metrics.output_tokens,
            total_tokens=metrics.total_tokens,
            cost_usd=metrics.estimated_cost_usd,
            seconds=round(seconds, 3),
            report_paths={name: str(path) for name, path in result.report_paths.items()},
            result=result,
        )


class ResultsFile:
    """``results.jsonl``: one :class:`TaskOutcome` per line, flushed to disk as each task finishes.

    A rerun reads it back; the last line of a task wins (a task retried after a provider outage has two).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._written = 0  # lines written so far
        self._synced = 0  # lines made durable so far

    def read(self) -> dict[str, TaskOutcome]:
        """The latest outcome of every task in the file; a torn line (a kill mid-write) is ignored."""
        return {outcome.id: outcome for outcome in self._lines()}

    def failed_runs(self) -> dict[str, int]:
        """How many earlier runs of each task ended without finishing (each rerun gets a fresh app id)."""
        counts: dict[str, int] = {}
        for outcome in self._lines():
            if not outcome.finished:
                counts[outcome.id] = counts.get(outcome.id, 0) + 1
        return counts

    def _lines(self) -> list[TaskOutcome]:
        if not self.path.exists():
            return []
        outcomes = []
        for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                outcomes.append(TaskOutcome.model_validate(json.loads(line)))
            except (json.JSONDecodeError, ValidationError):
                continue
        return outcomes

    def append(self, outcome: TaskOutcome) -> None:
        """Write ``outcome`` as one line and make it durable before returning.

        Safe from many threads at once, and one ``fsync`` makes every line written before it durable: when
        tasks finish together, each waits for at most one ``fsync`` after its write, not for one per line
        written ahead of it (~5 ms each on a busy disk).
        """
        line = (outcome.model_dump_json() + "\n").encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a+b") as handle:
                size = handle.seek(0, os.SEEK_END)
                if size > 0:
                    handle.seek(size - 1)
                    if handle.read(1) != b"\n":  # a line torn by a kill: end it so this one stays whole
                        line = b"\n" + line
                handle.write(line)
            self._written += 1
            mine = self._written
        with self._sync_lock:
            if self._synced >= mine:  # an fsync that began after this line was written covered it
                return
            with self._lock:
                covered = self._written
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
            self._synced = covered
