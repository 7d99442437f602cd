"""The ``bedrock`` backend through real boto3 against a loopback Bedrock Converse server."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from burr_codeagent import AgentConfig, PythonCodeGenerationResponse
from burr_codeagent.backends.base import (
    BackendError,
    BackendNotConfiguredError,
    GenerationRequest,
    InvalidResponseError,
)
from burr_codeagent.backends.bedrock import DEFAULT_MODEL, BedrockBackend
from burr_codeagent.backends.recording import RecordingBackend
from burr_codeagent.backends.retry import RetryPolicy
from burr_codeagent.plugins import default_manager

from .fakes import BAD_ANSWER, Fail, FakeProvider, Malformed, Reply, Step, Throttle, bedrock_model_id

Request = GenerationRequest[PythonCodeGenerationResponse]
PROFILE_ID = "us.anthropic.claude-3-5-sonnet-20241022-v2:0"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-test")
    monkeypatch.setenv("AWS_REGION", "us-west-2")


def run(script: Sequence[Step], request: Request, **settings: object) -> tuple[object, FakeProvider]:
    """Build the backend the way `codeagent run --backend bedrock` does, pointed at the fake."""
    with FakeProvider("bedrock", script) as fake:
        config = AgentConfig(backend="bedrock", base_url=fake.url, api_backoff_seconds=0.001, **settings)
        backend = default_manager().backends()["bedrock"].item.create(config)
        try:
            return backend.generate(request), fake
        except BackendError as exc:
            return exc, fake


def test_converse_call_with_cross_region_profile_and_cache_point(aws: None, request_: Request) -> None:
    generation, fake = run(
        [Reply(input_tokens=12, output_tokens=400, cache_read=2000)], request_, model=PROFILE_ID
    )
    sent = fake.requests[0]
    assert bedrock_model_id(sent.path) == PROFILE_ID
    assert sent.path.endswith("/converse")
    assert sent.body["system"] == [{"text": "You write Python."}, {"cachePoint": {"type": "default"}}]
    assert sent.body["toolConfig"]["toolChoice"] == {"tool": {"name": "PythonCodeGenerationResponse"}}
    assert sent.body["inferenceConfig"]["maxTokens"] == 1024
    assert "us-west-2" in sent.headers["Authorization"], "region from AWS_REGION signs the request"
    usage = generation.usage  # type: ignore[union-attr]
    assert (usage.input_tokens, usage.cache_read_tokens, usage.output_tokens, usage.api_calls) == (
        2012,
        2000,
        400,
        1,
    )


def test_default_model(aws: None, request_: Request) -> None:
    _, fake = run([Reply()], request_)
    assert bedrock_model_id(fake.requests[0].path) == DEFAULT_MODEL


def test_reasks_are_summed_because_instructor_does_not(aws: None, request_: Request) -> None:
    script = [
        Reply(BAD_ANSWER, input_tokens=500, output_tokens=50),
        Reply(BAD_ANSWER, input_tokens=600, output_tokens=60),
        Reply(input_tokens=700, output_tokens=70),
    ]
    generation, fake = run(script, request_)
    assert len(fake.requests) == 3
    assert fake.requests[1].body["messages"][-1]["content"][0]["toolResult"]["status"] == "error"
    usage = generation.usage  # type: ignore[union-attr]
    assert (usage.input_tokens, usage.output_tokens, usage.api_calls) == (1800, 180, 3)


def test_validation_failing_every_time_is_an_invalid_response_with_the_usage(
    aws: None, request_: Request
) -> None:
    error, fake = run([Reply(BAD_ANSWER, input_tokens=100, output_tokens=10)], request_)
    assert isinstance(error, InvalidResponseError)
    assert len(fake.requests) == 3
    assert "did not match PythonCodeGenerationResponse after 3 call(s)" in str(error)
    assert "code: Field required" in str(error)
    assert (error.usage.input_tokens, error.usage.output_tokens) == (300, 30)


def test_throttling_exception_is_retried(aws: None, request_: Request) -> None:
    generation, fake = run(
        [Throttle(retry_after="0"), Throttle(retry_after="0"), Fail(503), Reply()], request_
    )
    assert generation.response.function_name == "add"  # type: ignore[union-attr]
    assert len(fake.requests) == 4, "botocore's own retries are off: every request is one of ours"


def test_throttling_until_the_limit(aws: None, request_: Request) -> None:
    error, fake = run([Throttle(retry_after="0")], request_, api_max_retries=2)
    assert len(fake.requests) == 3
    assert str(error).startswith(
        "bedrock backend: ThrottlingException (HTTP 429): Too many requests (gave up after 3 attempts"
    )


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (
            403,
            "authentication failed: AccessDeniedException (HTTP 403): access denied. Check the AWS credentials",
        ),
        (401, "authentication failed: UnrecognizedClientException"),
        (
            404,
            "model or endpoint not found: ResourceNotFoundException (HTTP 404): model not found. Check the model id",
        ),
    ],
)
def test_auth_and_unknown_model_are_not_retried(aws: None, request_: Request, status: int, text: str) -> None:
    error, fake = run([Fail(status)], request_)
    assert len(fake.requests) == 1
    assert text in str(error)


def test_malformed_body_is_retried_then_reported(aws: None, request_: Request) -> None:
    error, fake = run([Malformed()], request_, api_max_retries=1)
    assert len(fake.requests) == 2
    assert "malformed" in str(error)


def test_truncated_answer_is_reported_with_its_usage(aws: None, request_: Request) -> None:
    error, fake = run([Reply(truncated=True, input_tokens=10, output_tokens=1024)], request_)
    assert isinstance(error, InvalidResponseError)
    assert len(fake.requests) == 1
    assert "stopReason max_tokens" in str(error) and error.usage.output_tokens == 1024


def test_without_credentials_it_says_what_to_set(request_: Request) -> None:
    factory = default_manager().backends()["bedrock"].item
    problems = factory.missing(AgentConfig(backend="bedrock"))
    assert any("AWS credentials" in p for p in problems) and any("AWS_REGION" in p for p in problems)
    with pytest.raises(BackendNotConfiguredError, match="bedrock is not configured: AWS credentials"):
        factory.create(AgentConfig(backend="bedrock"))


def test_the_agent_wraps_the_created_backend_for_recording_once(aws: None, tmp_path: object) -> None:
    from pathlib import Path

    from burr_codeagent import CodeAgent

    config = AgentConfig(backend="bedrock", record=Path(str(tmp_path)) / "c.json")
    assert isinstance(default_manager().backends()["bedrock"].item.create(config), BedrockBackend)
    backend = CodeAgent(config).backend.resolve()  # type: ignore[attr-defined]
    assert isinstance(backend, RecordingBackend) and isinstance(backend.inner, BedrockBackend)


def test_region_and_profile_are_declared_settings_with_their_aliases(aws: None) -> None:
    from burr_codeagent.backends.base import backend_options

    factory = default_manager().backends()["bedrock"].item
    assert (
        backend_options(factory, AgentConfig(backend="bedrock"))["region"] == "us-west-2"
    )  # AWS_REGION alias
    configured = AgentConfig(backend="bedrock", backend_options={"bedrock": {"region": "eu-central-1"}})
    assert backend_options(factory, configured) == {"region": "eu-central-1", "profile": None}
    assert factory.missing(configured) == []


def test_retry_policy_comes_from_config(aws: None) -> None:
    config = AgentConfig(backend="bedrock", api_max_retries=7, api_backoff_seconds=0.25)
    backend = default_manager().backends()["bedrock"].item.create(config)
    assert isinstance(backend, BedrockBackend)
    assert backend.retry == RetryPolicy(
        max_retries=7, base_delay=0.25, max_timeout_retries=1, budget_seconds=600.0, rng=backend.retry.rng
    )
