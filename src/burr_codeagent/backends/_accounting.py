"""Honest token accounting: the provider's own usage fields of every HTTP call, re-asks included.

Each request gets a :class:`UsageMeter`. Instructor reports every raw completion through its
``completion:response`` hook (validation re-asks included, which instructor does not sum for Bedrock); the meter
adds the usage fields of each. The per-call latency is measured around the SDK call itself, so retry waits are not
counted as model time. ``Usage.input_tokens`` is always the *total* input, cached tokens included, whatever the
provider's convention (Anthropic and Bedrock report cache reads and writes apart from ``input_tokens``; OpenAI
counts them inside ``prompt_tokens``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import Any

from ..models import Usage

__all__ = [
    "UsageMeter",
    "active_meter",
    "usage_from_anthropic",
    "usage_from_bedrock",
    "usage_from_openai",
]

_ACTIVE: ContextVar[UsageMeter | None] = ContextVar("codeagent_usage_meter", default=None)


class UsageMeter:
    """Sums the usage of the calls made for one request; thread-safe."""

    def __init__(self) -> None:
        self._usage = Usage()
        self._lock = threading.Lock()
        self.last_response: Any = None

    def add_usage(self, usage: Usage, response: Any = None) -> None:
        """Add the token counts of one completed call (``api_calls`` and latency come from :meth:`add_latency`)."""
        with self._lock:
            self._usage = self._usage + usage.model_copy(update={"api_calls": 0, "latencies": []})
            if response is not None:
                self.last_response = response

    def add_latency(self, seconds: float) -> None:
        """Count one completed HTTP call that took ``seconds``."""
        with self._lock:
            self._usage = self._usage + Usage(api_calls=1, latencies=[round(seconds, 4)])

    @property
    def usage(self) -> Usage:
        """A copy of the usage so far."""
        with self._lock:
            return self._usage.model_copy(deep=True)

    @contextlib.contextmanager
    def activate(self) -> Iterator[UsageMeter]:
        """Make this the meter that :func:`active_meter` returns while the block runs (per thread / task)."""
        token = _ACTIVE.set(self)
        try:
            yield self
        finally:
            _ACTIVE.reset(token)


def active_meter() -> UsageMeter | None:
    """The meter of the request being served in this thread or task, if any."""
    return _ACTIVE.get()


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def usage_from_openai(response: Any) -> Usage:
    """Usage of an OpenAI Chat Completions response (``prompt_tokens`` already includes cached tokens)."""
    usage = getattr(response, "usage", None)
    if usage is None:
        return Usage()
    details = getattr(usage, "prompt_tokens_details", None)
    return Usage(
        input_tokens=_int(getattr(usage, "prompt_tokens", 0)),
        output_tokens=_int(getattr(usage, "completion_tokens", 0)),
        cache_read_tokens=_int(getattr(details, "cached_tokens", 0)) if details is not None else 0,
    )


def usage_from_anthropic(response: Any) -> Usage:
    """Usage of an Anthropic Messages response; its ``input_tokens`` excludes cache reads and writes."""
    usage = getattr(response, "usage", None)
    if usage is None:
        return Usage()
    read = _int(getattr(usage, "cache_read_input_tokens", 0))
    write = _int(getattr(usage, "cache_creation_input_tokens", 0))
    return Usage(
        input_tokens=_int(getattr(usage, "input_tokens", 0)) + read + write,
        output_tokens=_int(getattr(usage, "output_tokens", 0)),
        cache_read_tokens=read,
        cache_write_tokens=write,
    )


def usage_from_bedrock(response: Mapping[str, Any]) -> Usage:
    """Usage of a Bedrock Converse response; its ``inputTokens`` excludes cache reads and writes."""
    usage = response.get("usage") or {}
    read = _int(usage.get("cacheReadInputTokens", 0))
    write = _int(usage.get("cacheWriteInputTokens", 0))
    return Usage(
        input_tokens=_int(usage.get("inputTokens", 0)) + read + write,
        output_tokens=_int(usage.get("outputTokens", 0)),
        cache_read_tokens=read,
        cache_write_tokens=write,
    )
