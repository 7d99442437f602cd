"""Fixtures for the backend tests: a request to send and a retry policy that records its waits instead of sleeping."""

from __future__ import annotations

import pytest

from burr_codeagent import PythonCodeGenerationResponse
from burr_codeagent.backends.base import GenerationRequest, Message
from burr_codeagent.backends.retry import RetryPolicy


class RecordedSleeps(list[float]):
    """Every wait the retry policy asked for, in order."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> RecordedSleeps:
    return RecordedSleeps()


@pytest.fixture
def retry(sleeps: RecordedSleeps) -> RetryPolicy:
    """Three retries, tiny backoff, waits recorded rather than slept."""
    return RetryPolicy(max_retries=3, base_delay=0.001, sleep=sleeps)


@pytest.fixture
def request_() -> GenerationRequest[PythonCodeGenerationResponse]:
    return GenerationRequest(
        system="You write Python.",
        messages=(Message("user", "Create a function add(a, b) returning the sum."),),
        response_model=PythonCodeGenerationResponse,
        max_tokens=1024,
    )
