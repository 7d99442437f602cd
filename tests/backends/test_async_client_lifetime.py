"""The shared async SDK clients: they go over aiohttp, and every loop's clients close when the loop ends."""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import Any

import anthropic
import openai
import pytest

from burr_codeagent import AgentConfig, PythonCodeGenerationResponse
from burr_codeagent.backends.base import GenerationRequest, LLMBackend
from burr_codeagent.backends.clients import clients
from burr_codeagent.plugins import default_manager

from .fakes import FakeProvider, Reply

Request = GenerationRequest[PythonCodeGenerationResponse]


def make_backend(protocol: str, fake: FakeProvider) -> LLMBackend:
    base_url = fake.url + "/v1" if protocol == "openai" else fake.url
    config = AgentConfig(backend=protocol, base_url=base_url, api_key="sk-test", api_backoff_seconds=0.001)
    return default_manager().backends()[protocol].item.create(config)


def async_clients(loop: asyncio.AbstractEventLoop, protocol: str) -> list[Any]:
    return [future.result() for key, future in clients._async[loop].items() if key[0] == protocol]


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
async def test_the_async_clients_use_their_sdks_aiohttp_transport(protocol: str, request_: Request) -> None:
    sdk = {"openai": openai, "anthropic": anthropic}[protocol]
    with FakeProvider(protocol, [Reply()]) as fake:  # type: ignore[arg-type]
        generation = await make_backend(protocol, fake).agenerate(request_)
        (client,) = async_clients(asyncio.get_running_loop(), protocol)
    assert generation.response.function_name == "add"
    assert isinstance(client._client, sdk.DefaultAioHttpClient)


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
def test_a_loops_clients_are_closed_when_asyncio_run_ends(
    protocol: str, request_: Request, caplog: pytest.LogCaptureFixture
) -> None:
    """Each ``asyncio.run`` over ``agenerate`` (what ``run_many`` does) leaves no open client or connection behind:
    an unclosed aiohttp session logs "Unclosed connector" when it is collected after its loop."""
    seen: list[Any] = []

    async def one_call(backend: LLMBackend) -> None:
        await backend.agenerate(request_)
        seen.extend(async_clients(asyncio.get_running_loop(), protocol))

    with FakeProvider(protocol, [Reply()]) as fake, caplog.at_level(logging.ERROR):  # type: ignore[arg-type]
        backend = make_backend(protocol, fake)
        asyncio.run(one_call(backend))
        asyncio.run(one_call(backend))
        gc.collect()
    assert len(seen) == 2, "one client per loop"
    assert all(client.is_closed() for client in seen)
    assert not [r for r in caplog.records if "Unclosed" in r.getMessage()]
