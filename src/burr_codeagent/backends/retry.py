"""Retries of transient provider failures: exponential backoff with jitter that honours ``Retry-After``.

The SDKs' own hidden retries are switched off (``max_retries=0``, botocore ``max_attempts=1``) so this policy is the
only one that runs, and every HTTP request the provider saw is one call here. A failure is first *classified*
(:class:`ApiFailure`): transient ones (throttling, 429, 529, 5xx, timeouts, lost connections, garbled bodies) are
retried; authentication, missing-model and bad-request failures are not, and their message says what to fix.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, TypeVar

from .base import BackendError

if TYPE_CHECKING:
    from ..config import AgentConfig

__all__ = [
    "ApiFailure",
    "FailureKind",
    "RetryPolicy",
    "acall_with_retries",
    "call_with_retries",
    "parse_retry_after",
]

log = logging.getLogger(__name__)

T = TypeVar("T")
FailureKind = Literal["transient", "auth", "not_found", "bad_request", "fatal"]


@dataclass(frozen=True)
class ApiFailure:
    """What went wrong with one provider call, in words a user can act on.

    Attributes:
        kind: ``transient`` failures are retried; every other kind fails at once.
        cause: What happened, e.g. ``HTTP 429 Too Many Requests`` or ``ThrottlingException: Rate exceeded``.
        retry_after: Seconds the server asked us to wait, if it said.
        hint: What the user should change (for non-transient failures).
    """

    kind: FailureKind
    cause: str
    retry_after: float | None = None
    hint: str = ""

    @property
    def retryable(self) -> bool:
        """Whether another attempt may succeed."""
        return self.kind == "transient"

    def to_error(self, backend: str, attempts: int) -> BackendError:
        """The :class:`BackendError` a user sees once this failure is final."""
        if self.retryable:
            tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
            message = f"{backend} backend: {self.cause} (gave up after {tries}; raise CODEAGENT_API_MAX_RETRIES to wait longer)"
        else:
            label = {
                "auth": "authentication failed",
                "not_found": "model or endpoint not found",
                "bad_request": "the request was rejected",
                "fatal": "request failed",
            }[self.kind]
            message = f"{backend} backend: {label}: {self.cause}"
            if self.hint:
                message += f". {self.hint}"
        return BackendError(message, backend=backend, retryable=self.retryable)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter for transient failures.

    The n-th retry (0-based) waits a random time between half and all of ``base_delay * 2**n`` (capped at
    ``max_delay``), and never less than the server's ``Retry-After`` (also capped at ``max_delay``).

    Args:
        max_retries: Retries after the first attempt; 0 disables retrying.
        base_delay: Seconds before the first retry.
        max_delay: Upper bound of any single wait.
        sleep: How to wait (tests pass a recorder instead of :func:`time.sleep`). The async path awaits
            :func:`asyncio.sleep` while this is :func:`time.sleep`, and calls the replacement otherwise.
        rng: Source of jitter.
    """

    max_retries: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    @classmethod
    def from_config(cls, config: AgentConfig) -> RetryPolicy:
        """The policy ``config`` asks for (``api_max_retries``, ``api_backoff_seconds``)."""
        return cls(max_retries=config.api_max_retries, base_delay=config.api_backoff_seconds)

    def delay(self, retry_number: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry ``retry_number`` (0-based)."""
        ceiling = min(self.max_delay, self.base_delay * float(2**retry_number))
        backoff = ceiling / 2 + self.rng.uniform(0, ceiling / 2)
        if retry_after is not None:
            backoff = max(backoff, min(retry_after, self.max_delay))
        return backoff

    async def asleep(self, seconds: float) -> None:
        """Wait without blocking the event loop (or call the test's recorder)."""
        if self.sleep is time.sleep:
            await asyncio.sleep(seconds)
        else:
            self.sleep(seconds)


def parse_retry_after(headers: Mapping[str, str] | None, now: float | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date), if present."""
    if not headers:
        return None
    lowered = {key.lower(): value for key, value in headers.items()}
    if "retry-after-ms" in lowered:
        try:
            return max(float(lowered["retry-after-ms"]) / 1000, 0.0)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)


def call_with_retries(
    call: Callable[[], T],
    *,
    backend: str,
    classify: Callable[[BaseException], ApiFailure],
    policy: RetryPolicy,
) -> T:
    """Run ``call`` (one provider request), retrying transient failures as ``policy`` says.

    Raises:
        BackendError: the failure was not transient, or the retries ran out. Its message names the backend and the
            cause; ``__cause__`` is the SDK's exception.
    """
    attempt = 0
    while True:
        try:
            return call()
        except BackendError:
            raise
        except Exception as exc:
            wait = _next_wait(exc, attempt, backend, classify, policy)
            attempt += 1
            policy.sleep(wait)


async def acall_with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    backend: str,
    classify: Callable[[BaseException], ApiFailure],
    policy: RetryPolicy,
) -> T:
    """Async :func:`call_with_retries`: the waits are ``asyncio.sleep``, so no thread is held while backing off."""
    attempt = 0
    while True:
        try:
            return await call()
        except BackendError:
            raise
        except Exception as exc:
            wait = _next_wait(exc, attempt, backend, classify, policy)
            attempt += 1
            await policy.asleep(wait)


def _next_wait(
    exc: Exception,
    attempt: int,
    backend: str,
    classify: Callable[[BaseException], ApiFailure],
    policy: RetryPolicy,
) -> float:
    """Seconds to wait before retrying after ``exc``; raises the final :class:`BackendError` instead if none."""
    failure = classify(exc)
    if not failure.retryable or attempt >= policy.max_retries:
        raise failure.to_error(backend, attempt + 1) from exc
    wait = policy.delay(attempt, failure.retry_after)
    log.warning(
        "%s backend: %s; retry %d of %d in %.2fs",
        backend,
        failure.cause,
        attempt + 1,
        policy.max_retries,
        wait,
    )
    return wait
