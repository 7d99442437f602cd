"""Retries of transient provider failures: exponential backoff with jitter that honours ``Retry-After``.

The SDKs' own hidden retries are switched off (``max_retries=0``, botocore ``max_attempts=1``) so this policy is the
only one that runs, and every HTTP request the provider saw is one call here. A failure is first *classified*
(:class:`ApiFailure`): transient ones (throttling, 429, 529, 5xx, timeouts, lost connections, garbled bodies) are
retried; authentication, missing-model and bad-request failures are not, and their message says what to fix.

A request that timed out is retried fewer times than a throttled one (waiting again for a server that did not
answer rarely helps), and all retries of one call share a wall-clock budget, so a provider that stops answering
costs minutes, not ``retries x timeout``. The final message's hint matches the cause.
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

from .base import BackendConfigurationError, BackendError

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
        timed_out: The request got no answer within the request timeout.
        throttled: The provider said it is overloaded or rate-limited (429, 529, ThrottlingException).
    """

    kind: FailureKind
    cause: str
    retry_after: float | None = None
    hint: str = ""
    timed_out: bool = False
    throttled: bool = False

    @property
    def retryable(self) -> bool:
        """Whether another attempt may succeed."""
        return self.kind == "transient"

    def to_error(self, backend: str, attempts: int, *, budget_spent: float | None = None) -> BackendError:
        """The :class:`BackendError` a user sees once this failure is final.

        Authentication and missing-model failures become :class:`BackendConfigurationError` (the user's settings
        are wrong); everything else is a plain :class:`BackendError` (the provider failed).
        ``budget_spent`` is set when the retries stopped because the wall-clock budget ran out.
        """
        if self.retryable:
            tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
            if budget_spent is not None:
                advice = (
                    f"the retry budget of {budget_spent:.0f}s ran out; raise CODEAGENT_API_RETRY_BUDGET_SECONDS "
                    "to wait longer"
                )
            elif self.timed_out:
                advice = (
                    "the server did not answer in time; raise --request-timeout (CODEAGENT_REQUEST_TIMEOUT) for "
                    "a slow model, or check that the server is working"
                )
            elif self.throttled:
                advice = "the provider is throttling; raise CODEAGENT_API_MAX_RETRIES to wait longer"
            else:
                advice = "the provider is failing or unreachable; try again later"
            message = f"{backend} backend: {self.cause} (gave up after {tries}: {advice})"
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
            if self.kind in ("auth", "not_found"):
                return BackendConfigurationError(message, backend=backend)
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
        max_timeout_retries: Retries of requests that timed out (at most ``max_retries``).
        budget_seconds: Wall-clock seconds all attempts of one call may take together, waits included; no
            retry starts once they are spent (``None``: no budget).
        sleep: How to wait (tests pass a recorder instead of :func:`time.sleep`). The async path awaits
            :func:`asyncio.sleep` while this is :func:`time.sleep`, and calls the replacement otherwise.
        clock: Monotonic seconds, for the budget.
        rng: Source of jitter.
    """

    max_retries: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0
    max_timeout_retries: int = 1
    budget_seconds: float | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)

    @classmethod
    def from_config(cls, config: AgentConfig) -> RetryPolicy:
        """The policy ``config`` asks for (``api_max_retries``, ``api_timeout_retries``, ``api_backoff_seconds``,
        ``api_retry_budget_seconds``)."""
        return cls(
            max_retries=config.api_max_retries,
            base_delay=config.api_backoff_seconds,
            max_timeout_retries=config.api_timeout_retries,
            budget_seconds=config.api_retry_budget_seconds,
        )

    def allows(self, failure: ApiFailure, retries_done: int, timeouts_done: int) -> bool:
        """Whether ``failure`` may be retried after ``retries_done`` retries, ``timeouts_done`` of them timeouts."""
        if not failure.retryable or retries_done >= self.max_retries:
            return False
        return not (failure.timed_out and timeouts_done >= self.max_timeout_retries)

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
    tally = _Tally(started=policy.clock())
    while True:
        try:
            return call()
        except BackendError:
            raise
        except Exception as exc:
            wait = _next_wait(exc, tally, backend, classify, policy)
            policy.sleep(wait)


async def acall_with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    backend: str,
    classify: Callable[[BaseException], ApiFailure],
    policy: RetryPolicy,
) -> T:
    """Async :func:`call_with_retries`: the waits are ``asyncio.sleep``, so no thread is held while backing off."""
    tally = _Tally(started=policy.clock())
    while True:
        try:
            return await call()
        except BackendError:
            raise
        except Exception as exc:
            wait = _next_wait(exc, tally, backend, classify, policy)
            await policy.asleep(wait)


@dataclass
class _Tally:
    """The retries of one call so far: all of them, the timed-out ones, and when the call started."""

    started: float
    retries: int = 0
    timeouts: int = 0


def _next_wait(
    exc: Exception,
    tally: _Tally,
    backend: str,
    classify: Callable[[BaseException], ApiFailure],
    policy: RetryPolicy,
) -> float:
    """Seconds to wait before retrying after ``exc``; raises the final :class:`BackendError` instead if none."""
    failure = classify(exc)
    if not policy.allows(failure, tally.retries, tally.timeouts):
        raise failure.to_error(backend, tally.retries + 1) from exc
    wait = policy.delay(tally.retries, failure.retry_after)
    spent = policy.clock() - tally.started
    if policy.budget_seconds is not None and spent + wait >= policy.budget_seconds:
        raise failure.to_error(backend, tally.retries + 1, budget_spent=policy.budget_seconds) from exc
    tally.retries += 1
    tally.timeouts += failure.timed_out
    log.warning(
        "%s backend: %s; retry %d of %d in %.2fs (%.0fs spent)",
        backend,
        failure.cause,
        tally.timeouts if failure.timed_out else tally.retries,
        policy.max_timeout_retries if failure.timed_out else policy.max_retries,
        wait,
        spent,
    )
    return wait
