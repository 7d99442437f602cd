"""``codeagent eval humaneval`` end to end with the real openai SDK against a loopback server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from burr_codeagent.cli import app

from ..backends.fakes import FakeProvider, Reply

runner = CliRunner()

ADD = {
    "task_id": "Mini/0",
    "prompt": 'def add(a: int, b: int) -> int:\n    """Return a + b."""\n',
    "entry_point": "add",
    "test": "def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n",
    "canonical_solution": "    return a + b\n",
}
SUB = {**ADD, "task_id": "Mini/1", "test": "def check(candidate):\n    assert candidate(2, 3) == -1\n"}


def test_eval_prints_figures_and_writes_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEAGENT_GATES__ENABLE", '["syntax","execution"]')
    monkeypatch.setenv("CODEAGENT_TRACKING", "false")
    monkeypatch.setenv("CODEAGENT_MAX_RETRIES", "0")
    dataset = tmp_path / "mini.jsonl"
    dataset.write_text(json.dumps(ADD) + "\n" + json.dumps(SUB) + "\n")
    out = tmp_path / "eval"
    with FakeProvider("openai", [Reply(input_tokens=200, output_tokens=100)]) as fake:
        result = runner.invoke(
            app,
            [
                "eval",
                "humaneval",
                "--dataset",
                str(dataset),
                "--backend",
                "openai",
                "--base-url",
                fake.url + "/v1",
                "--output-dir",
                str(out),
                "--json",
                str(tmp_path / "figures.json"),
            ],
        )
        sent = [r.body["messages"][-1]["content"] for r in fake.requests]
    assert result.exit_code == 0, result.output
    assert "pass@1, first attempt" in result.output and "50.0 %" in result.output
    figures = json.loads((tmp_path / "figures.json").read_text())
    assert figures["problems"] == 2 and figures["pass_at_1_final"] == 0.5
    assert figures["tokens"] == 600 and figures["tokens_per_solved"] == 600.0
    assert json.loads((out / "eval.json").read_text())["solved"] == 1
    assert not any("candidate(2, 3)" in text for text in sent), (
        "the dataset's tests stay hidden from the model"
    )


def test_eval_with_a_bad_dataset_is_a_usage_error(tmp_path: Path) -> None:
    dataset = tmp_path / "bad.jsonl"
    dataset.write_text('{"task_id": "x"}\n')
    result = runner.invoke(app, ["eval", "humaneval", "--dataset", str(dataset), "--backend", "openai"])
    assert result.exit_code == 2
    assert "missing or empty" in result.output


def test_eval_with_an_unconfigured_backend_exits_2_with_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ANTHROPIC_API_KEY", "CODEAGENT_API_KEY", "ANTHROPIC_BASE_URL", "CODEAGENT_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    dataset = tmp_path / "mini.jsonl"
    dataset.write_text(json.dumps(ADD) + "\n")
    out = tmp_path / "eval"
    result = runner.invoke(
        app,
        ["eval", "humaneval", "--dataset", str(dataset), "--backend", "anthropic", "--output-dir", str(out)],
    )
    assert result.exit_code == 2
    first = result.output.strip().splitlines()[0]
    assert (
        first.startswith("error: the 'anthropic' backend is not configured") and "ANTHROPIC_API_KEY" in first
    )
    assert not out.exists(), "nothing ran, nothing was written"
