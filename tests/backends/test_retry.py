"""The retry policy: exponential backoff with jitter, Retry-After honoured, non-transient failures not retried."""

from __future__ import annotations

import email.utils
import random

import pytest

from burr_codeagent.backends.base import BackendError
from burr_codeagent.backends.retry import ApiFailure, RetryPolicy, call_with_retries, parse_retry_after


def test_backoff_doubles_within_jitter_bounds_and_is_capped() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0, rng=random.Random(7))
    for n, ceiling in enumerate([1, 2, 4, 8, 8, 8]):
        delay = policy.delay(n)
        assert ceiling / 2 <= delay <= ceiling


def test_retry_after_is_a_lower_bound_but_capped() -> None:
    policy = RetryPolicy(base_delay=0.001, max_delay=30.0)
    assert policy.delay(0, retry_after=3.0) >= 3.0
    assert policy.delay(0, retry_after=3600.0) == 30.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "2"}, 2.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"Retry-After": "soon"}, None),
        ({}, None),
        (None, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str] | None, expected: float | None) -> None:
    assert parse_retry_after(headers) == expected


def test_parse_retry_after_http_date() -> None:
    now = 1_700_000_000.0
    header = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after({"Retry-After": header}, now=now) == pytest.approx(30, abs=1)


def test_transient_failures_are_retried_until_success() -> None:
    waits: list[float] = []
    outcomes: list[object] = [TimeoutError("slow"), TimeoutError("slow"), "answer"]

    def call() -> str:
        item = outcomes.pop(0)
        if isinstance(item, Exception):
            raise item
        return str(item)

    result = call_with_retries(
        call,
        backend="demo",
        classify=lambda e: ApiFailure("transient", str(e), retry_after=0.5),
        policy=RetryPolicy(max_retries=5, base_delay=0.001, sleep=waits.append),
    )
    assert result == "answer"
    assert len(waits) == 2 and all(w >= 0.5 for w in waits)


def test_retries_run_out_with_an_error_naming_backend_cause_and_attempts() -> None:
    calls = 0

    def call() -> str:
        nonlocal calls
        calls += 1
        raise ConnectionError("refused")

    with pytest.raises(BackendError) as info:
        call_with_retries(
            call,
            backend="demo",
            classify=lambda e: ApiFailure("transient", f"cannot connect ({e})"),
            policy=RetryPolicy(max_retries=2, base_delay=0.0, sleep=lambda s: None),
        )
    assert calls == 3
    assert str(info.value).startswith("demo backend: cannot connect (refused) (gave up after 3 attempts")
    assert isinstance(info.value.__cause__, ConnectionError)


def test_auth_failures_are_not_retried_and_say_what_to_fix() -> None:
    calls = 0

    def call() -> str:
        nonlocal calls
        calls += 1
        raise PermissionError("401")

    with pytest.raises(BackendError, match=r"demo backend: authentication failed: HTTP 401\. Set DEMO_KEY"):
        call_with_retries(
            call,
            backend="demo",
            classify=lambda e: ApiFailure("auth", "HTTP 401", hint="Set DEMO_KEY"),
            policy=RetryPolicy(max_retries=5, sleep=lambda s: None),
        )
    assert calls == 1
