"""The agent loop through the public API: generations used, stop reasons, best attempt, reports, async."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from burr_codeagent import (
    AgentConfig,
    AgentResult,
    CodeAgent,
    ConfigurationError,
    PythonCodeGenerationResponse,
)
from burr_codeagent.backends import BackendError, ScriptedBackend

from .conftest import GOOD_CODE, broken, make_response


def syntax_only(config: AgentConfig, **changes: object) -> AgentConfig:
    """The same config with only the syntax gate, so a test is about the loop, not about other gates."""
    gates = config.gates.model_copy(update={"enable": ["syntax"]})
    return config.model_copy(update={"gates": gates, **changes})


def test_clean_first_answer_makes_one_generation(config: AgentConfig) -> None:
    backend = ScriptedBackend([make_response()], usage=(120, 80))
    result = CodeAgent(config, backend=backend).run("Write factorial")
    assert result.passed
    assert len(backend.calls) == 1
    assert len(result.attempts) == 1
    assert result.stop_reason == "passed"
    assert result.code == GOOD_CODE
    assert result.best is not None and result.best.index == 1


def test_answers_that_stay_bad_make_exactly_six_generations(config: AgentConfig) -> None:
    backend = ScriptedBackend([broken(i) for i in range(10)], usage=(10, 5))
    result = CodeAgent(config, backend=backend).run("Write factorial")
    assert not result.passed
    assert len(backend.calls) == 6
    assert [a.index for a in result.attempts] == [1, 2, 3, 4, 5, 6]
    assert result.stop_reason.startswith("max_retries")
    assert result.metrics.api_calls == 6
    assert result.metrics.input_tokens == 60 and result.metrics.output_tokens == 30


def test_answer_clean_on_the_third_try_makes_three_generations(config: AgentConfig) -> None:
    backend = ScriptedBackend([broken(1), broken(2), make_response(), broken(4)])
    result = CodeAgent(config, backend=backend).run("Write factorial")
    assert result.passed
    assert len(backend.calls) == 3
    assert result.best is not None and result.best.index == 3


def test_max_retries_zero_means_a_single_generation(config: AgentConfig) -> None:
    backend = ScriptedBackend([broken(1), make_response()])
    result = CodeAgent(config.model_copy(update={"max_retries": 0}), backend=backend).run("Write factorial")
    assert len(backend.calls) == 1
    assert not result.passed


def test_retry_prompt_restates_task_and_names_the_failure(config: AgentConfig) -> None:
    backend = ScriptedBackend([broken(1), make_response()])
    CodeAgent(syntax_only(config), backend=backend).run("Write factorial with recursion")
    first, second = backend.calls
    assert "Write factorial with recursion" in first.prompt
    assert "Write factorial with recursion" in second.prompt
    assert "syntax.error" in second.prompt


def test_invalid_model_output_is_a_failed_attempt_not_a_crash(config: AgentConfig) -> None:
    backend = ScriptedBackend([{"function_name": "f", "code": 3}, make_response()], usage=(7, 3))
    result = CodeAgent(config, backend=backend).run("Write factorial")
    assert result.passed
    assert len(result.attempts) == 2
    failed = result.attempts[0]
    assert failed.response is None
    assert [f.rule for f in failed.report.findings] == ["generation.invalid_response"]
    assert result.metrics.input_tokens == 14  # the tokens of the unusable answer still count


def test_backend_failure_keeps_finished_attempts_and_reports(config: AgentConfig) -> None:
    backend = ScriptedBackend([broken(1), BackendError("throttled for good", backend="scripted")])
    result = CodeAgent(config, backend=backend).run("Write factorial")
    assert not result.passed
    assert len(result.attempts) == 1
    assert result.stop_reason.startswith("backend_error")
    assert "throttled for good" in result.stop_reason
    assert result.report_paths["markdown"].is_file()


def test_a_response_without_tests_is_critical_inside_the_agent(config: AgentConfig) -> None:
    backend = ScriptedBackend([make_response(test_code=""), make_response()])
    result = CodeAgent(config, backend=backend).run("Write factorial")
    assert "tests.missing" in {f.rule for f in result.attempts[0].report.findings}
    assert len(result.attempts) == 2


def test_empty_task_is_rejected_before_any_call(config: AgentConfig) -> None:
    backend = ScriptedBackend([make_response()])
    with pytest.raises(ConfigurationError, match="task is empty"):
        CodeAgent(config, backend=backend).run("   ")
    assert backend.calls == []


def test_unknown_backend_name_is_rejected_with_the_choices(config: AgentConfig) -> None:
    with pytest.raises(ConfigurationError, match=r"unknown backend 'nope'; choose one of: .*bedrock"):
        CodeAgent(config, backend="nope")
    with pytest.raises(ConfigurationError, match=r"unknown backend 'bedrok' \(did you mean 'bedrock'\?\)"):
        CodeAgent(config.model_copy(update={"backend": "bedrok"}))


def test_reports_are_written_with_the_original_name(config: AgentConfig) -> None:
    result = CodeAgent(config, backend=ScriptedBackend([make_response()])).run("Write factorial")
    markdown = result.report_paths["markdown"]
    assert markdown.parent == config.output_dir
    assert markdown.name.startswith("ai_coding_workflow_report_") and markdown.suffix == ".md"
    text = markdown.read_text()
    for section in (
        "Quality Metrics Summary",
        "Workflow Journey",
        "Generated Artifacts",
        "Quality Assessment",
        "Performance Summary",
        "Configuration Details",
    ):
        assert f"## {section}" in text
    data = json.loads(result.report_paths["json"].read_text())
    assert AgentResult.model_validate(data).app_id == result.app_id


def test_arun_is_natively_async_and_runs_concurrently(config: AgentConfig) -> None:
    class SlowAsync(ScriptedBackend):
        async def agenerate(self, request):  # type: ignore[no-untyped-def]
            await asyncio.sleep(0.2)
            return self.generate(request)

    async def main() -> list[AgentResult]:
        agents = [CodeAgent(config, backend=SlowAsync([make_response()])) for _ in range(3)]
        return await asyncio.gather(*(a.arun("Write factorial") for a in agents))

    results = asyncio.run(main())
    assert all(r.passed for r in results)
    assert len({r.app_id for r in results}) == 3
    assert len({r.report_paths["markdown"] for r in results}) == 3  # no collisions


def test_application_is_a_burr_application_users_can_drive(config: AgentConfig) -> None:
    agent = CodeAgent(config, backend=ScriptedBackend([make_response()]))
    app = agent.application("Write factorial")
    action, _, state = app.run(halt_after=["end"])
    assert action.name == "end"
    assert state["stop_reason"] == "passed"
    assert PythonCodeGenerationResponse.model_validate(state["generated_python_response"]).code == GOOD_CODE
    json.dumps(state.get_all())  # state stays JSON-serialisable


def test_state_declares_the_original_design_keys(config: AgentConfig) -> None:
    graph = CodeAgent(config, backend=ScriptedBackend([])).graph()
    actions = {a.name: a for a in graph.actions}
    assert set(actions) >= {"code_generator", "code_checker", "end"}
    assert {"not_good_enough", "retries", "check_results", "ai_analysis"} <= set(
        actions["code_generator"].reads
    )
    assert {"generated_python_response", "retries"} <= set(actions["code_generator"].writes)
    assert {"not_good_enough", "check_results"} <= set(actions["code_checker"].writes)
    assert "workflow_end_time" in actions["end"].writes


def test_secrets_do_not_reach_reports(config: AgentConfig, tmp_path: Path) -> None:
    config = AgentConfig(
        storage_dir=tmp_path / "b", output_dir=tmp_path / "r", api_key="sk-canary-0123456789"
    )
    result = CodeAgent(config, backend=ScriptedBackend([make_response()])).run("Write factorial")
    for path in result.report_paths.values():
        assert "sk-canary-0123456789" not in path.read_text()


def test_an_interrupted_run_still_writes_the_reports_of_finished_attempts(config: AgentConfig) -> None:
    backend = ScriptedBackend([broken(1), KeyboardInterrupt()])
    with pytest.raises(KeyboardInterrupt):
        CodeAgent(config, backend=backend).run("Write factorial")
    (report,) = config.output_dir.glob("*.json")
    data = json.loads(report.read_text())
    assert data["stop_reason"] == "interrupted"
    assert [a["index"] for a in data["attempts"]] == [1]
