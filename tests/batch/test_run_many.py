"""``CodeAgent.run_many`` / ``arun_many``: results written as tasks finish, failures contained, reruns resume."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.backends.base import BackendError, GenerationRequest
from burr_codeagent.batch import BatchTask, ResultsFile, load_tasks, task_app_id
from burr_codeagent.errors import ConfigurationError

from ..conftest import broken, make_response
from .backends import Answer, ChoosingBackend

TASKS = [
    {"id": "fact-1", "task": "Write factorial, variant one"},
    {"id": "fact-2", "task": "Write factorial, variant two"},
    {"id": "fact-3", "task": "Write factorial, variant three"},
    {"id": "outage", "task": "Write factorial, but the provider is down"},
]


def config_for(tmp_path: Path, **extra: Any) -> AgentConfig:
    return AgentConfig(
        storage_dir=tmp_path / "burr",
        output_dir=tmp_path / "reports",
        gates={"enable": ["syntax", "execution"]},
        tracking=False,
        **extra,
    )


def good_unless_outage(request: GenerationRequest[Any], seen: int) -> Answer:
    if "provider is down" in request.messages[0].content:
        return BackendError(
            "openai backend: HTTP 503 Service Unavailable (gave up after 6 attempts)", retryable=True
        )
    return make_response()


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_every_task_gets_a_results_line_and_one_outage_does_not_stop_the_others(tmp_path: Path) -> None:
    backend = ChoosingBackend(good_unless_outage)
    out = tmp_path / "batch"
    outcomes = CodeAgent(config_for(tmp_path), backend=backend).run_many(TASKS, concurrency=3, output_dir=out)

    assert [o.id for o in outcomes] == ["fact-1", "fact-2", "fact-3", "outage"]
    assert [o.passed for o in outcomes] == [True, True, True, False]
    assert outcomes[3].stop_reason.startswith("backend_error")
    recorded = {line["id"]: line for line in lines(out / "results.jsonl")}
    assert set(recorded) == {"fact-1", "fact-2", "fact-3", "outage"}
    first = recorded["fact-1"]
    assert first["passed"] is True and first["attempts"] == 1 and first["stop_reason"] == "passed"
    assert (first["input_tokens"], first["output_tokens"], first["total_tokens"]) == (100, 50, 150)
    assert first["app_id"] == task_app_id("fact-1") and first["seconds"] > 0
    assert Path(first["report_paths"]["json"]).is_file()
    assert outcomes[0].result is not None and outcomes[0].result.code == make_response().code


def test_rerun_skips_finished_tasks_and_retries_the_outage(tmp_path: Path) -> None:
    out = tmp_path / "batch"
    CodeAgent(config_for(tmp_path), backend=ChoosingBackend(good_unless_outage)).run_many(
        TASKS, output_dir=out
    )

    healed = ChoosingBackend(lambda request, seen: make_response())
    outcomes = CodeAgent(config_for(tmp_path), backend=healed).run_many(TASKS, output_dir=out)
    assert len(healed.prompts) == 1 and healed.calls_for("provider is down") == 1
    assert all(o.passed for o in outcomes)
    assert ResultsFile(out / "results.jsonl").read()["outage"].passed
    # The retried task ran under a fresh app id: the failed run's saved end state is not resumed.
    assert outcomes[3].app_id == task_app_id("outage", 1)


async def test_cancelled_batch_keeps_finished_tasks_and_resumes_the_interrupted_one(tmp_path: Path) -> None:
    release = asyncio.Event()
    started_second_attempt = asyncio.Event()

    class Stalling(ChoosingBackend):
        async def agenerate(self, request: GenerationRequest[Any]) -> Any:
            if "slow" in request.messages[0].content and self.calls_for("slow") == 1:
                started_second_attempt.set()
                await release.wait()  # never set: the batch is cancelled while this call is in flight
            return await super().agenerate(request)

    def choose(request: GenerationRequest[Any], seen: int) -> Answer:
        if "slow" in request.messages[0].content and seen == 0:
            return broken(1)  # attempt 1 fails, so the run goes on to a second generation
        return make_response()

    tasks = [
        {"id": "quick", "task": "Write factorial quickly"},
        {"id": "slow", "task": "Write factorial slowly"},
    ]
    out = tmp_path / "batch"
    agent = CodeAgent(config_for(tmp_path), backend=Stalling(choose))
    batch = asyncio.create_task(agent.arun_many(tasks, concurrency=2, output_dir=out))
    await asyncio.wait_for(started_second_attempt.wait(), 60)
    while "quick" not in ResultsFile(out / "results.jsonl").read():
        await asyncio.sleep(0.05)
    batch.cancel()
    with pytest.raises(asyncio.CancelledError):
        await batch
    assert set(ResultsFile(out / "results.jsonl").read()) == {"quick"}

    resumed_backend = ChoosingBackend(lambda request, seen: make_response())
    outcomes = await CodeAgent(config_for(tmp_path), backend=resumed_backend).arun_many(tasks, output_dir=out)
    assert [o.passed for o in outcomes] == [True, True]
    # Only the generation that never finished is asked for again: attempt 1 of "slow" came from its saved state.
    assert len(resumed_backend.prompts) == 1
    assert outcomes[1].attempts == 2 and outcomes[1].app_id == task_app_id("slow")


def test_write_puts_passing_code_and_tests_under_module_names(tmp_path: Path) -> None:
    tasks = [BatchTask("f", "Write factorial", module="fact"), BatchTask("g", "Write factorial again")]
    outcomes = CodeAgent(
        config_for(tmp_path), backend=ChoosingBackend(lambda r, s: make_response())
    ).run_many(tasks, output_dir=tmp_path / "b", write_dir=tmp_path / "lib")
    assert (tmp_path / "lib" / "fact.py").read_text() == make_response().code
    assert "from fact import factorial" in (tmp_path / "lib" / "test_fact.py").read_text()
    assert (tmp_path / "lib" / "g.py").is_file()
    assert outcomes[0].written == [str(tmp_path / "lib" / "fact.py"), str(tmp_path / "lib" / "test_fact.py")]


def test_acceptance_tests_of_a_task_judge_its_code(tmp_path: Path) -> None:
    strict = "from solution import factorial\n\n\ndef test_big() -> None:\n    assert factorial(6) == 721\n"
    tasks = [{"id": "strict", "task": "Write factorial", "tests": strict}]
    config = config_for(tmp_path, max_retries=0)
    config = config.model_copy(
        update={"gates": config.gates.model_copy(update={"enable": ["syntax", "execution", "acceptance"]})}
    )
    outcomes = CodeAgent(config, backend=ChoosingBackend(lambda r, s: make_response())).run_many(
        tasks, output_dir=tmp_path / "b"
    )
    assert outcomes[0].passed is False


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "has no tasks"),
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b'{"task": "a"}\n{"task": ', ":2: not JSON"),
        (b'["a list"]\n', ":1: expected a JSON object"),
        (b'{"task": ""}\n', "`task` must be a non-empty string"),
        (b'{"task": "a", "id": "x"}\n{"task": "b", "id": "x"}\n', "two tasks have the id 'x'"),
        (b'{"task": "a", "module": "not a name"}\n', "`module` must be a Python identifier"),
        (b'{"task": "a", "prompt": "b"}\n', "unknown key(s) ['prompt']"),
    ],
)
def test_bad_tasks_files_get_a_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "tasks.jsonl"
    path.write_bytes(content)
    with pytest.raises(ConfigurationError) as caught:
        load_tasks(path)
    assert message in str(caught.value)


def test_a_torn_results_line_is_ignored_and_the_next_line_stays_whole(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    path.write_text('{"id": "a", "app_id": "x", "passed": true}\n{"id": "b", "app_')  # killed mid-write
    from burr_codeagent.batch import TaskOutcome

    results = ResultsFile(path)
    assert set(results.read()) == {"a"}
    results.append(TaskOutcome(id="c", app_id="y", passed=True, stop_reason="passed"))
    assert set(results.read()) == {"a", "c"}
