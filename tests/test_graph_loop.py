"""The improvement loop through the public API: early stops, budgets, AI analysis, best attempt, observability."""

from __future__ import annotations

import asyncio
import json

from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.backends import ScriptedBackend
from burr_codeagent.run_usage import RunUsage

from .conftest import GOOD_CODE, broken, make_response

REVIEW = {
    "issues": ["factorial does not compile"],
    "root_causes": ["the parameter list is never closed"],
    "fixes": [{"target": "code", "location": "factorial", "change": "close the parenthesis after `n`"}],
    "summary": "A syntax error hides everything else.",
}
UGLY = GOOD_CODE.replace("def factorial(n: int) -> int:", "def factorial( n:int )->int :")  # formatter-level
WRONG = GOOD_CODE.replace("return n * factorial(n - 1)", "return n + factorial(n - 1)")  # one test fails


def gates(config: AgentConfig, *names: str, **changes: object) -> AgentConfig:
    settings = config.gates.model_copy(update={"enable": list(names)})
    return config.model_copy(update={"gates": settings, **changes})


def test_identical_code_twice_stops_the_loop(config: AgentConfig) -> None:
    backend = ScriptedBackend([broken(1), broken(1), broken(1), make_response()])
    result = CodeAgent(gates(config, "syntax"), backend=backend).run("Write factorial")
    assert len(backend.calls) == 2
    assert result.stop_reason == "no_progress: attempt 2 repeated the code of attempt 1"


def test_the_same_critical_findings_twice_running_stop_the_loop(config: AgentConfig) -> None:
    same_error = [make_response(code=f"def factorial(n:\n    return {n}\n") for n in range(5)]
    backend = ScriptedBackend(same_error)
    result = CodeAgent(gates(config, "syntax"), backend=backend).run("Write factorial")
    assert len(backend.calls) == 2
    assert result.stop_reason == "no_progress: attempts 1 and 2 have the same critical findings"


def test_keep_going_overrides_the_no_progress_stop(config: AgentConfig) -> None:
    backend = ScriptedBackend([broken(1)] * 4)
    agent = CodeAgent(gates(config, "syntax", stop_on_no_progress=False, max_retries=2), backend=backend)
    result = agent.run("Write factorial")
    assert len(backend.calls) == 3
    assert result.stop_reason.startswith("max_retries")


def test_the_token_budget_stops_the_loop(config: AgentConfig) -> None:
    backend = ScriptedBackend([broken(n) for n in range(6)], usage=(100, 50))
    result = CodeAgent(gates(config, "syntax", max_total_tokens=250), backend=backend).run("Write factorial")
    assert len(backend.calls) == 2
    assert result.stop_reason == "token_budget: 300 tokens used of 250"


def test_the_cost_budget_stops_the_loop(config: AgentConfig) -> None:
    # gpt-4o lists at $2.50 per million input tokens: each call below costs $2.50.
    backend = ScriptedBackend([broken(n) for n in range(6)], usage=(1_000_000, 0), model="gpt-4o")
    result = CodeAgent(gates(config, "syntax", max_cost_usd=4.0), backend=backend).run("Write factorial")
    assert len(backend.calls) == 2
    assert result.stop_reason == "cost_budget: $5.0000 estimated of $4.0000"


def test_ai_analysis_reviews_the_failure_and_feeds_the_next_prompt(config: AgentConfig) -> None:
    backend = ScriptedBackend([broken(1), REVIEW, make_response()], usage=(10, 5))
    agent = CodeAgent(gates(config, "syntax", enable_ai_analysis=True), backend=backend)
    result = agent.run("Write factorial")
    assert result.passed
    assert [c.purpose for c in backend.calls] == ["generation", "analysis", "generation"]
    assert "close the parenthesis after `n`" in backend.calls[2].prompt
    assert "Write factorial" in backend.calls[1].prompt
    assert result.metrics.analysis_tokens == 15
    assert result.metrics.api_calls == 3 and result.metrics.total_tokens == 45
    assert len(result.attempts) == 2


def test_a_failed_analysis_is_recorded_and_the_run_goes_on(config: AgentConfig) -> None:
    backend = ScriptedBackend([broken(1), {"not": "a review"}, make_response()], usage=(10, 5))
    agent = CodeAgent(gates(config, "syntax", enable_ai_analysis=True), backend=backend)
    steps = list(agent.application("Write factorial").iterate(halt_after=["end"]))
    state = steps[-1][2]
    assert state["stop_reason"] == "passed"
    reviews = [result for action, result, _ in steps if action.name == "ai_analysis"]
    assert reviews[0]["ai_analysis"] is None
    assert "InvalidResponseError" in reviews[0]["analysis_error"]
    assert (
        RunUsage.model_validate(state["usage"]).analysis.total_tokens == 15
    )  # the failed call's tokens count


def test_analysis_is_off_by_default(config: AgentConfig) -> None:
    backend = ScriptedBackend([broken(1), make_response()])
    CodeAgent(gates(config, "syntax"), backend=backend).run("Write factorial")
    assert [c.purpose for c in backend.calls] == ["generation", "generation"]


def test_the_best_attempt_is_returned_when_later_ones_regress(config: AgentConfig) -> None:
    backend = ScriptedBackend([make_response(code=WRONG), broken(1), broken(2)])
    agent = CodeAgent(gates(config, "syntax", "execution", max_retries=2), backend=backend)
    result = agent.run("Write factorial")
    assert not result.passed
    assert len(backend.calls) == 3
    assert result.best is not None and result.best.index == 1
    assert result.code == WRONG


def test_the_new_steps_are_in_the_graph_and_the_tracking_data(config: AgentConfig) -> None:
    agent = CodeAgent(gates(config, "syntax", "style", enable_ai_analysis=True), backend=ScriptedBackend([]))
    graph = agent.graph()
    names = {a.name for a in graph.actions}
    assert {"code_generator", "code_checker", "auto_fix", "ai_analysis", "end"} <= names
    edges = {(t.from_.name, t.to.name) for t in graph.transitions}
    assert {
        ("code_checker", "auto_fix"),
        ("auto_fix", "ai_analysis"),
        ("ai_analysis", "code_generator"),
    } <= edges

    backend = ScriptedBackend([make_response(code=UGLY)])
    result = CodeAgent(gates(config, "syntax", "style"), backend=backend).run("Write factorial")
    log = config.storage_dir / config.project / result.app_id / "log.jsonl"  # type: ignore[operator]
    steps = [json.loads(line) for line in log.read_text().splitlines()]
    actions = [s["action"] for s in steps if s.get("type") == "end_entry"]
    assert actions == ["code_generator", "code_checker", "auto_fix", "end"]


def test_arun_takes_the_same_path(config: AgentConfig) -> None:
    backend = ScriptedBackend([broken(1), REVIEW, make_response(code=UGLY)])
    agent = CodeAgent(gates(config, "syntax", "style", enable_ai_analysis=True), backend=backend)
    result = asyncio.run(agent.arun("Write factorial"))
    assert result.passed and result.code == GOOD_CODE
    assert result.attempts[-1].auto_fixes
    assert [c.purpose for c in backend.calls] == ["generation", "analysis", "generation"]
