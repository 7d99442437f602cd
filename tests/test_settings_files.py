"""Settings files checked like ruff and pytest check theirs: broken files and unknown keys are one line and exit 2,
names only a plugin could know are warnings, and `.env` supplies the providers' own variables."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from burr_codeagent import AgentConfig
from burr_codeagent.cli import app
from burr_codeagent.errors import ConfigurationError

from .backends.fakes import FakeProvider

GOOD = '"""Fine."""\n'


@pytest.fixture(autouse=True)
def _project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ok.py").write_text(GOOD)
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def _invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"CODEAGENT_TRACKING": "false", **(env or {})})
    return result.exit_code, result.output


def _authorization(fake: FakeProvider) -> str:
    return {k.lower(): v for k, v in fake.requests[-1].headers.items()}["authorization"]


COMMANDS = [
    ["run", "simple"],
    ["check", "ok.py", "--no-execution"],
    ["backends"],
    ["visualize", "-o", "graph.mmd"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_broken_pyproject_is_one_line_naming_file_and_position_exit_2(
    tmp_path: Path, command: list[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.codeagent]\nwarning_threshold = 3\nbackend = "openai\n')
    code, output = _invoke(*command)
    assert code == 2, output
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert f"{tmp_path / 'pyproject.toml'}: invalid TOML" in output and "line 3" in output


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_broken_dotenv_names_the_line_without_echoing_the_value(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / ".env").write_text("CODEAGENT_WARNING_THRESHOLD=3\nOPENAI_API_KEY sk-secret-value\n")
    code, output = _invoke(*command)
    assert code == 2, output
    assert ".env:2: not a KEY=value line" in output
    assert "sk-secret-value" not in output


def test_an_unknown_key_is_rejected_with_the_closest_setting(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.codeagent]\nwarning_treshold = 3\n")
    code, output = _invoke("check", "ok.py", "--no-execution")
    assert code == 2, output
    assert "[tool.codeagent]: unknown setting 'warning_treshold'; did you mean 'warning_threshold'?" in output


def test_an_unknown_key_in_a_nested_table_names_the_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.codeagent.gates]\ndisabel = ["naming"]\n')
    with pytest.raises(
        ConfigurationError,
        match=r"\[tool.codeagent\].gates: unknown setting 'disabel'; did you mean 'disable'",
    ):
        AgentConfig()


def test_an_unknown_dotenv_setting_is_rejected(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CODEAGENT_WARNING_TRESHOLD=3\n")
    code, output = _invoke("check", "ok.py", "--no-execution")
    assert code == 2, output
    assert (
        "unknown setting 'CODEAGENT_WARNING_TRESHOLD'; did you mean 'CODEAGENT_WARNING_THRESHOLD'?" in output
    )


def test_misspelt_gate_options_and_unknown_rules_are_warnings(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.codeagent.gates]\n"
        'disable_rules = ["naming.fucntion", "style.E501", "style.*"]\n'
        'severity = { "security.B101" = "info" }\n'
        "[tool.codeagent.gates.options.namng]\nstrict = true\n"
    )
    code, output = _invoke("check", "ok.py", "--no-execution")
    assert code == 0, output
    assert "warning: gates.options.namng: no gate is named 'namng'; did you mean 'naming'?" in output
    assert (
        "warning: gates.disable_rules: no gate has a rule 'naming.fucntion'; did you mean 'naming.function'?"
        in output
    )
    assert "style.E501" not in output and "B101" not in output  # tool codes and patterns are fine


def test_plain_messages_name_the_field_and_value() -> None:
    code, output = _invoke("run", "simple", "--max-retries", "-1")
    assert code == 2
    assert "invalid setting max_retries = -1: Input should be greater than or equal to 0" in output
    assert "Value error" not in output


def test_dotenv_supplies_the_providers_own_variables_and_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("OPENAI_API_KEY=sk-from-dotenv\nAWS_REGION=eu-west-3\n")
    with FakeProvider("openai") as fake:
        base = [
            *fake.run_args(),
            "--no-execution",
            "-q",
        ]
        code, output = _invoke(*base, "--output-dir", "r1")
        assert code == 0, output
        assert _authorization(fake) == "Bearer sk-from-dotenv"
        os.environ.pop("OPENAI_API_KEY", None)
        code, output = _invoke(*base, "--output-dir", "r2", env={"OPENAI_API_KEY": "sk-real-environment"})
        assert code == 0, output
        assert _authorization(fake) == "Bearer sk-real-environment"
    assert os.environ["AWS_REGION"] == "eu-west-3"
    written = "".join(p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file())
    assert "sk-from-dotenv" not in written.replace("OPENAI_API_KEY=sk-from-dotenv", "")
    assert "sk-from-dotenv" not in output
