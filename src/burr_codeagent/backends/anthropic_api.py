"""The ``anthropic`` backend: Claude through the Anthropic Messages API.

The key comes from ``ANTHROPIC_API_KEY`` (or ``CODEAGENT_API_KEY``); ``base_url`` points the SDK at a proxy or gateway.
The system prompt carries ``cache_control`` so Anthropic's prompt cache covers the tool schema and system prompt that
every attempt repeats; cache reads and writes appear in the metrics (and are part of the input token total).
``agenerate`` awaits an ``anthropic.AsyncAnthropic`` client with the same settings (shared: see :mod:`.clients`), over
the SDK's aiohttp transport (:func:`.clients.over_aiohttp`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..hookspecs import hookimpl
from ..models import Usage
from ._accounting import usage_from_anthropic
from ._sdk_errors import classify_http_sdk
from ._settings import configured_api_key, configured_base_url
from .base import BackendFactory, BackendNotConfiguredError, GenerationRequest, LLMBackend
from .clients import async_twin, over_aiohttp, sdk_client
from .openai_api import is_local_url
from .retry import ApiFailure, RetryPolicy
from .structured import DEFAULT_REASKS, InstructorBackend

if TYPE_CHECKING:
    from ..config import AgentConfig

__all__ = ["DEFAULT_MODEL", "AnthropicBackend", "AnthropicFactory"]

DEFAULT_MODEL = "claude-sonnet-4-20250514"
ANTHROPIC_URL = "https://api.anthropic.com"
_CLIENT_SETTINGS = ("api_key", "auth_token", "base_url", "timeout", "max_retries")
"""What the async client copies from the synchronous one."""
_SECRETS = ("api_key", "auth_token")


class AnthropicBackend(InstructorBackend):
    """Claude through the Anthropic Messages API.

    Args:
        client: An ``anthropic.Anthropic`` client, ideally with ``max_retries=0``.
        model: Model id.
        retry: Policy for throttling (429), overload (529) and transient failures.
        reasks: Validation re-asks.
        cache_system_prompt: Mark the system prompt with ``cache_control``.
    """

    name = "anthropic"

    def __init__(
        self,
        client: Any,
        *,
        model: str = DEFAULT_MODEL,
        retry: RetryPolicy | None = None,
        reasks: int = DEFAULT_REASKS,
        cache_system_prompt: bool = True,
    ) -> None:
        import instructor

        super().__init__(model=model, retry=retry, reasks=reasks)
        self.provider = instructor.Provider.ANTHROPIC
        self.mode = instructor.Mode.TOOLS
        self.anthropic = client
        self.base_url = str(client.base_url).rstrip("/")
        self.cache_system_prompt = cache_system_prompt

    def request_kwargs(self, request: GenerationRequest[Any]) -> dict[str, Any]:
        system: dict[str, Any] = {"type": "text", "text": request.system}
        if self.cache_system_prompt:
            system["cache_control"] = {"type": "ephemeral"}
        return {
            "model": self.model,
            "system": [system],
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "max_tokens": request.max_tokens,
        }

    def send(self, **kwargs: Any) -> Any:
        return self.anthropic.messages.create(**kwargs)

    async def asend(self, **kwargs: Any) -> Any:
        client = await async_twin(
            "anthropic", self.anthropic, async_anthropic, _CLIENT_SETTINGS, secrets=_SECRETS
        )
        return await client.messages.create(**kwargs)

    def usage_of(self, response: Any) -> Usage:
        return usage_from_anthropic(response)

    def answer_text(self, response: Any) -> str | None:
        import json

        for block in response.content:
            if block.type == "tool_use":
                return json.dumps(block.input, ensure_ascii=False)
        texts = [block.text for block in response.content if block.type == "text"]
        return "".join(texts) if texts else None

    def classify(self, error: BaseException) -> ApiFailure:
        import anthropic

        return classify_http_sdk(
            error,
            anthropic,
            base_url=self.base_url,
            model=self.model or "",
            auth_hint="Set ANTHROPIC_API_KEY (or CODEAGENT_API_KEY) to a valid key from console.anthropic.com",
            timeout=float(self.anthropic.timeout) if isinstance(self.anthropic.timeout, int | float) else 0.0,
        )


def async_anthropic(**settings: Any) -> Any:
    """An ``anthropic.AsyncAnthropic`` with ``settings`` over the SDK's aiohttp transport."""
    import anthropic

    return over_aiohttp(anthropic, anthropic.AsyncAnthropic, **settings)


def _api_key(config: AgentConfig) -> str | None:
    return configured_api_key(config, "ANTHROPIC_API_KEY")


def _base_url(config: AgentConfig) -> str | None:
    return configured_base_url(config, "ANTHROPIC_BASE_URL")


class AnthropicFactory:
    """Builds the ``anthropic`` backend from ``api_key``, ``base_url`` and ``model``."""

    name = "anthropic"
    description = f"Claude through the Anthropic API (ANTHROPIC_API_KEY; model default {DEFAULT_MODEL}; --base-url for a proxy)."

    def missing(self, config: AgentConfig) -> list[str]:
        if _api_key(config) is None and not is_local_url(_base_url(config)):
            return [
                "an API key: set ANTHROPIC_API_KEY (or CODEAGENT_API_KEY); get one at console.anthropic.com"
            ]
        return []

    def create(self, config: AgentConfig) -> LLMBackend:
        import anthropic

        problems = self.missing(config)
        if problems:
            raise BackendNotConfiguredError(
                "anthropic is not configured: " + "; ".join(problems), backend=self.name
            )
        client = sdk_client(
            "anthropic",
            anthropic.Anthropic,
            api_key=_api_key(config) or "not-needed",
            base_url=_base_url(config) or ANTHROPIC_URL,
            max_retries=0,
            timeout=config.request_timeout,
        )
        return AnthropicBackend(
            client, model=config.model or DEFAULT_MODEL, retry=RetryPolicy.from_config(config)
        )


@hookimpl
def register_backends(register: Callable[[BackendFactory], None]) -> None:
    """Register the ``anthropic`` backend."""
    register(AnthropicFactory())
