"""Settings the HTTP backends read the same way: a key or URL from configuration, else the SDK's own variable."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import AgentConfig

__all__ = ["configured_api_key", "configured_base_url"]


def configured_api_key(config: AgentConfig, variable: str) -> str | None:
    """``config.api_key``, else the environment variable the provider's SDK reads (``ANTHROPIC_API_KEY`` ...)."""
    if config.api_key is not None:
        return config.api_key.get_secret_value()
    return os.environ.get(variable) or None


def configured_base_url(config: AgentConfig, variable: str) -> str | None:
    """``config.base_url``, else the SDK's own base-URL variable (``OPENAI_BASE_URL`` ...)."""
    return config.base_url or os.environ.get(variable) or None
