"""Burr local tracking: every step of a run is recorded where the `burr` UI looks, without secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.backends import ScriptedBackend

from .conftest import broken, make_response


def steps_logged(storage: Path, project: str, app_id: str) -> list[str]:
    log = storage / project / app_id / "log.jsonl"
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    return [e["action"] for e in entries if e.get("type") == "end_entry"]


def test_tracking_directory_holds_every_step(config: AgentConfig) -> None:
    result = CodeAgent(config, backend=ScriptedBackend([broken(1), make_response()])).run("Write factorial")
    assert steps_logged(config.storage_dir, "burr-codeagent", result.app_id) == [  # type: ignore[arg-type]
        "code_generator",
        "code_checker",
        "code_generator",
        "code_checker",
        "end",
    ]


def test_tracked_state_is_readable_and_secret_free(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "canary-aws-secret-value")
    config = AgentConfig(storage_dir=tmp_path / "burr", output_dir=tmp_path / "r", api_key="sk-canary-key-42")
    result = CodeAgent(config, backend=ScriptedBackend([make_response()])).run("Write factorial")
    run_dir = tmp_path / "burr" / "burr-codeagent" / result.app_id
    blob = "".join(p.read_text() for p in run_dir.rglob("*") if p.is_file())
    assert "def factorial" in blob  # the generated code is visible in the tracked state
    assert "sk-canary-key-42" not in blob
    assert "canary-aws-secret-value" not in blob


def test_tracking_can_be_turned_off(tmp_path: Path) -> None:
    config = AgentConfig(storage_dir=tmp_path / "burr", output_dir=tmp_path / "r", tracking=False)
    CodeAgent(config, backend=ScriptedBackend([make_response()])).run("Write factorial")
    assert not (tmp_path / "burr").exists()
