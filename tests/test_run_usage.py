"""What a run has spent: tokens by purpose add up, timings line up with the steps, and it all stays JSON."""

from __future__ import annotations

import json

from burr_codeagent.models import Usage
from burr_codeagent.run_usage import RunUsage


def test_generation_and_review_tokens_add_up_to_the_total() -> None:
    spent = (
        RunUsage()
        .generated(Usage(input_tokens=100, output_tokens=20, api_calls=2, cache_read_tokens=40), 1.23456)
        .spend("analysis", Usage(input_tokens=30, output_tokens=5, api_calls=1))
        .generated(Usage(input_tokens=50, output_tokens=10, api_calls=1), 0.5)
    )
    assert spent.generation.total_tokens == 180 and spent.analysis.total_tokens == 35
    total = spent.total
    assert (total.input_tokens, total.output_tokens, total.api_calls, total.cache_read_tokens) == (
        180,
        35,
        4,
        40,
    )
    assert spent.generation_seconds == [1.2346, 0.5]


def test_an_auto_fix_recheck_adds_to_the_same_attempts_check_time() -> None:
    spent = RunUsage().checked(0.25).checked(1.0).rechecked(0.5)
    assert spent.check_seconds == [0.25, 1.5]


def test_it_round_trips_through_json_state() -> None:
    spent = RunUsage().generated(Usage(input_tokens=7, output_tokens=3, api_calls=1, latencies=[0.1]), 0.2)
    data = json.loads(json.dumps(spent.model_dump(mode="json")))
    assert RunUsage.model_validate(data) == spent
    assert "total" not in data  # derived, never stored twice
