"""Estimated cost from a small per-model price table (USD per million tokens) that users can extend.

Prices are list prices for on-demand use as published by the providers; treat the figure as an estimate.
Cache reads are billed at 10 % and cache writes at 125 % of the input price, as Anthropic and Bedrock do.
"""

from __future__ import annotations

from collections.abc import Mapping

from .models import Usage

__all__ = ["PRICES", "estimate_cost", "price_for"]

PRICES: dict[str, tuple[float, float]] = {
    "claude-3-5-sonnet": (3.0, 15.0),
    "claude-3-7-sonnet": (3.0, 15.0),
    "claude-sonnet-4": (3.0, 15.0),
    "claude-3-5-haiku": (0.8, 4.0),
    "claude-3-haiku": (0.25, 1.25),
    "claude-haiku-4": (1.0, 5.0),
    "claude-opus-4": (15.0, 75.0),
    "gpt-4o-mini": (0.15, 0.6),
    "gpt-4o": (2.5, 10.0),
    "gpt-4.1-mini": (0.4, 1.6),
    "gpt-4.1": (2.0, 8.0),
}


def price_for(
    model: str | None, extra: Mapping[str, tuple[float, float]] | None = None
) -> tuple[float, float] | None:
    """The (input, output) price of ``model``: an exact entry first, else the longest table key it contains."""
    if not model:
        return None
    table = {**PRICES, **(extra or {})}
    if model in table:
        return table[model]
    matches = [key for key in table if key in model]
    return table[max(matches, key=len)] if matches else None


def estimate_cost(
    model: str | None, usage: Usage, extra: Mapping[str, tuple[float, float]] | None = None
) -> float | None:
    """Estimated USD cost of ``usage`` on ``model``, or None when the model's price is unknown (local models)."""
    price = price_for(model, extra)
    if price is None:
        return None
    input_price, output_price = price
    uncached = max(usage.input_tokens - usage.cache_read_tokens - usage.cache_write_tokens, 0)
    cost = (
        uncached * input_price
        + usage.cache_read_tokens * input_price * 0.1
        + usage.cache_write_tokens * input_price * 1.25
        + usage.output_tokens * output_price
    ) / 1_000_000
    return round(cost, 6)
