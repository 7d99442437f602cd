"""The ``anthropic`` backend through the real anthropic SDK against a loopback Messages API server."""

from __future__ import annotations

from collections.abc import Sequence

import anthropic
import pytest

from burr_codeagent import AgentConfig, PythonCodeGenerationResponse
from burr_codeagent.backends.anthropic_api import AnthropicBackend
from burr_codeagent.backends.base import BackendError, GenerationRequest, InvalidResponseError
from burr_codeagent.backends.retry import RetryPolicy
from burr_codeagent.plugins import default_manager

from .fakes import BAD_ANSWER, Fail, FakeProvider, Reply, Stall, Step, Throttle

Request = GenerationRequest[PythonCodeGenerationResponse]


def run(
    script: Sequence[Step], retry: RetryPolicy, request: Request, timeout: float = 5.0
) -> tuple[object, FakeProvider]:
    with FakeProvider("anthropic", script) as fake:
        client = anthropic.Anthropic(api_key="sk-ant-test", base_url=fake.url, max_retries=0, timeout=timeout)
        backend = AnthropicBackend(client, model="claude-sonnet-4-20250514", retry=retry)
        try:
            return backend.generate(request), fake
        except BackendError as exc:
            return exc, fake


def test_system_prompt_is_cached_and_cache_tokens_count_as_input(
    retry: RetryPolicy, request_: Request
) -> None:
    generation, fake = run(
        [Reply(input_tokens=40, output_tokens=300, cache_read=1500, cache_write=0)], retry, request_
    )
    body = fake.requests[0].body
    assert fake.requests[0].path == "/v1/messages"
    assert body["system"] == [
        {"type": "text", "text": "You write Python.", "cache_control": {"type": "ephemeral"}}
    ]
    assert body["tool_choice"]["name"] == "PythonCodeGenerationResponse"
    usage = generation.usage  # type: ignore[union-attr]
    # Anthropic's input_tokens excludes the cached part; the metrics report the total input
    assert (usage.input_tokens, usage.cache_read_tokens, usage.output_tokens) == (1540, 1500, 300)


def test_reask_usage_including_cache_writes_is_summed(retry: RetryPolicy, request_: Request) -> None:
    script = [
        Reply(BAD_ANSWER, input_tokens=10, output_tokens=5, cache_write=1000),
        Reply(input_tokens=30, cache_read=1000),
    ]
    generation, fake = run(script, retry, request_)
    assert len(fake.requests) == 2
    usage = generation.usage  # type: ignore[union-attr]
    assert (usage.input_tokens, usage.cache_write_tokens, usage.cache_read_tokens, usage.api_calls) == (
        2040,
        1000,
        1000,
        2,
    )
    assert fake.reported_usage() == (usage.input_tokens, usage.output_tokens)


def test_overloaded_529_and_429_are_retried(
    retry: RetryPolicy, sleeps: list[float], request_: Request
) -> None:
    generation, fake = run(
        [Throttle(status=529, retry_after=None), Throttle(retry_after="1"), Reply()], retry, request_
    )
    assert generation.response.function_name == "add"  # type: ignore[union-attr]
    assert len(fake.requests) == 3
    assert sleeps[1] >= 1.0


def test_stall_times_out_and_gives_up_after_the_configured_retries(request_: Request) -> None:
    error, fake = run(
        [Stall(5)], RetryPolicy(max_retries=1, base_delay=0.0, sleep=lambda s: None), request_, timeout=0.2
    )
    assert isinstance(error, BackendError)
    assert len(fake.requests) == 2
    assert "anthropic backend: no answer from http://127.0.0.1:" in str(error)
    assert "within 0.2s (request timeout) (gave up after 2 attempts" in str(error)


def test_invalid_key_is_not_retried(retry: RetryPolicy, request_: Request) -> None:
    error, fake = run([Fail(401)], retry, request_)
    assert len(fake.requests) == 1
    assert "authentication failed: HTTP 401: invalid api key. Set ANTHROPIC_API_KEY" in str(error)


def test_truncated_answer(retry: RetryPolicy, request_: Request) -> None:
    error, _ = run([Reply(truncated=True, output_tokens=1024)], retry, request_)
    assert isinstance(error, InvalidResponseError)
    assert error.usage.output_tokens == 1024 and "cut off" in str(error)


def test_factory_reads_the_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    factory = default_manager().backends()["anthropic"].item
    assert "ANTHROPIC_API_KEY" in factory.missing(AgentConfig(backend="anthropic"))[0]
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-x")
    assert factory.missing(AgentConfig(backend="anthropic")) == []
    backend = factory.create(AgentConfig(backend="anthropic", base_url="http://127.0.0.1:9/proxy"))
    assert isinstance(backend, AnthropicBackend)
    assert backend.base_url == "http://127.0.0.1:9/proxy"
