"""The seam between the agent and an LLM: :class:`LLMBackend`, its request and result, and its errors.

Shaped like httpx's ``BaseTransport``: one method that takes a request and returns a parsed response plus the usage
of every HTTP call made for it (instructor's validation re-asks included).
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel

from ..models import Usage
from ..plugin_settings import Setting, resolve_settings, validate_setting_declarations

if TYPE_CHECKING:
    from ..config import AgentConfig

__all__ = [
    "BackendConfigurationError",
    "BackendError",
    "BackendFactory",
    "BackendFactoryBase",
    "BackendNotConfiguredError",
    "Generation",
    "GenerationRequest",
    "InvalidResponseError",
    "LLMBackend",
    "Message",
    "TruncatedResponseError",
    "backend_options",
    "validate_backend_factory",
]

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Message:
    """One chat message."""

    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True)
class GenerationRequest(Generic[M]):
    """What the agent asks of a backend: a system prompt, messages and the pydantic model to fill."""

    system: str
    messages: tuple[Message, ...]
    response_model: type[M]
    max_tokens: int = 8192
    purpose: Literal["generation", "analysis"] = "generation"


@dataclass
class Generation(Generic[M]):
    """A parsed response, the usage summed over every call made for it, and the raw text of the final answer."""

    response: M
    usage: Usage = field(default_factory=Usage)
    raw: str | None = None


class BackendError(Exception):
    """A backend failed. ``usage`` holds the tokens already spent, so accounting stays honest."""

    def __init__(
        self, message: str, *, backend: str = "", usage: Usage | None = None, retryable: bool = False
    ):
        super().__init__(message)
        self.backend = backend
        self.usage = usage or Usage()
        self.retryable = retryable


class BackendConfigurationError(BackendError):
    """The provider refused the request as configured: a rejected API key, an unknown model or endpoint.

    A settings problem, not an outage: the CLI exits 2 for it, and 3 for other backend failures.
    """


class BackendNotConfiguredError(BackendError):
    """The backend lacks credentials, a model or a URL; the message says what to set."""


class InvalidResponseError(BackendError):
    """The model's answer still failed validation after the re-asks. The agent records a failed attempt."""

    def __init__(
        self, message: str, *, backend: str = "", usage: Usage | None = None, raw: str | None = None
    ):
        super().__init__(message, backend=backend, usage=usage)
        self.raw = raw


class TruncatedResponseError(InvalidResponseError):
    """The provider stopped at the output limit (stop reason ``length`` / ``max_tokens``) before the answer was
    complete. The agent recovers it (see :mod:`burr_codeagent.recovery`)."""


class LLMBackend(ABC):
    """An LLM that fills a pydantic model. Implement :meth:`generate`; override :meth:`agenerate` for native async."""

    name: str = "custom"
    model: str | None = None

    @abstractmethod
    def generate(self, request: GenerationRequest[M]) -> Generation[M]:
        """Send ``request`` and return the parsed response with its usage.

        Raises :class:`InvalidResponseError` when the answer cannot be parsed into ``request.response_model`` and
        :class:`BackendError` for any other failure.
        """

    async def agenerate(self, request: GenerationRequest[M]) -> Generation[M]:
        """Async :meth:`generate`. The default runs :meth:`generate` in a worker thread."""
        return await asyncio.to_thread(self.generate, request)

    def describe(self) -> dict[str, str | None]:
        """Name and model, for reports (never credentials)."""
        return {"backend": self.name, "model": self.model}


@runtime_checkable
class BackendFactory(Protocol):
    """Registered through ``register_backends``: knows whether a backend is configured and how to build it.

    A factory may also declare ``settings`` (a tuple of :class:`~burr_codeagent.plugin_settings.Setting`), read
    from ``backend_options.<name>``; subclass :class:`BackendFactoryBase` for the default and :meth:`options`.
    Recording (``--record``) is done by the agent around whatever ``create`` returns.
    """

    name: str
    description: str

    def missing(self, config: AgentConfig) -> list[str]:
        """What still has to be configured (empty when the backend is usable), phrased as instructions."""
        ...

    def create(self, config: AgentConfig) -> LLMBackend:
        """Build the backend from ``config``; raise :class:`BackendNotConfiguredError` when it cannot."""
        ...


def backend_options(factory: object, config: AgentConfig) -> dict[str, Any]:
    """The validated settings ``factory`` declares, from ``config.backend_options[factory.name]``.

    A setting's aliases (``region`` for bedrock's ``region``) are read from the top-level fields of ``config``
    when the options mapping does not set it.

    Raises:
        ConfigurationError: an unknown setting or a value of the wrong type.
    """
    name = str(getattr(factory, "name", ""))
    settings = validate_setting_declarations(f"backend {name!r}", getattr(factory, "settings", ()))
    given: Mapping[str, Any] = config.backend_options.get(name, {})
    return resolve_settings(
        settings, given, where=f"backend_options.{name}", fallback=lambda field: getattr(config, field, None)
    )


class BackendFactoryBase:
    """Optional base class of a backend factory: no settings, nothing missing, and :meth:`options`."""

    name: str
    description: str
    settings: tuple[Setting, ...] = ()

    def options(self, config: AgentConfig) -> dict[str, Any]:
        """This backend's settings from ``config`` (see :func:`backend_options`)."""
        return backend_options(self, config)

    def missing(self, config: AgentConfig) -> list[str]:
        """What still has to be configured; nothing by default."""
        return []


def validate_backend_factory(factory: object) -> None:
    """Check that ``factory`` fulfils the :class:`BackendFactory` contract (raises :class:`TypeError`)."""
    name = getattr(factory, "name", None)
    if not isinstance(getattr(factory, "description", None), str):
        raise TypeError(f"backend {name!r} has no description (a str)")
    for method in ("missing", "create"):
        if not callable(getattr(factory, method, None)):
            raise TypeError(f"backend {name!r} has no {method}(config) method")
    validate_setting_declarations(f"backend {name!r}", getattr(factory, "settings", ()))
