"""The `codeagent` command line: exit codes, clear messages, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from burr_codeagent.cli import app

from .conftest import GOOD_CODE, GOOD_TESTS

runner = CliRunner()


def test_run_without_a_configured_backend_exits_2_with_a_short_message() -> None:
    result = runner.invoke(app, ["run", "simple"])
    assert result.exit_code == 2
    assert "not configured" in result.output
    assert "AWS_REGION" in result.output and "codeagent backends" in result.output
    assert "Traceback" not in result.output


def test_run_rejects_an_unknown_backend_naming_the_choices() -> None:
    result = runner.invoke(app, ["run", "simple", "--backend", "nope"])
    assert result.exit_code == 2
    assert "unknown backend 'nope'" in result.output and "bedrock" in result.output


def test_run_rejects_negative_retries_naming_the_field() -> None:
    result = runner.invoke(app, ["run", "simple", "--max-retries", "-1"])
    assert result.exit_code == 2
    assert "max_retries" in result.output


def test_run_rejects_an_empty_task() -> None:
    result = runner.invoke(app, ["run", "  "])
    assert result.exit_code == 2 and "task is empty" in result.output


def test_check_clean_file_exits_0(tmp_path: Path) -> None:
    code = tmp_path / "factorial.py"
    code.write_text(GOOD_CODE)
    result = runner.invoke(app, ["check", str(code), "--no-execution"])
    assert result.exit_code == 0, result.output
    assert "passed" in result.output


def test_check_prints_findings_like_a_linter_and_exits_1(tmp_path: Path) -> None:
    code = tmp_path / "broken.py"
    code.write_text("def f(x:\n    return x\n")
    result = runner.invoke(app, ["check", str(code), "--no-execution"])
    assert result.exit_code == 1
    assert f"{code}:1:" in result.output and "syntax.error" in result.output


def test_check_json_is_the_check_report(tmp_path: Path) -> None:
    code = tmp_path / "factorial.py"
    code.write_text(GOOD_CODE)
    tests = tmp_path / "test_factorial.py"
    tests.write_text(GOOD_TESTS)
    result = runner.invoke(
        app, ["check", str(code), "--tests", str(tests), "--format", "json", "--no-execution"]
    )
    data = json.loads(result.stdout)
    assert set(data) >= {
        "passed",
        "critical_count",
        "warning_count",
        "info_count",
        "findings",
        "gates",
        "tests",
    }


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        ("DIR", "no Python files to check"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary"),
        (b"x = '\xe9t\xe9'\n", "not valid UTF-8"),
        (b"", "is empty"),
        (b"x = 1\x00\n", "null bytes"),
        (b"x = 1\n" * 900_000, "larger than"),
    ],
    ids=["missing", "directory", "binary", "latin-1", "empty", "null-byte", "5MB"],
)
def test_check_bad_input_gives_a_clear_message_and_exit_2(
    tmp_path: Path, content: object, expected: str
) -> None:
    target = tmp_path / "input.py"
    if content == "DIR":
        target.mkdir()
    elif isinstance(content, bytes):
        target.write_bytes(content)
    result = runner.invoke(app, ["check", str(target)])
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output


def test_check_rejects_an_unknown_format(tmp_path: Path) -> None:
    code = tmp_path / "m.py"
    code.write_text(GOOD_CODE)
    result = runner.invoke(app, ["check", str(code), "--format", "docx"])
    assert result.exit_code == 2 and "unknown format 'docx'" in result.output


def test_check_reads_the_nearest_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.codeagent.gates]\ndisable = ["syntax"]\n')
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    code = pkg / "broken.py"
    code.write_text("def f(:\n")
    result = runner.invoke(app, ["check", str(code), "--no-execution", "--format", "json"])
    data = json.loads(result.stdout)
    assert "syntax" not in {g["name"] for g in data["gates"]}


def test_gates_json_lists_name_description_rules_and_plugin() -> None:
    result = runner.invoke(app, ["gates", "--format", "json"])
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["syntax"]["plugin"] == "builtin:syntax"
    assert "syntax.error" in rows["syntax"]["rules"]


def test_backends_lists_what_is_missing() -> None:
    result = runner.invoke(app, ["backends", "--format", "json"])
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["bedrock"]["configured"] is False
    assert any("AWS" in line for line in rows["bedrock"]["missing"])


@pytest.mark.parametrize("suffix", [".dot", ".mmd"])
def test_visualize_text_formats_need_no_binary(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"graph{suffix}"
    result = runner.invoke(app, ["visualize", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "code_generator" in text and "code_checker" in text


def test_visualize_png_without_dot_says_how_to_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` anywhere on PATH
    result = runner.invoke(app, ["visualize", "-o", str(tmp_path / "g.png")])
    assert result.exit_code == 2
    assert "graphviz" in result.output and ".dot" in result.output


def test_the_installed_script_runs_and_help_is_quick_to_import() -> None:
    env = {**os.environ, "CODEAGENT_PLUGINS": ""}
    proc = subprocess.run(
        [sys.executable, "-m", "burr_codeagent", "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0 and "check" in proc.stdout
    imports = subprocess.run(
        [sys.executable, "-c", "import sys, burr_codeagent.cli; print('burr' in sys.modules)"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert imports.stdout.strip() == "False"  # heavy libraries load only when a command needs them


TODO_PLUGIN = """
from burr_codeagent import Finding, Severity, hookimpl


class NoTodo:
    name = "no_todo"
    description = "No TODO left behind."
    rules = {"no_todo.found": "A TODO comment."}

    def check(self, ctx):
        for number, line in enumerate(ctx.code.splitlines(), 1):
            if "TODO" in line:
                yield Finding(gate=self.name, rule="no_todo.found", severity=Severity.CRITICAL,
                              message="TODO left in the code", line=number)


@hookimpl
def register_gates(register):
    register(NoTodo())
"""


def test_plugin_option_loads_a_gate_for_one_command(tmp_path: Path) -> None:
    plugin = tmp_path / "no_todo_plugin.py"
    plugin.write_text(TODO_PLUGIN)
    listed = runner.invoke(app, ["--plugin", str(plugin), "gates", "--format", "json"])
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert rows["no_todo"]["plugin"] == f"cli:{plugin}"
    code = tmp_path / "m.py"
    code.write_text(GOOD_CODE + "# TODO: memoise\n")
    checked = runner.invoke(app, ["--plugin", str(plugin), "check", str(code), "--no-execution"])
    assert checked.exit_code == 1
    assert "no_todo.found" in checked.output


def test_plugin_option_with_a_missing_file_is_a_usage_error() -> None:
    result = runner.invoke(app, ["--plugin", "missing_plugin.py", "gates"])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_a_plugin_gate_can_be_enabled_in_pyproject_and_does_not_outlive_its_command(tmp_path: Path) -> None:
    plugin = tmp_path / "no_todo_plugin.py"
    plugin.write_text(TODO_PLUGIN)
    (tmp_path / "pyproject.toml").write_text('[tool.codeagent.gates]\nenable = ["syntax", "no_todo"]\n')
    code = tmp_path / "m.py"
    code.write_text(GOOD_CODE + "# TODO: memoise\n")
    checked = runner.invoke(app, ["--plugin", str(plugin), "check", str(code), "--format", "json"])
    assert checked.exit_code == 1, checked.output
    assert [g["name"] for g in json.loads(checked.stdout)["gates"]] == ["syntax", "no_todo"]
    # The next command in the same process has no such plugin: the configuration naming it is an error.
    again = runner.invoke(app, ["check", str(code)])
    assert again.exit_code == 2 and "unknown gate 'no_todo'" in again.output
    listed = runner.invoke(app, ["gates", "--format", "json"])
    assert "no_todo" not in {row["name"] for row in json.loads(listed.stdout)}


def test_an_unknown_backend_gets_a_suggestion() -> None:
    result = runner.invoke(app, ["run", "simple", "--backend", "antropic"])
    assert result.exit_code == 2 and "did you mean 'anthropic'?" in result.output


def test_a_backend_flag_wins_over_the_backend_options_of_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.codeagent.backend_options.replay]\ncassette = "old.json"\n'
    )
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", "simple", "--cassette", str(tmp_path / "new.json")])
    assert result.exit_code == 2
    assert "new.json" in result.output and "old.json" not in result.output
