"""``ScriptedBackend``: a deterministic test double, like httpx's MockTransport.

It plays a list of answers in order, or asks a function ``request -> answer`` for each request, so a test can
answer the review request (``request.purpose == "analysis"``) differently from the generation requests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from pydantic import BaseModel, ValidationError

from ..models import Usage
from .base import Generation, GenerationRequest, InvalidResponseError, LLMBackend, M, Message

__all__ = ["Answer", "Handler", "ScriptExhaustedError", "ScriptedBackend", "ScriptedCall"]

Answer: TypeAlias = BaseModel | dict[str, Any] | BaseException
"""A scripted answer: a model instance, a dict validated against the requested model, or an exception to raise."""
Handler: TypeAlias = Callable[[GenerationRequest[Any]], Answer]
"""A function that answers one request (it sees the messages, ``purpose`` and ``response_model``)."""


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
    """Plays answers in order, or asks a handler for each, and records every request in :attr:`calls`.

    Either a list, one answer per request::

        ScriptedBackend([first_response, {"function_name": "f", ...}, TimeoutError("slow")])

    or a function of the :class:`~burr_codeagent.backends.base.GenerationRequest` (like httpx's ``MockTransport``
    handler), which can tell the review request from the generation requests::

        def answer(request):
            if request.purpose == "analysis":
                return CodeAnalysisResponse(issues=["off by one"], root_causes=[], fixes=[])
            return responses.pop(0)

        ScriptedBackend(answer)

    Args:
        responses: The answers, or the handler. An answer is a pydantic model instance, a dict validated against the
            requested model (an invalid dict behaves like malformed model output: :class:`InvalidResponseError`),
            or an exception instance to raise. An exception the handler raises propagates as it is.
        usage: ``(input_tokens, output_tokens)`` reported for each call.
        model: A model name to show in reports.
    """

    name = "scripted"

    def __init__(
        self,
        responses: Sequence[Answer] | Handler,
        usage: tuple[int, int] = (0, 0),
        model: str = "scripted",
    ) -> None:
        self.handler: Handler | None = responses if callable(responses) else None
        self.responses: list[Answer] = [] if callable(responses) else list(responses)
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
            if self.handler is None and index >= len(self.responses):
                raise ScriptExhaustedError(
                    f"ScriptedBackend has {len(self.responses)} responses; request {index + 1} has none"
                )
            item = self.responses[index] if self.handler is None else None
        if self.handler is not None:  # called outside the lock: a handler may be slow or re-entrant
            item = self.handler(request)
        usage = Usage(input_tokens=self.usage[0], output_tokens=self.usage[1], api_calls=1, latencies=[0.0])
        if isinstance(item, BaseException):
            raise item
        if not isinstance(item, BaseModel | dict):
            raise TypeError(
                f"ScriptedBackend's answer {index + 1} is a {type(item).__name__}; "
                "answer with a pydantic model, a dict or an exception"
            )
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
