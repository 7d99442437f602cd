"""The README and the docs describe the command line and the graph that the code has, not an older one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from burr_codeagent.cli import app

ROOT = Path(__file__).resolve().parents[1]
DIAGRAM_FILES = ["README.md", "docs/index.md", "docs/feedback.md"]
CLI_BLOCK = re.compile(r"```text\n(codeagent \[--version\].*?)```", re.DOTALL)


def _commands() -> dict[str, object]:
    """Every command a user can type, ``eval humaneval`` included, with its click command."""
    group = typer.main.get_command(app)
    found: dict[str, object] = {}
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        if subcommands:
            found.update({f"{name} {sub}": cmd for sub, cmd in subcommands.items()})
        else:
            found[name] = command
    return found


def _cli_block(path: str) -> str:
    match = CLI_BLOCK.search((ROOT / path).read_text(encoding="utf-8"))
    assert match, f"{path} has no command-line block"
    return match.group(1)


@pytest.mark.parametrize("path", DIAGRAM_FILES)
def test_the_diagrams_are_what_codeagent_visualize_prints(path: str) -> None:
    printed = CliRunner().invoke(app, ["visualize", "--format", "mermaid"])
    assert printed.exit_code == 0, printed.output
    text = (ROOT / path).read_text(encoding="utf-8")
    blocks = re.findall(r"```mermaid\n(stateDiagram-v2\n.*?)```", text, re.DOTALL)
    assert blocks, f"{path} shows no diagram of the graph"
    assert blocks[0] == printed.stdout, (
        f"{path}'s diagram differs from `codeagent visualize --format mermaid`: paste its output into the block"
    )


def test_the_cli_blocks_of_the_readme_and_docs_agree() -> None:
    assert _cli_block("README.md") == _cli_block("docs/cli.md")


def test_every_command_is_in_the_readme_block() -> None:
    block = _cli_block("README.md")
    missing = [name for name in _commands() if not re.search(rf"^codeagent {name}\b", block, re.MULTILINE)]
    assert not missing, f"commands missing from the README's command-line block: {missing}"


@pytest.mark.parametrize("command", ["run", "check"])
def test_every_option_of_run_and_check_is_in_the_readme_block(command: str) -> None:
    block = _cli_block("README.md")
    section = block.split(f"codeagent {command} ", 1)[1].split("\ncodeagent ", 1)[0]
    missing = []
    for param in _commands()[command].params:  # type: ignore[attr-defined]
        names = [o for o in getattr(param, "opts", []) if o.startswith("-") and o not in ("--help", "-h")]
        if names and not any(re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", section) for o in names):
            missing.append(names[0])
    assert not missing, f"`codeagent {command}` options missing from the README: {missing}"
