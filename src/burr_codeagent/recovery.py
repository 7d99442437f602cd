"""Answers cut off at the output limit are recovered, not lost.

Every backend raises :class:`~burr_codeagent.backends.base.TruncatedResponseError` when the provider stopped at
``max_tokens`` (stop reason ``length`` / ``max_tokens``). Then, instead of spending a whole attempt:

- a first answer (module and tests in one) is asked for in two parts: the module alone, then its tests with the
  module shown; each part needs about half the tokens;
- a retry answer is asked for again as ``edits`` only (search/replace pairs), which are small however large the
  module is.

The tokens of the cut-off answer are still counted. A part that is cut off again fails the attempt as before, with
the reason. Listeners get a ``generation_truncated`` event saying what happened.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import replace
from typing import Any

from pydantic import BaseModel, Field

from .backends.base import (
    BackendError,
    Generation,
    GenerationRequest,
    LLMBackend,
    Message,
    TruncatedResponseError,
)
from .edits import RetryResponse
from .events import AgentEvent, Listener, emit
from .models import PythonCodeGenerationResponse, Usage

__all__ = ["ModuleAnswer", "TestsAnswer", "agenerate_recovering", "generate_recovering"]


class ModuleAnswer(BaseModel):
    """The first part of a split answer: the module without its tests."""

    function_name: str = Field(description="Name of the main function or class the code defines.")
    code: str = Field(description="The complete Python module.")
    explanation: str = Field(description="How the code works and why it is written this way.")
    dependencies: list[str] | None = Field(default=None, description="Third-party distributions, or null.")
    usage_examples: list[str] = Field(default_factory=list, description="Short snippets calling the code.")


class TestsAnswer(BaseModel):
    """The second part of a split answer: the pytest module."""

    __test__ = False  # not a pytest test class

    test_code: str = Field(description="A pytest module that imports the code and asserts behaviour.")


SPLIT_MODULE_NOTE = (
    "\n\nYour previous answer to this was cut off at the output limit of {limit} tokens, so it is answered in two "
    "parts. Now give only the module (function_name, code, explanation, dependencies, usage_examples); its tests "
    "are asked for in the next request."
)
SPLIT_TESTS_NOTE = (
    "\n\nThe module is written (below). Now write only its pytest module, `test_code`, importing it as "
    "`{module}`. It must fit in {limit} tokens: cover normal cases, edge cases and errors with focused tests.\n\n"
    "```python\n{code}\n```"
)
EDITS_ONLY_NOTE = (
    "\n\nYour previous answer was cut off at the output limit of {limit} tokens, so none of it could be used. "
    "Answer with `edits` only: search/replace pairs for the parts that change. Do not resend whole modules."
)

Call = GenerationRequest[Any]
Plan = Generator[Call, Generation[Any], Generation[Any]]


def _with_note(request: Call, note: str, model: type[BaseModel]) -> Call:
    *earlier, last = request.messages
    messages = (*earlier, Message(last.role, last.content + note))
    return replace(request, messages=messages, response_model=model)


def _recover(request: Call, cut: TruncatedResponseError, listeners: Sequence[Listener], attempt: int) -> Plan:
    """Yields the follow-up requests, receives their generations, returns the combined generation."""
    limit = request.max_tokens
    spent: Usage = cut.usage
    if request.response_model is RetryResponse:
        emit(
            listeners, AgentEvent("generation_truncated", attempt, {"max_tokens": limit, "recovery": "edits"})
        )
        again = yield _with_note(request, EDITS_ONLY_NOTE.format(limit=limit), RetryResponse)
        return Generation(again.response, spent + again.usage, again.raw)
    emit(listeners, AgentEvent("generation_truncated", attempt, {"max_tokens": limit, "recovery": "split"}))
    module = yield _with_note(request, SPLIT_MODULE_NOTE.format(limit=limit), ModuleAnswer)
    part: ModuleAnswer = module.response
    note = SPLIT_TESTS_NOTE.format(limit=limit, module="solution", code=part.code)
    tests = yield _with_note(request, note, TestsAnswer)
    response = PythonCodeGenerationResponse(**part.model_dump(), test_code=tests.response.test_code)
    return Generation(response, spent + module.usage + tests.usage, response.model_dump_json())


def _recoverable(request: Call) -> bool:
    return request.purpose == "generation" and request.response_model in (
        PythonCodeGenerationResponse,
        RetryResponse,
    )


def generate_recovering(
    backend: LLMBackend, request: Call, *, listeners: Sequence[Listener] = (), attempt: int | None = None
) -> Generation[Any]:
    """``backend.generate(request)``, recovering an answer cut off at the output limit (see the module docs).

    Raises:
        TruncatedResponseError: a recovery request was cut off too (its usage includes every call).
    """
    try:
        return backend.generate(request)
    except TruncatedResponseError as cut:
        if not _recoverable(request):
            raise
        return _drive(_recover(request, cut, listeners, attempt or 0), backend.generate, cut)


async def agenerate_recovering(
    backend: LLMBackend, request: Call, *, listeners: Sequence[Listener] = (), attempt: int | None = None
) -> Generation[Any]:
    """Async :func:`generate_recovering`."""
    try:
        return await backend.agenerate(request)
    except TruncatedResponseError as cut:
        if not _recoverable(request):
            raise
        plan = _recover(request, cut, listeners, attempt or 0)
        spent = cut.usage
        follow_up = next(plan)
        while True:
            try:
                generation = await backend.agenerate(follow_up)
            except BackendError as again:
                raise _lost(again, spent) from again
            spent = spent + generation.usage
            try:
                follow_up = plan.send(generation)
            except StopIteration as done:
                return _as_generation(done.value)


def _drive(
    plan: Plan, send: Callable[[Call], Generation[Any]], cut: TruncatedResponseError
) -> Generation[Any]:
    spent = cut.usage
    follow_up = next(plan)
    while True:
        try:
            generation = send(follow_up)
        except BackendError as again:
            raise _lost(again, spent) from again
        spent = spent + generation.usage
        try:
            follow_up = plan.send(generation)
        except StopIteration as done:
            return _as_generation(done.value)


def _as_generation(value: object) -> Generation[Any]:
    assert isinstance(value, Generation)
    return value


def _lost(again: BackendError, spent: Usage) -> BackendError:
    """``again`` carrying the usage of every call of the recovery, the cut-off one included."""
    again.usage = spent + again.usage
    return again
