"""The tasks of a batch: ``TASKS.jsonl`` read and checked line by line, each task with a stable id."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError

__all__ = ["BatchTask", "as_tasks", "load_tasks", "task_app_id"]

MAX_TASKS_FILE_BYTES = 64 * 1024 * 1024
_NAMESPACE = uuid.UUID("6f1c7f43-5c55-4b8e-9a53-3c8a2b7a5e11")
_KNOWN_KEYS = {"id", "task", "tests", "module"}


@dataclass(frozen=True)
class BatchTask:
    """One task of a batch.

    Attributes:
        id: Unique within the batch; names its results line, reports and saved state. Default: ``task-N``.
        task: The task in plain language.
        tests: Acceptance tests the code must pass (they import the code as ``solution``), or None.
        module: Module name for the code when it is written out with ``--write`` (default: derived from ``id``).
    """

    id: str
    task: str
    tests: str | None = None
    module: str | None = None

    @property
    def slug(self) -> str:
        """A file-name-safe, unique form of :attr:`id`."""
        readable = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.id).strip("._")[:60] or "task"
        return f"{readable}-{hashlib.sha256(self.id.encode()).hexdigest()[:8]}"

    @property
    def module_name(self) -> str:
        """The module name used with ``--write``."""
        if self.module:
            return self.module
        name = re.sub(r"\W+", "_", self.id).strip("_").lower() or "task"
        return name if name[0].isalpha() else f"task_{name}"


def task_app_id(task_id: str, generation: int = 0) -> str:
    """The Burr app id of a task: the same on every rerun, so an interrupted run resumes from its saved steps.

    ``generation`` counts earlier runs of the task that ended without finishing (a provider outage): each gets
    a fresh app id, so the rerun starts over instead of resuming at the end of the failed run.
    """
    name = task_id if generation == 0 else f"{task_id}#{generation}"
    return str(uuid.uuid5(_NAMESPACE, name))


def _task_from(data: Mapping[str, Any], default_id: str, where: str) -> BatchTask:
    unknown = set(data) - _KNOWN_KEYS
    if unknown:
        raise ConfigurationError(
            f"{where}: unknown key(s) {sorted(unknown)}; a task has {sorted(_KNOWN_KEYS)}"
        )
    task = data.get("task")
    if not isinstance(task, str) or not task.strip():
        raise ConfigurationError(f"{where}: `task` must be a non-empty string")
    task_id = data.get("id", default_id)
    if isinstance(task_id, int) and not isinstance(task_id, bool):
        task_id = str(task_id)
    if not isinstance(task_id, str) or not task_id.strip():
        raise ConfigurationError(f"{where}: `id` must be a non-empty string")
    tests = data.get("tests")
    if tests is not None and not isinstance(tests, str):
        raise ConfigurationError(f"{where}: `tests` must be a string of pytest code")
    module = data.get("module")
    if module is not None and (not isinstance(module, str) or not module.isidentifier()):
        raise ConfigurationError(f"{where}: `module` must be a Python identifier, not {module!r}")
    return BatchTask(task_id, task, tests or None, module)


def as_tasks(items: Iterable[str | BatchTask | Mapping[str, Any]]) -> list[BatchTask]:
    """Tasks from strings (ids ``task-1``, ``task-2`` ...), mappings or :class:`BatchTask` objects.

    Raises:
        ConfigurationError: a task is empty or malformed, or two tasks share an id.
    """
    tasks: list[BatchTask] = []
    for number, item in enumerate(items, start=1):
        if isinstance(item, BatchTask):
            tasks.append(item)
        elif isinstance(item, str):
            tasks.append(_task_from({"task": item}, f"task-{number}", f"task {number}"))
        elif isinstance(item, Mapping):
            tasks.append(_task_from(item, f"task-{number}", f"task {number}"))
        else:
            raise ConfigurationError(
                f"task {number}: expected a string or a mapping, not {type(item).__name__}"
            )
    seen: set[str] = set()
    for task in tasks:
        if task.id in seen:
            raise ConfigurationError(f"two tasks have the id {task.id!r}; ids must be unique")
        seen.add(task.id)
    return tasks


def load_tasks(path: Path) -> list[BatchTask]:
    """Read ``path``: one JSON object per line (blank lines and lines starting with ``#`` are skipped).

    Raises:
        ConfigurationError: the file is missing, too large, not UTF-8, empty, or a line is not a valid task (the
            message names the line).
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ConfigurationError(f"cannot read the tasks file {path}: {exc.strerror or exc}") from exc
    if size > MAX_TASKS_FILE_BYTES:
        raise ConfigurationError(f"{path} is {size} bytes; the limit is {MAX_TASKS_FILE_BYTES}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigurationError(
            f"{path} is not UTF-8 text (byte {exc.start}): a tasks file is JSON Lines"
        ) from exc
    items: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(f"{path}:{number}: not JSON ({exc.msg} at column {exc.colno})") from exc
        if not isinstance(data, dict):
            raise ConfigurationError(f'{path}:{number}: expected a JSON object like {{"task": "..."}}')
        items.append(_task_from(data, f"task-{number}", f"{path}:{number}").__dict__)
    if not items:
        raise ConfigurationError(
            f'{path} has no tasks: write one JSON object per line, e.g. {{"task": "..."}}'
        )
    return as_tasks(items)
