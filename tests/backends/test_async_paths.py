"""Native async paths of the provider backends: real async SDKs against the loopback fakes, no default-pool threads.

The tests count what the event loop's default executor is asked to run: a backend that fell back to
``asyncio.to_thread`` (which is what capped a batch at 6 requests in flight) uses it once per call. The SDKs may use
it once per client (openai and anthropic look up the platform for their headers on a client's first request).
"""

from __future__ import annotations

import asyncio
import socket
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from burr_codeagent import AgentConfig, PythonCodeGenerationResponse
from burr_codeagent.backends.base import BackendError, GenerationRequest, InvalidResponseError, LLMBackend
from burr_codeagent.backends.bedrock import blocking_calls
from burr_codeagent.backends.clients import clients
from burr_codeagent.backends.retry import RetryPolicy
from burr_codeagent.plugins import default_manager

from .fakes import BAD_ANSWER, Fail, FakeProvider, Reply, Stall, Throttle

Request = GenerationRequest[PythonCodeGenerationResponse]


class CountingPool(ThreadPoolExecutor):
    """A default executor that records each job it is given."""

    def __init__(self) -> None:
        super().__init__(max_workers=2)
        self.jobs: list[str] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.jobs.append(repr(fn))
        return super().submit(fn, *args, **kwargs)


async def count_default_pool() -> CountingPool:
    pool = CountingPool()
    asyncio.get_running_loop().set_default_executor(pool)
    return pool


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-test")
    monkeypatch.setenv("AWS_REGION", "us-west-2")


def make_backend(protocol: str, fake: FakeProvider, **settings: Any) -> LLMBackend:
    """The backend as the CLI builds it, pointed at the fake."""
    base_url = fake.url + "/v1" if protocol == "openai" else fake.url
    config = AgentConfig(
        backend=protocol,
        base_url=base_url,
        api_key="sk-test" if protocol != "bedrock" else None,
        api_backoff_seconds=0.001,
        **settings,
    )
    return default_manager().backends()[protocol].item.create(config)


PROTOCOLS = ["openai", "anthropic", "bedrock"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_agenerate_parses_and_counts_usage_without_the_default_pool(
    protocol: str, aws: None, request_: Request
) -> None:
    pool = await count_default_pool()
    with FakeProvider(protocol, [Reply(input_tokens=321, output_tokens=45)]) as fake:  # type: ignore[arg-type]
        generation = await make_backend(protocol, fake).agenerate(request_)
    assert not any("send" in job or "generate" in job for job in pool.jobs), pool.jobs
    assert generation.response.function_name == "add"
    assert (generation.usage.input_tokens, generation.usage.output_tokens, generation.usage.api_calls) == (
        321,
        45,
        1,
    )


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_async_throttling_is_retried_and_reasks_are_summed(
    protocol: str, aws: None, request_: Request
) -> None:
    script = [
        Throttle(retry_after="0"),
        Reply(BAD_ANSWER, 100, 10),
        Reply(input_tokens=200, output_tokens=30),
    ]
    with FakeProvider(protocol, script) as fake:  # type: ignore[arg-type]
        generation = await make_backend(protocol, fake).agenerate(request_)
        assert len(fake.requests) == 3
    assert (generation.usage.input_tokens, generation.usage.output_tokens, generation.usage.api_calls) == (
        300,
        40,
        2,
    )


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_async_auth_failure_is_a_clear_backend_error(
    protocol: str, aws: None, request_: Request
) -> None:
    with FakeProvider(protocol, [Fail(401)]) as fake:  # type: ignore[arg-type]
        with pytest.raises(BackendError) as caught:
            await make_backend(protocol, fake).agenerate(request_)
        assert len(fake.requests) == 1, "authentication failures are not retried"
    assert "authentication failed" in str(caught.value)
    assert not isinstance(caught.value, InvalidResponseError)


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
async def test_a_refused_connection_is_reported_as_unreachable_and_retried_in_full(
    protocol: str, request_: Request
) -> None:
    """The SDKs' aiohttp transport reports a refused connect as a timeout; the user is told the truth, and the
    backend retries it as an outage (api_max_retries), not once as a request that hung."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}" + ("/v1" if protocol == "openai" else "")
    config = AgentConfig(
        backend=protocol, base_url=base_url, api_key="sk-test", api_backoff_seconds=0.001, api_max_retries=3
    )
    backend = default_manager().backends()[protocol].item.create(config)
    with pytest.raises(BackendError) as caught:
        await backend.agenerate(request_)
    message = str(caught.value)
    assert f"cannot reach {base_url} (" in message, message
    assert "request timeout" not in message
    assert "gave up after 4 attempts" in message, message


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_many_concurrent_calls_are_all_in_flight_at_once(
    protocol: str, aws: None, request_: Request
) -> None:
    """30 calls to a server that takes 1.5 s each overlap far beyond the default pool's 6 threads (all 30 on an
    idle machine; the bound leaves room for a loaded one)."""
    pool = await count_default_pool()
    with FakeProvider(protocol, [Stall(1.5)]) as fake:  # type: ignore[arg-type]
        backend = make_backend(protocol, fake, concurrency=30)
        await backend.agenerate(request_)  # builds the shared async client once
        used_by_first_call = len(pool.jobs)
        results = await asyncio.gather(*(backend.agenerate(request_) for _ in range(30)))
        assert fake.max_in_flight >= 15, f"only {fake.max_in_flight} of 30 requests were in flight at once"
    assert len(pool.jobs) == used_by_first_call, "no default-pool thread per call"
    assert all(r.response.function_name == "add" for r in results)


async def test_retry_waits_do_not_block_the_event_loop(request_: Request) -> None:
    """While one call backs off for 0.3 s, the loop keeps ticking."""
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    with FakeProvider("openai", [Throttle(retry_after="0.3"), Reply()]) as fake:
        backend = make_backend("openai", fake)
        task = asyncio.create_task(ticker())
        await backend.agenerate(request_)
        task.cancel()
    assert ticks >= 15, f"the loop ticked {ticks} times during a 0.3 s backoff"


def test_agents_share_one_sdk_client_per_configuration() -> None:
    config = AgentConfig(backend="openai", base_url="http://127.0.0.1:9/v1", api_key="sk-a")
    factory = default_manager().backends()["openai"].item
    first, second = factory.create(config), factory.create(config)
    assert first.openai is second.openai  # type: ignore[attr-defined]
    other = factory.create(config.model_copy(update={"base_url": "http://127.0.0.1:10/v1"}))
    assert other.openai is not first.openai  # type: ignore[attr-defined]


def test_cache_keys_hold_no_credentials() -> None:
    factory = default_manager().backends()["openai"].item
    factory.create(
        AgentConfig(backend="openai", base_url="http://127.0.0.1:9/v1", api_key="sk-very-secret-key")
    )
    assert "sk-very-secret-key" not in repr(clients._sync.keys())


async def test_async_clients_are_built_once_per_loop_off_the_loop(request_: Request) -> None:
    with FakeProvider("openai", [Reply()]) as fake:
        backend = make_backend("openai", fake)
        await asyncio.gather(*(backend.agenerate(request_) for _ in range(5)))
        loop = asyncio.get_running_loop()
        built = [key for key in clients._async[loop] if key[0] == "openai"]
    assert len(built) == 1


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
async def test_backends_with_the_same_settings_share_one_async_client_keyed_without_secrets(
    protocol: str, request_: Request
) -> None:
    with FakeProvider(protocol, [Reply()]) as fake:  # type: ignore[arg-type]
        first, second = make_backend(protocol, fake), make_backend(protocol, fake)
        await first.agenerate(request_)
        await second.agenerate(request_)
        loop = asyncio.get_running_loop()
        built = [key for key in clients._async[loop] if key[0] == protocol]
        other = make_backend(protocol, fake, request_timeout=7.0)
        await other.agenerate(request_)
        rebuilt = [key for key in clients._async[loop] if key[0] == protocol]
    assert len(built) == 1, "two backends with one configuration share the async client"
    assert len(rebuilt) == 2, "another timeout is another client"
    assert "sk-test" not in repr(rebuilt)


def test_bedrock_pool_grows_to_the_concurrency_asked() -> None:
    before = blocking_calls.size
    blocking_calls.ensure(before + 3)
    assert blocking_calls.size == before + 3
    blocking_calls.ensure(1)
    assert blocking_calls.size == before + 3, "the pool never shrinks under running calls"


def test_sync_retry_policy_recorder_is_used_by_the_async_path(request_: Request) -> None:
    waits: list[float] = []
    policy = RetryPolicy(max_retries=2, base_delay=0.001, sleep=waits.append)
    with FakeProvider("openai", [Throttle(retry_after="7"), Reply()]) as fake:
        backend = make_backend("openai", fake)
        backend.retry = policy  # type: ignore[attr-defined]
        asyncio.run(backend.agenerate(request_))
    assert waits and waits[0] >= 7, "Retry-After is honoured on the async path too"
