"""A backend plugin with one setting: ``canned`` answers every request from a JSON file of prepared answers.

Useful for demos and for trying gates without a model::

    CODEAGENT_BACKEND_OPTIONS__CANNED__ANSWERS=answers.json \\
        codeagent --plugin examples/plugins/canned_backend.py run "Write factorial" --backend canned

The file holds a list of answers (objects with the fields of the requested model); they are played in order and
the last one repeats.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from burr_codeagent import hookimpl
from burr_codeagent.backends import (
    BackendFactory,
    BackendFactoryBase,
    BackendNotConfiguredError,
    Generation,
    GenerationRequest,
    InvalidResponseError,
    LLMBackend,
)
from burr_codeagent.backends.base import M
from burr_codeagent.plugin_settings import Setting

if TYPE_CHECKING:
    from burr_codeagent import AgentConfig


class CannedBackend(LLMBackend):
    """Plays prepared answers in order; the last one repeats."""

    name = "canned"

    def __init__(self, answers: list[dict[str, Any]]) -> None:
        self.answers = answers
        self.model = "canned"
        self._next = 0
        self._lock = threading.Lock()

    def generate(self, request: GenerationRequest[M]) -> Generation[M]:
        with self._lock:
            answer = self.answers[min(self._next, len(self.answers) - 1)]
            self._next += 1
        try:
            return Generation(request.response_model.model_validate(answer), raw=json.dumps(answer))
        except ValidationError as exc:
            raise InvalidResponseError(
                f"canned answer {self._next} is not a valid answer: {exc}", backend=self.name
            ) from exc


class CannedFactory(BackendFactoryBase):
    """Builds the ``canned`` backend from its ``answers`` setting."""

    name = "canned"
    description = "Prepared answers from a JSON file (backend_options.canned.answers); no model involved."
    settings = (Setting("answers", Path | None, None, "JSON file with a list of prepared answers."),)

    def missing(self, config: AgentConfig) -> list[str]:
        answers = self.options(config)["answers"]
        if answers is None:
            return [
                "a file of answers: set backend_options.canned.answers (CODEAGENT_BACKEND_OPTIONS__CANNED__ANSWERS)"
            ]
        if not answers.is_file():
            return [f"the answers file {answers} does not exist"]
        return []

    def create(self, config: AgentConfig) -> LLMBackend:
        problems = self.missing(config)
        if problems:
            raise BackendNotConfiguredError(
                "canned is not configured: " + "; ".join(problems), backend=self.name
            )
        answers = json.loads(self.options(config)["answers"].read_text(encoding="utf-8"))
        if not isinstance(answers, list) or not answers or not all(isinstance(a, dict) for a in answers):
            raise BackendNotConfiguredError(
                "canned: the answers file must hold a non-empty list of objects", backend=self.name
            )
        return CannedBackend(answers)


@hookimpl
def register_backends(register: Callable[[BackendFactory], None]) -> None:
    """Register the ``canned`` backend."""
    register(CannedFactory())
