"""The ``openai`` backend (any OpenAI-compatible Chat Completions server) and its ``ollama`` alias.

``base_url`` selects the server: OpenAI itself by default, or Ollama, vLLM, llama.cpp's server, LM Studio ... An API
key (``OPENAI_API_KEY`` or ``CODEAGENT_API_KEY``) is needed for OpenAI and other remote servers; a server on this
machine or a private network usually needs none. OpenAI caches long prompt prefixes by itself and reports the cached
part in ``prompt_tokens_details.cached_tokens``, which the metrics show as cache reads.

``agenerate`` awaits an ``openai.AsyncOpenAI`` client with the sync client's settings (one per event loop, shared
by every backend with those settings: see :mod:`.clients`), over the SDK's aiohttp transport (:func:`async_openai`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..hookspecs import hookimpl
from ..models import Usage
from ._accounting import usage_from_openai
from ._sdk_errors import classify_http_sdk
from ._settings import configured_api_key, configured_base_url
from .base import BackendFactory, BackendNotConfiguredError, GenerationRequest, LLMBackend
from .clients import async_twin, over_aiohttp, sdk_client
from .retry import ApiFailure, RetryPolicy
from .structured import DEFAULT_REASKS, InstructorBackend

if TYPE_CHECKING:
    from ..config import AgentConfig

__all__ = ["OLLAMA_URL", "OllamaFactory", "OpenAIBackend", "OpenAIFactory", "is_local_url"]

DEFAULT_MODEL = "gpt-4o-mini"
OLLAMA_URL = "http://localhost:11434/v1"
OLLAMA_MODEL = "qwen2.5-coder:7b"
OPENAI_URL = "https://api.openai.com/v1"
NO_KEY = "not-needed"
_CLIENT_SETTINGS = ("api_key", "base_url", "organization", "project", "timeout", "max_retries")
"""What the async client copies from the synchronous one."""


def is_local_url(url: str | None) -> bool:
    """Whether ``url`` points at this machine or a private network (where servers rarely want a key)."""
    if not url:
        return False
    host = (urlsplit(url).hostname or "").lower()
    if host in ("localhost", "host.docker.internal") or host.endswith((".local", ".localhost", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


class OpenAIBackend(InstructorBackend):
    """A model behind an OpenAI-compatible Chat Completions endpoint.

    Args:
        client: An ``openai.OpenAI`` client, ideally with ``max_retries=0`` (see :meth:`OpenAIFactory.create`).
        model: Model name as the server knows it.
        retry: Policy for throttling and transient failures.
        reasks: Validation re-asks.
        json_schema: Ask for a JSON-schema ``response_format`` instead of a tool call (for servers or models
            without tool calling).
    """

    name = "openai"

    def __init__(
        self,
        client: Any,
        *,
        model: str = DEFAULT_MODEL,
        retry: RetryPolicy | None = None,
        reasks: int = DEFAULT_REASKS,
        json_schema: bool = False,
        name: str = "openai",
    ) -> None:
        import instructor

        super().__init__(model=model, retry=retry, reasks=reasks)
        self.name = name
        self.provider = instructor.Provider.OPENAI
        self.mode = instructor.Mode.JSON_SCHEMA if json_schema else instructor.Mode.TOOLS
        self.openai = client
        self.base_url = str(client.base_url).rstrip("/")

    def request_kwargs(self, request: GenerationRequest[Any]) -> dict[str, Any]:
        messages: list[dict[str, Any]] = [{"role": "system", "content": request.system}]
        messages += [{"role": m.role, "content": m.content} for m in request.messages]
        return {"model": self.model, "messages": messages, "max_tokens": request.max_tokens}

    def send(self, **kwargs: Any) -> Any:
        return self.openai.chat.completions.create(**schemas_as_sent(kwargs))

    async def asend(self, **kwargs: Any) -> Any:
        client = await async_twin("openai", self.openai, async_openai, _CLIENT_SETTINGS)
        return await client.chat.completions.create(**schemas_as_sent(kwargs))

    def usage_of(self, response: Any) -> Usage:
        return usage_from_openai(response)

    def answer_text(self, response: Any) -> str | None:
        message = response.choices[0].message
        if message.tool_calls:
            return str(message.tool_calls[0].function.arguments)
        return None if message.content is None else str(message.content)

    def classify(self, error: BaseException) -> ApiFailure:
        import openai

        return classify_http_sdk(
            error,
            openai,
            base_url=self.base_url,
            model=self.model or "",
            auth_hint="Set OPENAI_API_KEY (or CODEAGENT_API_KEY) to a valid key for this server",
            url_hint=" (an OpenAI-compatible base URL usually ends in /v1)",
            timeout=float(self.openai.timeout) if isinstance(self.openai.timeout, int | float) else 0.0,
        )


def async_openai(**settings: Any) -> Any:
    """An ``openai.AsyncOpenAI`` with ``settings`` over the SDK's aiohttp transport (see :func:`.clients.over_aiohttp`)."""
    import openai

    return over_aiohttp(openai, openai.AsyncOpenAI, **settings)


_SCHEMA_ARGUMENTS = ("tools", "tool_choice", "response_format")


def schemas_as_sent(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` with the response model's schema (instructor's ``tools`` and ``tool_choice``, or its
    ``response_format``) and text-only ``messages`` in ``extra_body``.

    The SDK walks every argument against its type hints before sending (``_transform``): for a schema of a few
    kilobytes that is ~3 ms of CPU per call, a tenth of an agent run's CPU in a batch, and it changes nothing, since
    a tool's ``parameters`` and a JSON schema are typed as free-form JSON objects. In ``extra_body`` the same
    JSON goes out untouched.
    """
    moved = {name: kwargs[name] for name in _SCHEMA_ARGUMENTS if isinstance(kwargs.get(name), dict | list)}
    if _text_only(kwargs.get("messages")):
        # The messages' walk tries each of the six message types of the union on every message (~1.5 ms of CPU per
        # call) and changes nothing in text messages: none of the SDK's message types renames or reformats a field.
        moved["messages"] = kwargs["messages"]
    if not moved:
        return kwargs
    rest = {name: value for name, value in kwargs.items() if name not in moved}
    if "messages" in moved:
        rest["messages"] = []  # required by the SDK's signature; the body's messages come from extra_body
    rest["extra_body"] = {**moved, **(kwargs.get("extra_body") or {})}
    return rest


def _text_only(messages: object) -> bool:
    """Whether ``messages`` is a list of messages whose every field is a string (no content parts, no tool calls)."""
    return isinstance(messages, list) and all(
        isinstance(message, dict) and all(isinstance(value, str) for value in message.values())
        for message in messages
    )


def _api_key(config: AgentConfig) -> str | None:
    return configured_api_key(config, "OPENAI_API_KEY")


def make_openai_client(config: AgentConfig, base_url: str, api_key: str | None) -> Any:
    """The shared ``openai.OpenAI`` client for these settings: the SDK's own retries off, the request timeout set."""
    import openai

    return sdk_client(
        "openai",
        openai.OpenAI,
        api_key=api_key or NO_KEY,
        base_url=base_url,
        max_retries=0,
        timeout=config.request_timeout,
    )


def _base_url(config: AgentConfig) -> str | None:
    return configured_base_url(config, "OPENAI_BASE_URL")


class OpenAIFactory:
    """Builds the ``openai`` backend from ``base_url``, ``api_key`` and ``model``."""

    name = "openai"
    description = (
        "Any OpenAI-compatible server (OpenAI, vLLM, llama.cpp server, LM Studio, Ollama) via --base-url; "
        f"model default {DEFAULT_MODEL}; OPENAI_API_KEY unless the server is local."
    )

    def missing(self, config: AgentConfig) -> list[str]:
        if _api_key(config) is None and not is_local_url(_base_url(config)):
            where = _base_url(config) or OPENAI_URL
            return [
                f"an API key for {where}: set OPENAI_API_KEY (or CODEAGENT_API_KEY); or point --base-url at a local "
                "server such as http://localhost:11434/v1"
            ]
        return []

    def create(self, config: AgentConfig) -> LLMBackend:
        problems = self.missing(config)
        if problems:
            raise BackendNotConfiguredError(
                "openai is not configured: " + "; ".join(problems), backend=self.name
            )
        client = make_openai_client(config, _base_url(config) or OPENAI_URL, _api_key(config))
        return OpenAIBackend(
            client, model=config.model or DEFAULT_MODEL, retry=RetryPolicy.from_config(config)
        )


class OllamaFactory:
    """The ``openai`` backend pointed at Ollama (``http://localhost:11434/v1`` unless ``base_url`` says otherwise)."""

    name = "ollama"
    description = (
        f"Ollama's OpenAI-compatible API (default {OLLAMA_URL}, model {OLLAMA_MODEL}; `ollama pull` it first). "
        "Uses JSON-schema structured outputs, which every Ollama model supports."
    )

    def missing(self, config: AgentConfig) -> list[str]:
        return []

    def create(self, config: AgentConfig) -> LLMBackend:
        client = make_openai_client(config, config.base_url or OLLAMA_URL, _api_key(config))
        return OpenAIBackend(
            client,
            model=config.model or OLLAMA_MODEL,
            retry=RetryPolicy.from_config(config),
            json_schema=True,
            name="ollama",
        )


@hookimpl
def register_backends(register: Callable[[BackendFactory], None]) -> None:
    """Register the ``openai`` and ``ollama`` backends."""
    register(OpenAIFactory())
    register(OllamaFactory())
