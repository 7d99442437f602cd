"""The shared machinery of the provider backends: instructor for structured output, retries, honest usage.

A provider backend says how to make *one* HTTP call (:meth:`InstructorBackend.send`), how to read its usage and how
to classify its errors. This class wraps that call in the retry policy and a latency timer, hands it to instructor
(generic modes, validation re-asks) and counts the usage of every completion through instructor's
``completion:response`` hook.

The async path (:meth:`InstructorBackend.agenerate`) is native: :meth:`InstructorBackend.asend` awaits the SDK's
async client under instructor's ``AsyncInstructor``, and retry waits are ``asyncio.sleep``, so an agent waiting on
the model holds no thread. A backend without an async SDK (Bedrock's boto3) implements ``asend`` on an executor of
its own, never the event loop's default pool.
"""

from __future__ import annotations

import asyncio
import logging
import time
from abc import abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, cached_property
from typing import Any

from pydantic import ValidationError

from ..models import Usage
from ._accounting import UsageMeter, active_meter
from .base import (
    BackendError,
    Generation,
    GenerationRequest,
    InvalidResponseError,
    LLMBackend,
    M,
    TruncatedResponseError,
)
from .retry import ApiFailure, RetryPolicy, acall_with_retries, call_with_retries

__all__ = ["DEFAULT_REASKS", "InstructorBackend", "MalformedResponseError"]

DEFAULT_REASKS = 2


class MalformedResponseError(Exception):
    """The provider answered with a body the SDK could not parse (retried like a server error)."""


class InstructorBackend(LLMBackend):
    """An :class:`LLMBackend` that gets structured output through instructor.

    Args:
        model: The provider's model id.
        retry: Policy for transient failures (default: 5 retries, 1 s base delay).
        reasks: Validation re-asks instructor may make after the first answer.
    """

    provider: Any
    """The ``instructor.Provider`` whose request/response handlers are used."""
    mode: Any
    """The generic ``instructor.Mode`` (``TOOLS`` or ``JSON_SCHEMA``)."""

    def __init__(self, *, model: str, retry: RetryPolicy | None = None, reasks: int = DEFAULT_REASKS) -> None:
        self.model = model
        self.retry = retry or RetryPolicy()
        self.reasks = reasks

    # -- what a provider implements -----------------------------------------------------------------------------

    @abstractmethod
    def send(self, **kwargs: Any) -> Any:
        """Make one HTTP call with the keyword arguments instructor prepared; return the SDK's response."""

    async def asend(self, **kwargs: Any) -> Any:
        """Async :meth:`send`. Override with the SDK's async client; this default runs :meth:`send` in a thread."""
        return await asyncio.to_thread(self.send, **kwargs)

    @abstractmethod
    def usage_of(self, response: Any) -> Usage:
        """Token usage of one response, input tokens including cached ones."""

    @abstractmethod
    def classify(self, error: BaseException) -> ApiFailure:
        """Whether ``error`` (raised by :meth:`send`) is worth retrying, and how to explain it."""

    @abstractmethod
    def request_kwargs(self, request: GenerationRequest[Any]) -> dict[str, Any]:
        """``messages`` and the other create() arguments for ``request`` (system prompt and caching included)."""

    def answer_text(self, response: Any) -> str | None:
        """The model's answer in ``response`` as text (tool arguments or message content), for reports."""
        return None

    def check_complete(self, response: Any) -> None:
        """Raise :class:`InvalidResponseError` when ``response`` was cut off (instructor checks most providers)."""

    # -- the machinery --------------------------------------------------------------------------------------------

    @cached_property
    def client(self) -> Any:
        """The instructor client around :meth:`_instrumented_send`."""
        import instructor

        _quiet_instructor_retry_log()
        _check_each_model_once()
        create = instructor.patch(create=self._instrumented_send, mode=self.mode, provider=self.provider)
        return instructor.Instructor(client=None, create=create, mode=self.mode, provider=self.provider)

    @cached_property
    def aclient(self) -> Any:
        """The async instructor client around :meth:`_ainstrumented_send`."""
        import instructor
        from instructor.core.client import AsyncInstructor

        _quiet_instructor_retry_log()
        _check_each_model_once()
        create = instructor.patch(create=self._ainstrumented_send, mode=self.mode, provider=self.provider)
        return AsyncInstructor(client=None, create=create, mode=self.mode, provider=self.provider)

    def _instrumented_send(self, **kwargs: Any) -> Any:
        return call_with_retries(
            lambda: self._timed_send(kwargs), backend=self.name, classify=self._classify, policy=self.retry
        )

    async def _ainstrumented_send(self, **kwargs: Any) -> Any:
        async def once() -> Any:
            start = time.perf_counter()
            return self._checked(await self.asend(**kwargs), start)

        return await acall_with_retries(once, backend=self.name, classify=self._classify, policy=self.retry)

    def _classify(self, error: BaseException) -> ApiFailure:
        if isinstance(error, MalformedResponseError):
            return ApiFailure("transient", str(error))
        return self.classify(error)

    def _timed_send(self, kwargs: dict[str, Any]) -> Any:
        start = time.perf_counter()
        return self._checked(self.send(**kwargs), start)

    def _checked(self, response: Any, start: float) -> Any:
        """Count the call's latency and reject garbled or cut-off responses."""
        if isinstance(response, str | bytes):  # the SDKs hand back the raw body when it is not JSON
            snippet = response[:80] if isinstance(response, str) else response[:80].decode("utf-8", "replace")
            raise MalformedResponseError(f"the server sent a body that is not JSON: {snippet!r}")
        meter = active_meter()
        if meter is not None:
            meter.add_latency(time.perf_counter() - start)
        try:
            self.check_complete(response)
        except InvalidResponseError:
            if meter is not None:  # instructor never sees this response, so its hook cannot count it
                meter.add_usage(self.usage_of(response), response)
            raise
        return response

    def generate(self, request: GenerationRequest[M]) -> Generation[M]:
        meter, hooks, kwargs = self._start(request)
        with meter.activate(), self._translated(request, meter):
            parsed = self.client.create(
                response_model=_schema_model(request.response_model),
                max_retries=self.reasks,
                hooks=hooks,
                **kwargs,
            )
        return Generation(parsed, meter.usage, self._raw(meter.last_response) or parsed.model_dump_json())

    async def agenerate(self, request: GenerationRequest[M]) -> Generation[M]:
        meter, hooks, kwargs = self._start(request)
        with meter.activate(), self._translated(request, meter):
            parsed = await self.aclient.create(
                response_model=_schema_model(request.response_model),
                max_retries=self.reasks,
                hooks=hooks,
                **kwargs,
            )
        return Generation(parsed, meter.usage, self._raw(meter.last_response) or parsed.model_dump_json())

    def _start(self, request: GenerationRequest[Any]) -> tuple[UsageMeter, Any, dict[str, Any]]:
        from instructor.core.hooks import Hooks

        meter = UsageMeter()
        hooks = Hooks()
        hooks.on("completion:response", lambda response: meter.add_usage(self.usage_of(response), response))
        return meter, hooks, self.request_kwargs(request)

    @contextmanager
    def _translated(self, request: GenerationRequest[Any], meter: UsageMeter) -> Iterator[None]:
        """Turn instructor's and the SDK's exceptions into :class:`BackendError` with the usage spent."""
        from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException

        try:
            yield
        except IncompleteOutputException as exc:
            raise TruncatedResponseError(
                f"{self.name} backend: the answer was cut off at the output limit ({request.max_tokens} tokens) "
                "before it was complete; raise CODEAGENT_MAX_TOKENS",
                backend=self.name,
                usage=meter.usage,
                raw=self._raw(meter.last_response),
            ) from exc
        except InstructorRetryException as exc:
            error = self._explain(exc, request, meter)
            raise error from (error.__cause__ or exc)
        except BackendError as exc:
            raise _with_usage(exc, meter.usage) from exc.__cause__

    def _raw(self, response: Any) -> str | None:
        if response is None:
            return None
        try:
            return self.answer_text(response)
        except Exception:  # a report detail must never hide the real outcome
            return None

    def _explain(
        self, exc: BaseException, request: GenerationRequest[Any], meter: UsageMeter
    ) -> BackendError:
        backend_error = _find_cause(exc, BackendError)
        if backend_error is not None:
            return _with_usage(backend_error, meter.usage)
        validation = _find_cause(exc, ValidationError)
        calls = meter.usage.api_calls
        if validation is not None:
            first = validation.errors()[0] if validation.errors() else {"loc": (), "msg": str(validation)}
            where = ".".join(str(p) for p in first.get("loc", ())) or "answer"
            detail = f"{validation.error_count()} validation error(s); first: {where}: {first['msg']}"
        else:
            cause = exc.__cause__ or exc
            detail = f"{type(cause).__name__}: {cause}"
        return InvalidResponseError(
            f"{self.name} backend: the answer did not match {request.response_model.__name__} after {calls} "
            f"call(s) ({self.reasks} re-ask(s) allowed): {detail}",
            backend=self.name,
            usage=meter.usage,
            raw=self._raw(meter.last_response),
        )


@cache
def _schema_model(model: type[M]) -> type[M]:
    """``model`` as instructor's response-schema subclass, made once per model.

    Given a plain pydantic model, instructor makes that subclass on every call (``pydantic.create_model``, then a
    JSON schema it caches per class, so never reused): ~3.5 ms of CPU per generation, a tenth of an agent run's
    own CPU in a batch. Given the subclass, it uses it as it is.
    """
    import instructor

    wrapped: type[M] = instructor.openai_schema(model)
    return wrapped


def _check_each_model_once() -> None:
    """Make instructor's ``reject_async_validators`` remember the models it passed.

    instructor checks the response model for async validators (walking its fields and every class in its MRO) seven
    times per call, ~2 ms of CPU per generation, for an answer that depends on the class alone. A model that fails
    the check is not remembered, so it fails every time, as before.
    """
    from instructor.v2.core import patch
    from instructor.v2.validation import async_validators

    check = async_validators.reject_async_validators
    if getattr(check, "remembers_models", False):
        return
    passed: set[Any] = set()

    def reject_async_validators(response_model: Any) -> None:
        try:
            if response_model in passed:
                return
        except TypeError:  # unhashable (a typing construct with a list inside): check every time
            check(response_model)
            return
        check(response_model)
        passed.add(response_model)

    reject_async_validators.remembers_models = True  # type: ignore[attr-defined]
    async_validators.reject_async_validators = reject_async_validators
    setattr(patch, "reject_async_validators", reject_async_validators)  # noqa: B010  # imported by name there


class _DuringOurCalls(logging.Filter):
    """Drops instructor's ERROR lines about calls this module makes: the outcome reaches the user as one clear
    :class:`BackendError` or failed attempt instead of two log lines and a traceback-like message."""

    def filter(self, record: logging.LogRecord) -> bool:
        return active_meter() is None


_FILTER = _DuringOurCalls()


def _quiet_instructor_retry_log() -> None:
    logger = logging.getLogger("instructor.v2.retry")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)


def _find_cause(exc: BaseException, kind: type[Any]) -> Any:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _with_usage(error: BackendError, usage: Usage) -> BackendError:
    """``error`` carrying the usage spent so far."""
    error.usage = usage
    return error
