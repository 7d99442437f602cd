"""``CodeAgent.improve``: the loop starts from existing code, checked first; a passing module costs no model call."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, NoReturn

import pytest

from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.backends import ScriptedBackend
from burr_codeagent.backends.base import Generation, GenerationRequest, LLMBackend, M
from burr_codeagent.errors import ConfigurationError

GOOD = '''"""Addition."""


def add(a: int, b: int) -> int:
    """Return the sum of ``a`` and ``b``.

    Args:
        a: A number.
        b: Another number.

    Returns:
        Their sum.
    """
    return a + b
'''
WRONG = GOOD.replace("return a + b", "return a - b")
TESTS = "from mymod import add\n\n\ndef test_add() -> None:\n    assert add(2, 3) == 5\n"
FIX = {
    "edits": [{"target": "code", "search": "return a - b", "replace": "return a + b"}],
    "explanation": "sign",
}


class MustNotBeCalled(LLMBackend):
    """A backend that fails the test the moment the agent asks it anything."""

    name = "must-not-be-called"
    model = "none"

    def generate(self, request: GenerationRequest[M]) -> NoReturn:
        pytest.fail(f"the model was asked: {request.messages[-1].content[:200]}")

    async def agenerate(self, request: GenerationRequest[M]) -> Generation[M]:
        self.generate(request)


@pytest.fixture
def config(tmp_path: Path) -> AgentConfig:
    return AgentConfig(output_dir=tmp_path / "reports", tracking=False, max_retries=2)


def test_code_that_passes_is_returned_as_it_is_without_a_model_call(config: AgentConfig) -> None:
    result = CodeAgent(config, backend=MustNotBeCalled()).improve(GOOD, TESTS, module_name="mymod")
    assert result.passed and result.stop_reason == "passed"
    assert (result.code, result.test_code) == (GOOD, TESTS)
    assert len(result.attempts) == 1 and result.metrics.api_calls == 0
    assert result.attempts[0].report.tests is not None and result.attempts[0].report.tests.passed == 1
    assert set(result.report_paths) == {"markdown", "json"}
    assert all(path.is_file() for path in result.report_paths.values())


def test_failing_code_is_fixed_by_edits_and_the_prompt_shows_the_numbered_code(config: AgentConfig) -> None:
    backend = ScriptedBackend([FIX])
    result = CodeAgent(config, backend=backend).improve(WRONG, TESTS, module_name="mymod")
    assert result.passed and len(result.attempts) == 2
    assert result.code == GOOD and result.test_code == TESTS  # the tests keep importing `mymod`
    first, second = result.attempts
    assert not first.report.passed and first.usage.total_tokens == 0 and first.response is not None
    assert [(e.applied, e.search) for e in second.edits] == [(True, "return a - b")]
    prompt = backend.calls[0].messages[-1].content
    assert "module `mymod`" in prompt and "return a - b" in prompt
    assert "14 |     return a - b" in prompt  # numbered as the findings count lines
    assert "Test test_add failed" in prompt
    report = json.loads(result.report_paths["json"].read_text())
    assert report["attempts"][1]["edits"][0]["applied"] is True


def test_a_task_on_passing_code_asks_the_model_once(config: AgentConfig) -> None:
    answer = {
        "edits": [{"target": "code", "search": '"""Addition."""', "replace": '"""Addition of integers."""'}],
        "explanation": "docstring",
    }
    backend = ScriptedBackend([answer])
    result = CodeAgent(config, backend=backend).improve(
        GOOD, TESTS, task="Say 'integers' in the module docstring.", module_name="mymod"
    )
    assert len(backend.calls) == 1 and result.passed
    assert "Say 'integers' in the module docstring." in backend.calls[0].messages[-1].content
    assert result.code.startswith('"""Addition of integers."""')


def test_changes_that_score_worse_leave_the_code_as_given(config: AgentConfig) -> None:
    breaking = {"edits": [{"target": "code", "search": "return a + b", "replace": "return a +"}]}
    result = CodeAgent(
        config.model_copy(update={"max_retries": 1}), backend=ScriptedBackend([breaking])
    ).improve(GOOD, TESTS, task="make it faster", module_name="mymod")
    assert len(result.attempts) == 2 and not result.attempts[1].report.passed
    assert result.best is not None and result.best.index == 1 and result.code == GOOD


def test_without_tests_the_model_is_asked_to_write_them(config: AgentConfig) -> None:
    backend = ScriptedBackend([{"test_code": TESTS.replace("mymod", "solution"), "explanation": "tests"}])
    result = CodeAgent(config, backend=backend).improve(GOOD)
    assert any(f.rule == "tests.missing" for f in result.attempts[0].report.findings)
    assert result.passed and "from solution import add" in result.test_code


def test_aimprove_matches_improve(config: AgentConfig) -> None:
    result = asyncio.run(
        CodeAgent(config, backend=ScriptedBackend([FIX])).aimprove(WRONG, TESTS, module_name="mymod")
    )
    assert result.passed and result.code == GOOD and len(result.attempts) == 2


@pytest.mark.parametrize(
    ("code", "kwargs", "message"),
    [
        ("", {}, "empty"),
        ("   \n", {}, "empty"),
        (GOOD, {"module_name": "my-mod"}, "not a Python module name"),
        (GOOD, {"module_name": "class"}, "not a Python module name"),
    ],
)
def test_bad_input_is_a_clear_error_before_any_call(
    config: AgentConfig, code: str, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        CodeAgent(config, backend=MustNotBeCalled()).improve(code, **kwargs)
    assert not config.output_dir.exists()


class InterruptedAtTheModel(LLMBackend):
    """Ctrl-C while the model is asked: the check of the given code has finished and was saved."""

    name = "interrupted"
    model = "none"

    def generate(self, request: GenerationRequest[M]) -> NoReturn:
        raise KeyboardInterrupt

    async def agenerate(self, request: GenerationRequest[M]) -> Generation[M]:
        self.generate(request)


def test_an_interrupted_improve_resumes_importing_the_code_by_its_name(tmp_path: Path) -> None:
    config = AgentConfig(output_dir=tmp_path / "reports", tracking=False, persistence=tmp_path / "runs.db")
    with pytest.raises(KeyboardInterrupt):
        CodeAgent(config, backend=InterruptedAtTheModel()).improve(
            WRONG, TESTS, module_name="mymod", app_id="i-1"
        )
    backend = ScriptedBackend([FIX])
    result = CodeAgent(config, backend=backend).resume("i-1")
    assert len(backend.calls) == 1 and "module `mymod`" in backend.calls[0].messages[-1].content
    assert result.passed and result.code == GOOD and result.test_code == TESTS
    assert [a.index for a in result.attempts] == [1, 2]
