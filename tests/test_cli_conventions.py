"""Conventions users expect from ruff, pytest and llm: --version, -h, completion, readable help, the Burr app id."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from burr_codeagent import __version__
from burr_codeagent.cli import app

from .backends.fakes import FakeProvider

runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"codeagent (burr-codeagent) {__version__}"


def test_dash_h_is_help_for_the_app_and_each_command() -> None:
    assert "Usage: codeagent [OPTIONS] COMMAND" in runner.invoke(app, ["-h"]).stdout
    assert "Usage: codeagent check" in runner.invoke(app, ["check", "-h"]).stdout


def test_shell_completion_is_offered() -> None:
    assert "--install-completion" in runner.invoke(app, ["--help"]).stdout


def test_flags_show_no_bool_type_and_settings_show_their_defaults() -> None:
    text = runner.invoke(app, ["run", "--help"]).stdout
    flag_lines = [
        line
        for line in text.splitlines()
        if re.search(r"--(no-execution|ai-analysis|quiet|keep-going)", line)
    ]
    assert len(flag_lines) == 4 and not any("<bool>" in line for line in flag_lines), flag_lines
    assert "default 5" in text and "default markdown,json" in text


def test_run_prints_the_burr_app_id_and_how_to_open_it(tmp_path: Path) -> None:
    with FakeProvider("openai") as fake:
        result = runner.invoke(
            app,
            [
                *fake.run_args(),
                "--no-execution",
                "-q",
                "--output-dir",
                str(tmp_path / "r"),
            ],
            env={"CODEAGENT_STORAGE_DIR": str(tmp_path / "burr")},
        )
    assert result.exit_code == 0, result.output
    match = re.search(
        r"Burr app id: ([\w-]+); open it with `burr`.*http://localhost:7241/project/burr-codeagent/null/([\w-]+)",
        result.stdout,
    )
    assert match and match[1] == match[2], result.stdout
    assert (tmp_path / "burr" / "burr-codeagent" / match[1]).is_dir()
