"""The ``openai`` backend through the real openai SDK against a loopback Chat Completions server."""

from __future__ import annotations

from collections.abc import Sequence

import openai
import pytest

from burr_codeagent import AgentConfig, PythonCodeGenerationResponse
from burr_codeagent.backends.base import BackendError, GenerationRequest, InvalidResponseError
from burr_codeagent.backends.openai_api import OLLAMA_URL, OpenAIBackend, is_local_url, schemas_as_sent
from burr_codeagent.backends.retry import RetryPolicy
from burr_codeagent.plugins import default_manager

from .fakes import BAD_ANSWER, Fail, FakeProvider, Malformed, Reply, Stall, Step, Throttle

Request = GenerationRequest[PythonCodeGenerationResponse]


def backend_for(
    fake: FakeProvider, retry: RetryPolicy, timeout: float = 5.0, **kwargs: object
) -> OpenAIBackend:
    client = openai.OpenAI(api_key="sk-test", base_url=fake.url + "/v1", max_retries=0, timeout=timeout)
    return OpenAIBackend(client, model="gpt-4o-mini", retry=retry, **kwargs)  # type: ignore[arg-type]


def run(
    script: Sequence[Step], retry: RetryPolicy, request: Request, **kwargs: object
) -> tuple[object, FakeProvider]:
    with FakeProvider("openai", script) as fake:
        try:
            return backend_for(fake, retry, **kwargs).generate(request), fake  # type: ignore[arg-type]
        except BackendError as exc:
            return exc, fake


def test_parses_the_tool_call_and_reports_the_servers_usage(retry: RetryPolicy, request_: Request) -> None:
    generation, fake = run([Reply(input_tokens=1234, output_tokens=321, cache_read=1000)], retry, request_)
    assert generation.response.function_name == "add"  # type: ignore[union-attr]
    usage = generation.usage  # type: ignore[union-attr]
    assert (usage.input_tokens, usage.output_tokens, usage.cache_read_tokens, usage.api_calls) == (
        1234,
        321,
        1000,
        1,
    )
    body = fake.requests[0].body
    assert fake.requests[0].path == "/v1/chat/completions"
    assert body["messages"][0] == {"role": "system", "content": "You write Python."}
    assert body["tools"][0]["function"]["name"] == "PythonCodeGenerationResponse"
    assert body["max_tokens"] == 1024


def test_validation_reask_usage_is_summed(retry: RetryPolicy, request_: Request) -> None:
    script = [
        Reply(BAD_ANSWER, input_tokens=100, output_tokens=10),
        Reply(input_tokens=180, output_tokens=40),
    ]
    generation, fake = run(script, retry, request_)
    assert generation.response.code.startswith('"""Addition')  # type: ignore[union-attr]
    assert len(fake.requests) == 2
    usage = generation.usage  # type: ignore[union-attr]
    assert (usage.input_tokens, usage.output_tokens, usage.api_calls) == (280, 50, 2)
    assert len(usage.latencies) == 2
    reask = fake.requests[1].body["messages"]
    assert any("code" in str(m.get("content")) for m in reask[2:]), (
        "the re-ask tells the model what was wrong"
    )


def test_malformed_json_in_every_answer_becomes_invalid_response_with_all_usage(
    retry: RetryPolicy, request_: Request
) -> None:
    error, fake = run([Reply('{"function_name": "add", ', input_tokens=50, output_tokens=5)], retry, request_)
    assert isinstance(error, InvalidResponseError)
    assert len(fake.requests) == 3  # the answer and two re-asks
    assert "did not match PythonCodeGenerationResponse after 3 call(s)" in str(error)
    assert "Invalid JSON" in str(error)
    assert (error.usage.input_tokens, error.usage.output_tokens, error.usage.api_calls) == (150, 15, 3)
    assert error.raw == '{"function_name": "add", '


def test_throttling_and_server_errors_are_retried_honouring_retry_after(
    retry: RetryPolicy, sleeps: list[float], request_: Request
) -> None:
    generation, fake = run([Throttle(retry_after="2"), Fail(502), Reply(input_tokens=70)], retry, request_)
    assert generation.response.function_name == "add"  # type: ignore[union-attr]
    assert len(fake.requests) == 3
    assert sleeps[0] >= 2.0, "Retry-After: 2 was honoured"
    assert len(sleeps) == 2
    assert generation.usage.input_tokens == 70 and generation.usage.api_calls == 1  # type: ignore[union-attr]


def test_persistent_throttling_gives_up_with_a_clear_error(retry: RetryPolicy, request_: Request) -> None:
    error, fake = run([Throttle(retry_after="0")], retry, request_)
    assert isinstance(error, BackendError) and not isinstance(error, InvalidResponseError)
    assert len(fake.requests) == 4  # first try + 3 retries
    assert str(error).startswith("openai backend: HTTP 429: Too many requests (gave up after 4 attempts")


def test_a_stalled_server_times_out_and_is_retried(retry: RetryPolicy, request_: Request) -> None:
    generation, fake = run([Stall(5), Reply()], retry, request_, timeout=0.3)
    assert generation.response.function_name == "add"  # type: ignore[union-attr]
    assert len(fake.requests) == 2


def test_a_body_that_is_not_json_is_retried_then_reported(retry: RetryPolicy, request_: Request) -> None:
    error, fake = run([Malformed()], retry, request_)
    assert isinstance(error, BackendError)
    assert len(fake.requests) == 4
    assert "the server sent a body that is not JSON" in str(error)


def test_truncated_answer_is_an_invalid_response_with_usage(retry: RetryPolicy, request_: Request) -> None:
    error, fake = run([Reply(truncated=True, input_tokens=90, output_tokens=1024)], retry, request_)
    assert isinstance(error, InvalidResponseError)
    assert len(fake.requests) == 1
    assert "cut off at the output limit (1024 tokens)" in str(error)
    assert (error.usage.input_tokens, error.usage.output_tokens) == (90, 1024)


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (401, "authentication failed: HTTP 401: invalid api key. Set OPENAI_API_KEY"),
        (403, "authentication failed: HTTP 403"),
        (404, "model or endpoint not found: HTTP 404: model not found. Check the model name 'gpt-4o-mini'"),
    ],
)
def test_auth_and_missing_model_are_not_retried(
    status: int, text: str, retry: RetryPolicy, request_: Request
) -> None:
    error, fake = run([Fail(status)], retry, request_)
    assert isinstance(error, BackendError)
    assert len(fake.requests) == 1
    assert text in str(error)


def test_json_schema_mode_for_servers_without_tool_calls(retry: RetryPolicy, request_: Request) -> None:
    generation, fake = run([Reply()], retry, request_, json_schema=True)
    assert generation.response.function_name == "add"  # type: ignore[union-attr]
    body = fake.requests[0].body
    assert "tools" not in body
    assert body["response_format"]["type"] == "json_schema"


def test_factory_needs_a_key_only_for_remote_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    factory = default_manager().backends()["openai"].item
    assert "OPENAI_API_KEY" in factory.missing(AgentConfig(backend="openai"))[0]
    assert factory.missing(AgentConfig(backend="openai", base_url="http://127.0.0.1:8000/v1")) == []
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    assert factory.missing(AgentConfig(backend="openai")) == []


def test_ollama_alias_defaults_to_the_local_ollama_url() -> None:
    backend = default_manager().backends()["ollama"].item.create(AgentConfig(backend="ollama"))
    assert isinstance(backend, OpenAIBackend)
    assert backend.base_url == OLLAMA_URL and backend.name == "ollama"


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://localhost:11434/v1", True),
        ("http://127.0.0.1:8000/v1", True),
        ("http://192.168.1.5/v1", True),
        ("https://api.openai.com/v1", False),
        ("https://example.com/v1", False),
        (None, False),
    ],
)
def test_is_local_url(url: str | None, local: bool) -> None:
    assert is_local_url(url) is local


def test_the_sdks_base_url_variables_select_the_server(
    monkeypatch: pytest.MonkeyPatch, request_: Request
) -> None:
    factories = default_manager().backends()
    with FakeProvider("openai", [Reply(input_tokens=11, output_tokens=7)]) as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url + "/v1")
        config = AgentConfig(backend="openai")
        assert factories["openai"].item.missing(config) == []  # a loopback server needs no key
        generation = factories["openai"].item.create(config).generate(request_)
    assert generation.usage.input_tokens == 11
    assert fake.requests[0].path == "/v1/chat/completions"


def test_anthropic_base_url_variable_selects_the_server(
    monkeypatch: pytest.MonkeyPatch, request_: Request
) -> None:
    factories = default_manager().backends()
    with FakeProvider("anthropic", [Reply(input_tokens=13, output_tokens=5)]) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        config = AgentConfig(backend="anthropic")
        generation = factories["anthropic"].item.create(config).generate(request_)
    assert generation.usage.output_tokens == 5
    assert fake.requests[0].path == "/v1/messages"


def test_every_call_sends_the_models_whole_schema_and_names_the_tool(
    retry: RetryPolicy, request_: Request
) -> None:
    """The schema skips the SDK's argument walk (it goes out as ``extra_body``): the wire body must not change."""
    with FakeProvider("openai", [Reply(), Reply()]) as fake:
        backend = backend_for(fake, retry)
        backend.generate(request_)
        backend.generate(request_)
    expected = PythonCodeGenerationResponse.model_json_schema()
    for received in fake.requests:
        tool = received.body["tools"][0]
        assert tool["type"] == "function"
        assert tool["function"]["name"] == "PythonCodeGenerationResponse"
        assert set(tool["function"]["parameters"]["properties"]) == set(expected["properties"])
        assert received.body["tool_choice"] == {
            "type": "function",
            "function": {"name": "PythonCodeGenerationResponse"},
        }
        assert "extra_body" not in received.body
    assert fake.requests[0].body["tools"] == fake.requests[1].body["tools"]


def test_text_messages_reach_the_server_as_given_and_a_reask_carries_its_tool_call(
    retry: RetryPolicy, request_: Request
) -> None:
    """Text messages skip the SDK's walk (``extra_body``); the wire body is the same, and the re-ask's messages
    (an assistant tool call, not text only) still go through the SDK."""
    with FakeProvider("openai", [Reply(BAD_ANSWER), Reply()]) as fake:
        backend_for(fake, retry).generate(request_)
    first, reask = (received.body for received in fake.requests)
    assert first["messages"] == [
        {"role": "system", "content": "You write Python."},
        {"role": "user", "content": "Create a function add(a, b) returning the sum."},
    ]
    assert reask["messages"][:2] == first["messages"]
    assert any(message.get("tool_calls") for message in reask["messages"][2:])
    assert "extra_body" not in first and "extra_body" not in reask


def test_only_text_messages_are_moved_out_of_the_sdks_walk() -> None:
    text = [{"role": "user", "content": "hi"}]
    sent = schemas_as_sent({"model": "m", "messages": text})
    assert sent == {"model": "m", "messages": [], "extra_body": {"messages": text}}
    parts = [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]
    assert schemas_as_sent({"model": "m", "messages": parts}) == {"model": "m", "messages": parts}


async def test_a_model_with_an_async_validator_is_refused_on_every_call(
    retry: RetryPolicy, request_: Request
) -> None:
    """instructor's check for async validators is remembered per model only when it passes."""
    import dataclasses

    from instructor.v2.validation import async_field_validator

    class WithAsyncCheck(PythonCodeGenerationResponse):
        @async_field_validator("code")
        async def code_is_fine(self, value: str) -> str:
            return value

    asked = dataclasses.replace(request_, response_model=WithAsyncCheck)
    with FakeProvider("openai", [Reply(), Reply()]) as fake:
        backend = backend_for(fake, retry)
        for _ in range(2):
            with pytest.raises(Exception, match="async validators are not supported"):
                await backend.agenerate(asked)  # type: ignore[arg-type]
        assert (await backend.agenerate(request_)).response.function_name == "add"
    assert len(fake.requests) == 1  # the refused model never reached the server
