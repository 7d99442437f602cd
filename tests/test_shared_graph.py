"""Runs share one Burr graph per settings; each run still uses its own backend, checker and settings, and Burr's
tracking UI still shows every step's code."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.backends import ScriptedBackend
from burr_codeagent.graph import GraphShape, shared_graph

from .conftest import broken, make_response

PRODUCT = '"""Product."""\n\n\ndef mul(a: int, b: int) -> int:\n    """Return a * b."""\n    return a * b\n'
PRODUCT_TESTS = "from solution import mul\n\n\ndef test_mul() -> None:\n    assert mul(2, 3) == 6\n"


async def test_concurrent_runs_each_use_their_own_backend_and_settings(tmp_path: Path) -> None:
    fixes = AgentConfig(storage_dir=tmp_path / "burr", output_dir=tmp_path / "a", max_retries=2)
    gives_up = AgentConfig(storage_dir=tmp_path / "burr", output_dir=tmp_path / "b", max_retries=0)
    first = CodeAgent(fixes, backend=ScriptedBackend([broken(1), make_response()]))
    second = CodeAgent(gives_up, backend=ScriptedBackend([broken(2)]))
    third = CodeAgent(fixes, backend=ScriptedBackend([make_response(code=PRODUCT, test_code=PRODUCT_TESTS)]))
    a, b, c = await asyncio.gather(
        first.arun("Write factorial"), second.arun("Write factorial"), third.arun("Write mul")
    )
    assert (a.passed, len(a.attempts)) == (True, 2)
    assert (b.passed, len(b.attempts)) == (False, 1) and b.stop_reason.startswith("max_retries")
    assert c.passed and "def mul" in c.code
    assert all(path.is_relative_to(tmp_path / "a") for path in a.report_paths.values())
    assert all(path.is_relative_to(tmp_path / "b") for path in b.report_paths.values())


def test_runs_with_the_same_settings_share_the_graph_and_track_its_code(config: AgentConfig) -> None:
    agent = CodeAgent(config, backend=ScriptedBackend([make_response(), make_response()]))
    runs = [agent.run("Write factorial"), agent.run("Write factorial")]
    assert shared_graph(GraphShape.of(config)) is shared_graph(GraphShape.of(config.model_copy()))
    for result in runs:
        tracked = json.loads(
            (config.storage_dir / "burr-codeagent" / result.app_id / "graph.json").read_text()
        )  # type: ignore[operator]
        code = {action["name"]: action["code"] for action in tracked["actions"]}
        assert set(code) == {"code_generator", "code_checker", "auto_fix", "ai_analysis", "end"}
        assert "def code_generator(" in code["code_generator"]
        assert "def end(" in code["end"]


def test_the_shared_graph_outside_a_run_says_how_to_get_an_application(config: AgentConfig) -> None:
    from burr.core import ApplicationBuilder, State

    from burr_codeagent.graph import GENERATOR, initial_state

    app = (
        ApplicationBuilder()
        .with_graph(shared_graph(GraphShape.of(config)))
        .with_state(State(initial_state("Write factorial", config)))
        .with_entrypoint(GENERATOR)
        .build()
    )
    with pytest.raises(RuntimeError, match=r"CodeAgent\.application\(\)"):
        app.step()
