"""The graph's declarations hold: every step reads and writes only the state keys it declares, and the reports show
the graph that ran."""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from typing import Any

import pytest
from burr.core import State
from burr.lifecycle import PostRunStepHook, PreRunStepHook

from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.backends import ScriptedBackend

from .conftest import GOOD_CODE, broken, make_response

REVIEW = {"issues": ["does not compile"], "root_causes": ["typo"], "fixes": [{"change": "close the paren"}]}
UGLY = GOOD_CODE.replace("def factorial(n: int) -> int:", "def factorial( n:int )->int :")


class StepReads(PreRunStepHook, PostRunStepHook):
    """Records which state keys each step reads while it runs."""

    def __init__(self) -> None:
        self.current: str | None = None
        self.reads: dict[str, set[str]] = defaultdict(set)

    def pre_run_step(self, *, action: Any, **kwargs: Any) -> None:
        self.current = action.name

    def post_run_step(self, **kwargs: Any) -> None:
        self.current = None


def every_step_run(
    config: AgentConfig, monkeypatch: pytest.MonkeyPatch
) -> tuple[StepReads, dict[str, Any], list[Any]]:
    """A run through all five steps (a review, an auto-fix), with the keys each step reads recorded."""
    recorder = StepReads()
    getitem, get = State.__getitem__, State.get

    def record(key: str) -> None:  # only reads by the agent's code count, not Burr's own bookkeeping
        caller = sys._getframe(2).f_globals.get("__name__", "")
        if recorder.current is not None and caller.startswith("burr_codeagent."):
            recorder.reads[recorder.current].add(key)

    def recording_getitem(self: State[Any], key: str) -> Any:
        record(key)
        return getitem(self, key)

    def recording_get(self: State[Any], key: str, default: Any = None) -> Any:
        record(key)
        return get(self, key, default)

    monkeypatch.setattr(State, "__getitem__", recording_getitem)
    monkeypatch.setattr(State, "get", recording_get)
    settings = config.gates.model_copy(update={"enable": ["syntax", "style"]})
    config = config.model_copy(update={"gates": settings, "enable_ai_analysis": True})
    backend = ScriptedBackend([broken(1), REVIEW, make_response(code=UGLY)])
    agent = CodeAgent(config, backend=backend, hooks=[recorder])
    app = agent.application("Write factorial")
    initial = app.state.get_all()
    return recorder, initial, list(app.iterate(halt_after=["end"]))


def test_every_step_reads_and_writes_only_declared_keys(
    config: AgentConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder, before, steps = every_step_run(config, monkeypatch)
    names = [action.name for action, _, _ in steps]
    assert names == [
        "code_generator",
        "code_checker",
        "ai_analysis",
        "code_generator",
        "code_checker",
        "auto_fix",
        "end",
    ]
    for action, result, state in steps:
        assert recorder.reads[action.name] <= set(action.reads), action.name
        assert set(result) <= set(action.writes), action.name
        after = state.get_all()
        changed = {k for k in after if k not in before or after[k] != before[k]} - {
            "__SEQUENCE_ID",
            "__PRIOR_STEP",
        }
        assert changed <= set(action.writes), action.name
        before = after
    assert recorder.reads["code_generator"] >= {"task", "attempts", "usage"}  # the recording itself works


def test_state_stays_json_with_one_usage_record(config: AgentConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, steps = every_step_run(config, monkeypatch)
    state = steps[-1][2].get_all()
    json.dumps(state)
    usage = state["usage"]
    assert usage["generation"]["api_calls"] == 2 and usage["analysis"]["api_calls"] == 1
    assert len(usage["generation_seconds"]) == 2 and len(usage["check_seconds"]) == 2
    assert not {"input_tokens", "total_tokens_used", "api_call_count", "check_times"} & set(state)


def test_the_reports_show_the_graph_that_ran(config: AgentConfig) -> None:
    config = config.model_copy(update={"report_formats": ["markdown"], "enable_ai_analysis": True})
    result = CodeAgent(config, backend=ScriptedBackend([make_response()])).run("Write factorial")
    markdown = result.report_paths["markdown"].read_text()
    assert "stateDiagram-v2" in markdown
    assert "code_checker --> ai_analysis : retrying and enable_ai_analysis (on)" in markdown


def test_an_interrupted_run_reports_the_graph_too(config: AgentConfig) -> None:
    config = config.model_copy(update={"report_formats": ["markdown"]})
    backend = ScriptedBackend([broken(1), KeyboardInterrupt()])
    with pytest.raises(KeyboardInterrupt):
        CodeAgent(config, backend=backend).run("Write factorial")
    (report,) = config.output_dir.glob("*.md")
    assert "code_checker --> code_generator : not_good_enough and retries < 5" in report.read_text()
