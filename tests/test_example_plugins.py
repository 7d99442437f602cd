"""The example plugins in examples/plugins -- a gate, a backend and a renderer, each declaring one setting --
load through the API and through `codeagent --plugin`, and touch no core module."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from types import ModuleType

import pytest
from typer.testing import CliRunner

from burr_codeagent import AgentConfig, CodeAgent, ConfigurationError, check
from burr_codeagent.cli import app
from burr_codeagent.plugins import load_plugin_module

from .conftest import GOOD_CODE, make_response

PLUGINS = Path(__file__).resolve().parents[1] / "examples" / "plugins"
runner = CliRunner()


def example(name: str) -> ModuleType:
    return load_plugin_module(str(PLUGINS / f"{name}.py"))


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    path = tmp_path / "answers.json"
    todo = make_response(code=GOOD_CODE + "# TODO: memoise\n# FIXME: iterative\n")
    path.write_text(json.dumps([todo.model_dump(mode="json"), make_response().model_dump(mode="json")]))
    return path


def test_the_three_plugins_run_an_agent_with_their_settings(tmp_path: Path, answers: Path) -> None:
    config = AgentConfig(
        backend="canned",
        backend_options={"canned": {"answers": str(answers)}},
        gates={"enable": ["syntax", "todo"], "options": {"todo": {"allowed": 1}}},
        report_formats=["csv"],
        report_options={"csv": {"delimiter": ";"}},
        output_dir=tmp_path / "reports",
        tracking=False,
        warning_threshold=0,
    )
    plugins = [example("todo_gate"), example("canned_backend"), example("csv_renderer")]
    result = CodeAgent(config, plugins=plugins).run("Write factorial")
    first, second = result.attempts
    assert [f.message for f in first.report.findings] == ["Leftover comment: # FIXME: iterative"]  # 1 allowed
    assert second.report.passed and result.passed
    rows = list(csv.reader(result.report_paths["csv"].read_text().splitlines(), delimiter=";"))
    assert rows == [["file", "severity", "rule", "target", "line", "column", "message"]]


def test_their_settings_are_checked_before_anything_runs(answers: Path) -> None:
    plugins = [example("todo_gate"), example("canned_backend"), example("csv_renderer")]
    wrong_delimiter = AgentConfig(
        backend="canned", report_formats=["csv"], report_options={"csv": {"delimiter": "::"}}
    )
    with pytest.raises(
        ConfigurationError, match=r"report_options\.csv\.delimiter: String should have at most 1"
    ):
        CodeAgent(wrong_delimiter, plugins=plugins)
    with pytest.raises(ConfigurationError, match=r"gates\.options\.todo: unknown setting 'allow'"):
        check("x = 1\n", config=AgentConfig(gates={"options": {"todo": {"allow": 2}}}), plugins=plugins)


def test_the_cli_loads_them_and_joins_two_files_under_one_csv_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.codeagent.report_options.csv]\ndelimiter = "|"\n')
    first, second = tmp_path / "first.py", tmp_path / "second.py"
    first.write_text(GOOD_CODE + "# TODO: one\n")
    second.write_text(GOOD_CODE + "# FIXME: two\n")
    monkeypatch.chdir(tmp_path)
    flags = ["--plugin", str(PLUGINS / "todo_gate.py"), "--plugin", str(PLUGINS / "csv_renderer.py")]
    result = runner.invoke(
        app, [*flags, "check", "first.py", "second.py", "--no-execution", "--format", "csv"]
    )
    rows = [line.split("|") for line in result.stdout.splitlines()]
    assert rows[0][0] == "file" and [row[0] for row in rows].count("file") == 1
    assert {(row[0], row[2]) for row in rows[1:]} >= {("first.py", "todo.found"), ("second.py", "todo.found")}


def test_the_cli_runs_the_backend_plugin_with_its_setting_from_the_environment(
    tmp_path: Path, answers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODEAGENT_BACKEND_OPTIONS__CANNED__ANSWERS", str(answers))
    monkeypatch.chdir(tmp_path)
    flags = ["--plugin", str(PLUGINS / "canned_backend.py")]
    listed = runner.invoke(app, [*flags, "backends", "--format", "json"])
    canned = {row["name"]: row for row in json.loads(listed.stdout)}["canned"]
    assert canned["configured"] and [s["key"] for s in canned["settings"]] == ["answers"]
    ran = runner.invoke(
        app, [*flags, "run", "Write factorial", "--backend", "canned", "--no-execution", "-q"]
    )
    assert ran.exit_code == 0, ran.output


def test_without_the_plugin_the_backend_is_unknown_to_the_cli() -> None:
    result = runner.invoke(app, ["run", "Write factorial", "--backend", "canned"])
    assert result.exit_code == 2 and "unknown backend 'canned'" in result.output


def test_adding_them_touched_no_core_module() -> None:
    """Each example is one module; none of burr_codeagent's modules names them."""
    source = Path(__file__).resolve().parents[1] / "src" / "burr_codeagent"
    text = "\n".join(p.read_text(encoding="utf-8") for p in source.rglob("*.py"))
    for name in ("TodoGate", "CannedFactory", "CsvRenderer", '"canned"', '"todo"'):
        assert name not in text
