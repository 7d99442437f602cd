"""``codeagent backends`` lists every backend, whether it is configured, and what is missing."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from burr_codeagent.cli import app


def listing(env: dict[str, str] | None = None) -> dict[str, dict[str, object]]:
    result = CliRunner().invoke(app, ["backends", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    return {row["name"]: row for row in json.loads(result.stdout)}


def test_every_backend_is_listed_with_what_it_needs() -> None:
    rows = listing()
    assert {
        "bedrock",
        "anthropic",
        "openai",
        "ollama",
        "local",
        "replay",
    } <= set(rows)
    assert rows["bedrock"]["selected"] is True
    assert rows["bedrock"]["configured"] is False
    assert any("AWS_REGION" in m for m in rows["bedrock"]["missing"])  # type: ignore[attr-defined]
    assert any("ANTHROPIC_API_KEY" in m for m in rows["anthropic"]["missing"])  # type: ignore[attr-defined]
    assert any("OPENAI_API_KEY" in m for m in rows["openai"]["missing"])  # type: ignore[attr-defined]
    assert rows["ollama"]["configured"] is False, "no key needed, but nothing listens on localhost:11434"
    assert any("nothing listens on localhost:11434" in m for m in rows["ollama"]["missing"])  # type: ignore[attr-defined]
    assert any("--cassette" in m for m in rows["replay"]["missing"])  # type: ignore[attr-defined]


def test_configured_backends_show_as_such(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = listing(
        {
            "ANTHROPIC_API_KEY": "sk-ant-x",
            "OPENAI_API_KEY": "sk-x",
            "AWS_ACCESS_KEY_ID": "AKID",
            "AWS_SECRET_ACCESS_KEY": "s",
            "AWS_REGION": "eu-west-1",
        }
    )
    assert rows["bedrock"]["configured"] and rows["anthropic"]["configured"] and rows["openai"]["configured"]
    assert "sk-ant-x" not in json.dumps(rows)


def test_table_output_names_each_backend() -> None:
    result = CliRunner().invoke(app, ["backends"])
    assert result.exit_code == 0
    for name in ("bedrock", "anthropic", "openai", "ollama", "local", "replay"):
        assert name in result.stdout
