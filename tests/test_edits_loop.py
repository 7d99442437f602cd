"""Retries answered with edits, through whole runs: the ScriptedBackend dict form, and a replayed recording of a
capable model's long answer whose retry was answered with edits (``tests/cassettes/moderate_edits.json``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.backends import ScriptedBackend
from burr_codeagent.tasks import resolve_tasks

from .conftest import GOOD_CODE, make_response

CASSETTES = Path(__file__).parent / "cassettes"
OFF_BY_ONE = GOOD_CODE.replace("return n * factorial(n - 1)", "return n * factorial(n - 2)")


def tracked_states(storage: Path, app_id: str) -> list[dict[str, Any]]:
    """The state Burr's local tracker recorded after each step of a run."""
    log = storage / "burr-codeagent" / app_id / "log.jsonl"
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    return [e["state"] for e in entries if e.get("type") == "end_entry" and "state" in e]


def test_a_dict_of_edits_is_a_retry_answer_and_the_report_and_burr_state_record_them(
    config: AgentConfig,
) -> None:
    missing = {"target": "code", "search": "return n * factorial(n-2)", "replace": "x"}
    fix = {"target": "code", "search": "factorial(n - 2)", "replace": "factorial(n - 1)"}
    backend = ScriptedBackend(
        [
            make_response(code=OFF_BY_ONE),
            {"edits": [missing], "explanation": "a wrong guess"},
            {"edits": [fix], "explanation": "recurse on n - 1"},
        ]
    )
    settings = config.model_copy(update={"max_retries": 3, "report_formats": ["markdown", "json", "html"]})
    result = CodeAgent(settings, backend=backend).run("Write factorial")
    assert result.passed and len(result.attempts) == 3 and result.code == GOOD_CODE
    first, second, third = result.attempts
    assert first.edits == [] and [e.applied for e in second.edits] == [False] and third.edits[0].applied
    assert second.edits[0].problem == "the search text does not occur in the code"
    third_prompt = backend.calls[2].messages[-1].content
    assert "1 of your 1 edit(s) were NOT applied" in third_prompt
    assert "return n * factorial(n - 2)" in third_prompt.split("NOT applied")[1]  # the closest line, quoted

    report = json.loads(result.report_paths["json"].read_text())
    assert [len(a["edits"]) for a in report["attempts"]] == [0, 1, 1]
    assert report["attempts"][2]["edits"][0]["search"] == "factorial(n - 2)"
    markdown = result.report_paths["markdown"].read_text()
    assert (
        "Answered with 1 edit to attempt 1: 0 applied; edit 1 (code) not applied: the search text" in markdown
    )
    assert "Answered with 1 edit to attempt 2: 1 applied." in markdown
    html = result.report_paths["html"].read_text()
    assert "edit 1 (code) not applied: the search text does not occur in the code" in html

    assert config.storage_dir is not None
    states = tracked_states(config.storage_dir, result.app_id)
    recorded = [s["last_edits"] for s in states if s.get("last_edits")]
    assert [[e["applied"] for e in edits] for edits in recorded][-1] == [True]
    assert states[-1]["attempts"][1]["edits"][0]["problem"] == "the search text does not occur in the code"


def test_a_replayed_long_answer_is_fixed_by_a_retry_answered_with_edits(tmp_path: Path) -> None:
    cassette = CASSETTES / "moderate_edits.json"
    recorded = json.loads(cassette.read_text())["interactions"]
    assert recorded[1]["response_model"] == "RetryResponse" and len(recorded[0]["response"]["code"]) > 10_000
    config = AgentConfig(
        backend="replay",
        backend_options={"replay": {"cassette": cassette, "match": "order"}},
        warning_threshold=0,  # as recorded: the first answer's warnings send it back
        max_retries=1,
        output_dir=tmp_path / "reports",
        tracking=False,
    )
    [(_, task)] = resolve_tasks("moderate")
    result = CodeAgent(config).run(task)
    first, second = result.attempts
    assert first.report.warning_count > 0 and not first.report.passed
    assert len(second.edits) == len(recorded[1]["response"]["edits"]) and all(e.applied for e in second.edits)
    assert second.report.warning_count < first.report.warning_count
    assert second.usage.output_tokens == recorded[1]["usage"]["output_tokens"]
    assert second.usage.output_tokens < first.usage.output_tokens, "the edits cost less than the whole module"
    assert len(second.response.code if second.response else "") > 10_000
