"""Cost estimates: list prices per million tokens, cache reads and writes, and models without a price."""

from __future__ import annotations

import pytest

from burr_codeagent.models import Usage
from burr_codeagent.pricing import PRICES, estimate_cost, price_for


def test_exact_names_and_dated_or_prefixed_model_ids_find_their_price() -> None:
    assert price_for("gpt-4o") == PRICES["gpt-4o"]
    assert price_for("gpt-4o-mini-2024-07-18") == PRICES["gpt-4o-mini"]  # the longest key it contains wins
    assert price_for("us.anthropic.claude-sonnet-4-20250514-v1:0") == PRICES["claude-sonnet-4"]


@pytest.mark.parametrize("model", [None, "", "smollm2-135m", "mystery"])
def test_unknown_or_missing_models_have_no_price_and_no_cost(model: str | None) -> None:
    assert price_for(model) is None
    assert estimate_cost(model, Usage(input_tokens=1_000, output_tokens=1_000)) is None


def test_user_prices_extend_and_override_the_table() -> None:
    assert price_for("my-local-llm", {"my-local-llm": (0.0, 0.0)}) == (0.0, 0.0)
    assert price_for("gpt-4o", {"gpt-4o": (1.0, 1.0)}) == (1.0, 1.0)
    assert "my-local-llm" not in PRICES  # the table itself is not changed


def test_cost_of_input_and_output_tokens() -> None:
    usage = Usage(input_tokens=1_000_000, output_tokens=100_000)
    assert estimate_cost("claude-sonnet-4", usage) == pytest.approx(3.0 + 1.5)
    assert estimate_cost("claude-sonnet-4", Usage()) == 0.0


def test_cache_reads_cost_a_tenth_and_writes_a_quarter_more() -> None:
    usage = Usage(input_tokens=1_000_000, cache_read_tokens=600_000, cache_write_tokens=200_000)
    # 200k uncached at 3.0, 600k read at 0.3, 200k written at 3.75 (per million)
    assert estimate_cost("claude-sonnet-4", usage) == pytest.approx(0.6 + 0.18 + 0.75)


def test_cached_tokens_beyond_the_input_count_never_make_a_negative_charge() -> None:
    usage = Usage(input_tokens=100, cache_read_tokens=1_000)
    assert estimate_cost("claude-sonnet-4", usage) == pytest.approx(1_000 * 3.0 * 0.1 / 1_000_000)
