"""The ``codeagent`` group builds a command (typer reads its signature) only when it is used."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from burr_codeagent.cli import app
from burr_codeagent.cli_help import LazyCommands


def counting(made: list[str], name: str) -> Callable[[], Any]:
    def make() -> str:
        made.append(name)
        return f"<{name}>"

    return make


def test_a_command_is_made_once_when_first_read_and_the_others_not_at_all() -> None:
    made: list[str] = []
    commands = LazyCommands({"first": "<first>"}, {n: counting(made, n) for n in ("run", "check", "eval")})
    assert list(commands) == ["first", "run", "check", "eval"] and len(commands) == 4
    assert "check" in commands and "nope" not in commands and made == []
    assert commands["check"] == "<check>" and commands.get("check") == "<check>"
    assert made == ["check"]
    assert commands.get("nope") is None
    with pytest.raises(KeyError):
        commands["nope"]
    commands["added"] = "<added>"
    del commands["run"]
    assert list(commands) == ["first", "check", "eval", "added"] and made == ["check"]
    assert dict(commands.items())["eval"] == "<eval>" and made == ["check", "eval"]


def test_running_check_builds_only_check() -> None:
    group = typer.main.get_command(app)
    commands = group.commands  # type: ignore[attr-defined]
    assert isinstance(commands, LazyCommands)
    assert list(commands) == [
        "run", "check", "gates", "backends", "visualize", "schema", "batch", "improve", "mcp", "eval"
    ]  # fmt: skip
    group.main(["check", "--help"], standalone_mode=False)
    assert set(commands._built) == {"check"}


def test_every_command_and_the_eval_group_still_answer() -> None:
    runner = CliRunner()
    for words in (["run", "--help"], ["eval", "humaneval", "--help"], ["schema", "--help"]):
        result = runner.invoke(app, words)
        assert result.exit_code == 0, result.output
        assert "Usage: codeagent " + " ".join(words[:-1]) in " ".join(result.output.split())
    mistyped = runner.invoke(app, ["chek"])
    assert mistyped.exit_code == 2 and "Did you mean 'check'" in mistyped.output
