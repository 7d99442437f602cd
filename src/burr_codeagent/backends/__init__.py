"""LLM backends. Every public module in this package is a built-in plugin registering a backend through the
``register_backends`` hook; :class:`ScriptedBackend` is the public test double."""

from .base import (
    BackendError,
    BackendFactory,
    BackendFactoryBase,
    BackendNotConfiguredError,
    Generation,
    GenerationRequest,
    InvalidResponseError,
    LLMBackend,
    Message,
)
from .scripted import ScriptedBackend, ScriptedCall, ScriptExhaustedError

__all__ = [
    "BackendError",
    "BackendFactory",
    "BackendFactoryBase",
    "BackendNotConfiguredError",
    "Generation",
    "GenerationRequest",
    "InvalidResponseError",
    "LLMBackend",
    "Message",
    "ScriptExhaustedError",
    "ScriptedBackend",
    "ScriptedCall",
]
