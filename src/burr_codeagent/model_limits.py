"""What each model can take and give: its output token limit and its context window.

``max_tokens`` defaults to the model's own output limit where this table knows the model, else to
:data:`DEFAULT_MAX_TOKENS`; the retry prompt's budget is a share of the context window (:data:`DEFAULT_CONTEXT_TOKENS`
when the model is unknown). Model ids are matched after dropping the routing prefixes providers put in front of them
(Bedrock's ``us.anthropic.``, OpenRouter's ``openai/``, ...), most specific pattern first, so dated ids
(``claude-3-5-sonnet-20241022``) and Bedrock ids (``anthropic.claude-3-5-sonnet-20240620-v1:0``) find their family.

The figures are the providers' published limits (late 2025). A model served by Ollama, vLLM or llama.cpp is bounded
by the server's own ``--ctx-size``/``num_ctx``; set ``max_tokens`` and ``context_tokens`` for it when they differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

__all__ = [
    "DEFAULT_CONTEXT_TOKENS",
    "DEFAULT_MAX_TOKENS",
    "MODEL_LIMITS",
    "ModelLimits",
    "limits_for",
    "normalise_model_id",
    "with_model_limits",
]

DEFAULT_MAX_TOKENS = 8_192
"""Output limit for a model the table does not know: enough for a module of ~600 lines and its tests."""

DEFAULT_CONTEXT_TOKENS = 32_768
"""Context window assumed for a model the table does not know (what small local servers commonly offer)."""


@dataclass(frozen=True)
class ModelLimits:
    """The most tokens one answer may have (``output_tokens``) and the size of the context window."""

    output_tokens: int
    context_tokens: int
    known: bool = True
    """False when the figures are the defaults for an unknown model."""


# (pattern, output tokens, context tokens); first match wins, so specific patterns come before general ones.
MODEL_LIMITS: tuple[tuple[str, int, int], ...] = (
    # Anthropic (the same ids on Bedrock after the prefix is dropped)
    ("claude-3-5-sonnet*", 8_192, 200_000),
    ("claude-3-5-haiku*", 8_192, 200_000),
    ("claude-3-7-sonnet*", 64_000, 200_000),
    ("claude-3-opus*", 4_096, 200_000),
    ("claude-3-sonnet*", 4_096, 200_000),
    ("claude-3-haiku*", 4_096, 200_000),
    ("claude-opus-4-5*", 64_000, 200_000),
    ("claude-opus-4*", 32_000, 200_000),
    ("claude-sonnet-4*", 64_000, 200_000),
    ("claude-haiku-4*", 64_000, 200_000),
    # OpenAI
    ("gpt-4o-mini*", 16_384, 128_000),
    ("gpt-4o*", 16_384, 128_000),
    ("chatgpt-4o*", 16_384, 128_000),
    ("gpt-4.1*", 32_768, 1_047_576),
    ("gpt-4-turbo*", 4_096, 128_000),
    ("gpt-4-32k*", 4_096, 32_768),
    ("gpt-4", 8_192, 8_192),
    ("gpt-4-0*", 8_192, 8_192),
    ("gpt-3.5-turbo*", 4_096, 16_385),
    ("gpt-5*", 128_000, 400_000),
    ("o1-mini*", 65_536, 128_000),
    ("o1*", 100_000, 200_000),
    ("o3*", 100_000, 200_000),
    ("o4-mini*", 100_000, 200_000),
    # Open-weight families as Ollama, vLLM and llama.cpp serve them (their usual default context)
    ("llama3.1*", 8_192, 131_072),
    ("llama-3.1*", 8_192, 131_072),
    ("llama3.2*", 8_192, 131_072),
    ("llama-3.2*", 8_192, 131_072),
    ("llama3.3*", 8_192, 131_072),
    ("llama-3.3*", 8_192, 131_072),
    ("llama3*", 8_192, 8_192),
    ("llama-3*", 8_192, 8_192),
    ("meta.llama3-1*", 2_048, 128_000),  # Bedrock caps Llama's max_gen_len at 2,048
    ("qwen2.5-coder*", 8_192, 32_768),
    ("qwen2.5*", 8_192, 32_768),
    ("qwen3*", 32_768, 40_960),
    ("qwen*", 8_192, 32_768),
    ("deepseek-coder*", 8_192, 16_384),
    ("deepseek-r1*", 32_768, 131_072),
    ("mistral-large*", 8_192, 131_072),
    ("codestral*", 8_192, 262_144),
    ("smollm2*", 2_048, 8_192),
)

# Routing prefixes in front of a model id: Bedrock's cross-region and provider prefixes, OpenRouter-style vendors.
_PREFIX = re.compile(r"^(?:(?:us|eu|apac|global|us-gov)\.)?(?:anthropic\.|openai\.)")
_VENDOR = re.compile(r"^[\w.-]+/")


def normalise_model_id(model: str) -> str:
    """``model`` in lower case without routing prefixes, version suffixes or Ollama tags' separators.

    >>> normalise_model_id("us.anthropic.claude-3-5-sonnet-20241022-v2:0")
    'claude-3-5-sonnet-20241022-v2:0'
    >>> normalise_model_id("openai/gpt-4o")
    'gpt-4o'
    """
    name = model.strip().lower()
    name = _VENDOR.sub("", name)
    return _PREFIX.sub("", name)


def limits_for(model: str | None) -> ModelLimits:
    """The limits of ``model``, or the documented defaults (``known=False``) when the table does not know it."""
    if model:
        name = normalise_model_id(model)
        if name.endswith(".gguf"):  # a local GGUF path: its file name says the family
            name = name.rsplit("/", 1)[-1]
        for pattern, output_tokens, context_tokens in MODEL_LIMITS:
            if fnmatchcase(name, pattern):
                return ModelLimits(output_tokens, context_tokens)
    return ModelLimits(DEFAULT_MAX_TOKENS, DEFAULT_CONTEXT_TOKENS, known=False)


if TYPE_CHECKING:
    from .config import AgentConfig


def with_model_limits(config: AgentConfig, model: str | None) -> AgentConfig:
    """``config`` with ``max_tokens`` and ``context_tokens`` filled in from ``model``'s limits where they are unset."""
    limits = limits_for(model or config.model)
    update: dict[str, int] = {}
    if config.max_tokens is None:
        update["max_tokens"] = limits.output_tokens
    if config.context_tokens is None:
        update["context_tokens"] = limits.context_tokens
    return config.model_copy(update=update) if update else config
