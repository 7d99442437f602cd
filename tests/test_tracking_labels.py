"""Runs in Burr's UI can be told apart: each carries its task, verdict and model, read back from Burr's own files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.backends import ScriptedBackend
from burr_codeagent.backends.base import BackendError

from .conftest import make_response


def labels(storage: Path, app_id: str) -> dict[str, Any]:
    """The attributes Burr's local tracker wrote for the run, as the UI reads them from ``log.jsonl``."""
    log = storage / "burr-codeagent" / app_id / "log.jsonl"
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return {e["key"]: e["value"] for e in entries if e.get("type") == "attribute"}


def _config(tmp_path: Path, **extra: Any) -> AgentConfig:
    return AgentConfig(
        storage_dir=tmp_path / "burr", output_dir=tmp_path / "r", enable_code_execution=False, **extra
    )


def test_a_run_carries_its_task_verdict_and_model(tmp_path: Path) -> None:
    task = "Write factorial " + "with many words " * 20 + "\nsecond line"
    backend = ScriptedBackend([make_response()], model="gpt-4o-mini")
    result = CodeAgent(_config(tmp_path, api_key="sk-canary-label-key"), backend=backend).run(task)
    found = labels(tmp_path / "burr", result.app_id)
    assert found["codeagent.verdict"] == "passed"
    assert found["codeagent.model"] == "gpt-4o-mini"
    assert found["codeagent.task"].startswith("Write factorial with many words")
    assert len(found["codeagent.task"]) <= 120 and "second line" not in found["codeagent.task"]
    assert found["codeagent.attempts"] == 1 and found["codeagent.best_attempt"] == 1
    assert "sk-canary-label-key" not in json.dumps(found)


def test_a_failed_run_says_so(tmp_path: Path) -> None:
    backend = ScriptedBackend([BackendError("the provider is down")], model="claude-x")
    result = CodeAgent(_config(tmp_path, max_retries=0), backend=backend).run("Write factorial")
    found = labels(tmp_path / "burr", result.app_id)
    assert found["codeagent.verdict"] == "failed: backend"
    assert found["codeagent.stop_reason"].startswith("backend_error")
