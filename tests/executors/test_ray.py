"""The ``ray`` executor against a real local Ray (``ray.init(num_cpus=2)``): whole runs as Ray tasks, results and
persistence back on the driver, and a task whose worker process is killed is retried, not the batch."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.backends.base import GenerationRequest
from burr_codeagent.batch import ResultsFile

from ..batch.backends import Answer, ChoosingBackend
from ..conftest import make_response

ray = pytest.importorskip("ray", reason="the ray executor needs pip install 'burr-codeagent[ray]'")
pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    # Workers import the test backends from this checkout; no dashboard, loopback only.
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        _node_ip_address="127.0.0.1",
        runtime_env={"env_vars": {"PYTHONPATH": str(REPO)}},
    )
    yield
    ray.shutdown()


class DiesOnce(ChoosingBackend):
    """Kills the Ray worker process running it the first time it is asked about a task containing ``doomed``."""

    def __init__(self, marker: Path) -> None:
        super().__init__(lambda request, seen: make_response())
        self.marker = marker

    def generate(self, request: GenerationRequest[Any]) -> Any:
        if "doomed" in request.messages[0].content and not self.marker.exists():
            self.marker.write_text(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL)  # the worker dies mid-task, as when a node is lost
        return super().generate(request)


def config_for(tmp_path: Path) -> AgentConfig:
    return AgentConfig(
        storage_dir=tmp_path / "burr", gates={"enable": ["syntax", "execution"]}, tracking=False
    )


TASKS = [
    {"id": "one", "task": "Write factorial, first"},
    {"id": "doomed", "task": "Write factorial, doomed the first time"},
    {"id": "three", "task": "Write factorial, third"},
]


def test_a_killed_worker_retries_its_task_and_results_land_on_the_driver(
    local_ray: None, tmp_path: Path
) -> None:
    marker = tmp_path / "killed-once"
    out = tmp_path / "batch"
    outcomes = CodeAgent(config_for(tmp_path), backend=DiesOnce(marker)).run_many(
        TASKS, concurrency=2, output_dir=out, executor="ray"
    )
    assert [(o.passed, o.error) for o in outcomes] == [(True, None)] * 3
    assert marker.exists(), "the worker running the doomed task was killed"
    assert int(marker.read_text()) != os.getpid(), "the task ran in a Ray worker, not in the driver"
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert sorted(line["id"] for line in lines) == ["doomed", "one", "three"]
    for outcome in outcomes:  # reports and saved state were shipped back to the driver's output dir
        assert all(Path(p).is_file() and str(out) in p for p in outcome.report_paths.values())
    assert len(list((out / "state").glob("*.sqlite"))) == 3


def test_rerun_on_ray_skips_finished_tasks(local_ray: None, tmp_path: Path) -> None:
    out = tmp_path / "batch"

    def fail_third(request: GenerationRequest[Any], seen: int) -> Answer:
        if "third" in request.messages[0].content:
            from burr_codeagent.backends.base import BackendError

            return BackendError("provider down", retryable=True)
        return make_response()

    CodeAgent(config_for(tmp_path), backend=ChoosingBackend(fail_third)).run_many(
        TASKS[::2], output_dir=out, executor="ray"
    )
    assert not ResultsFile(out / "results.jsonl").read()["three"].finished
    healed = CodeAgent(config_for(tmp_path), backend=ChoosingBackend(lambda r, s: make_response()))
    outcomes = healed.run_many(TASKS[::2], output_dir=out, executor="ray")
    assert [o.passed for o in outcomes] == [True, True]
    assert outcomes[0].result is None, "the finished task was not run again"
