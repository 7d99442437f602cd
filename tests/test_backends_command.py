"""`codeagent backends`: text in brackets stays text, and a local server counts as configured only when it listens."""

from __future__ import annotations

import json
import socket

from typer.testing import CliRunner

from burr_codeagent.cli import app

from .backends.fakes import FakeProvider


def _rows(env: dict[str, str]) -> dict[str, dict]:  # type: ignore[type-arg]
    result = CliRunner().invoke(app, ["backends", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    return {row["name"]: row for row in json.loads(result.stdout)}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_table_shows_bracketed_text_such_as_the_local_extra() -> None:
    result = CliRunner(env={"COLUMNS": "400"}).invoke(app, ["backends"])
    assert result.exit_code == 0
    assert "burr-codeagent[local]" in result.stdout


def test_a_local_server_that_does_not_listen_is_not_configured() -> None:
    url = f"http://127.0.0.1:{_free_port()}/v1"
    rows = _rows({"CODEAGENT_BASE_URL": url})
    assert rows["openai"]["configured"] is False
    assert rows["ollama"]["configured"] is False
    assert any("nothing listens on 127.0.0.1:" in m for m in rows["openai"]["missing"])


def test_a_local_server_that_listens_is_configured() -> None:
    with FakeProvider("openai") as fake:
        rows = _rows({"CODEAGENT_BASE_URL": fake.url + "/v1"})
    assert rows["openai"]["configured"] is True and rows["openai"]["missing"] == []
    assert rows["ollama"]["configured"] is True
