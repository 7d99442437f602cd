"""``ScriptedBackend``: a deterministic test double that plays responses in order, like httpx's MockTransport."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from ..models import Usage
from .base import Generation, GenerationRequest, InvalidResponseError, LLMBackend, M, Message

__all__ = ["ScriptExhaustedError", "ScriptedBackend", "ScriptedCall"]


class ScriptExhaustedError(IndexError):
    """More requests arrived than the script has responses."""


@dataclass(frozen=True)
class ScriptedCall:
    """One request the scripted backend received."""

    system: str
    messages: tuple[Message, ...]
    response_model: type[BaseModel]
    purpose: str

    @property
    def prompt(self) -> str:
        """The last user message: the prompt of this request."""
        return next((m.content for m in reversed(self.messages) if m.role == "user"), "")


class ScriptedBackend(LLMBackend):
    """Plays responses, dicts or exceptions in order and records every request in :attr:`calls`.

    Args:
        responses: One entry per request: a pydantic model instance, a dict validated against the requested model
            (invalid dicts behave like malformed model output), or an exception instance to raise.
        usage: ``(input_tokens, output_tokens)`` reported for each call.
        model: A model name to show in reports.
    """

    name = "scripted"

    def __init__(
        self,
        responses: Sequence[BaseModel | dict[str, Any] | BaseException],
        usage: tuple[int, int] = (0, 0),
        model: str = "scripted",
    ) -> None:
        self.responses = list(responses)
        self.usage = usage
        self.model = model
        self.calls: list[ScriptedCall] = []
        self._lock = threading.Lock()

    def generate(self, request: GenerationRequest[M]) -> Generation[M]:
        with self._lock:
            index = len(self.calls)
            self.calls.append(
                ScriptedCall(request.system, request.messages, request.response_model, request.purpose)
            )
            if index >= len(self.responses):
                raise ScriptExhaustedError(
                    f"ScriptedBackend has {len(self.responses)} responses; request {index + 1} has none"
                )
            item = self.responses[index]
        usage = Usage(input_tokens=self.usage[0], output_tokens=self.usage[1], api_calls=1, latencies=[0.0])
        if isinstance(item, BaseException):
            raise item
        if isinstance(item, request.response_model):
            return Generation(item, usage, item.model_dump_json())
        data = item.model_dump() if isinstance(item, BaseModel) else item
        try:
            parsed = request.response_model.model_validate(data)
        except ValidationError as exc:
            raise InvalidResponseError(
                f"response {index + 1} does not match {request.response_model.__name__}: "
                f"{exc.error_count()} validation error(s); first: {exc.errors()[0]['msg']}",
                backend=self.name,
                usage=usage,
                raw=str(data),
            ) from exc
        return Generation(parsed, usage, parsed.model_dump_json())

    async def agenerate(self, request: GenerationRequest[M]) -> Generation[M]:
        return self.generate(request)
