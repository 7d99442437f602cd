"""AgentConfig: defaults, environment, .env, pyproject.toml, and clear errors for bad values."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from burr_codeagent import AgentConfig
from burr_codeagent.config import find_pyproject, use_pyproject


def test_defaults_follow_the_original_design() -> None:
    config = AgentConfig()
    assert config.backend == "bedrock"
    assert config.max_retries == 5
    assert config.warning_threshold == 5
    assert config.enable_ai_analysis is False
    assert config.enable_code_execution is True
    assert config.tracking is True


def test_environment_prefix_and_the_seed_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEAGENT_MAX_RETRIES", "2")
    monkeypatch.setenv("MODEL", "us.anthropic.claude-3-5-sonnet-20241022-v2:0")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_PROFILE", "dev")
    monkeypatch.setenv("CODEAGENT_GATES__DISABLE", '["syntax"]')
    config = AgentConfig()
    assert config.max_retries == 2
    assert config.model == "us.anthropic.claude-3-5-sonnet-20241022-v2:0"
    assert (config.region, config.profile) == ("eu-west-1", "dev")
    assert config.gates.disable == ["syntax"]


def test_codeagent_model_wins_over_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODEL", "seed-model")
    monkeypatch.setenv("CODEAGENT_MODEL", "our-model")
    assert AgentConfig().model == "our-model"


def test_dotenv_file_in_the_working_directory_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("AWS_REGION=ap-south-1\nCODEAGENT_WARNING_THRESHOLD=9\n")
    config = AgentConfig()
    assert config.region == "ap-south-1"
    assert config.warning_threshold == 9


def test_pyproject_tool_table_is_read_from_the_nearest_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.codeagent]\nwarning_threshold = 3\n[tool.codeagent.gates]\ndisable_rules = ["style.E501"]\n'
    )
    nested = tmp_path / "pkg" / "sub"
    nested.mkdir(parents=True)
    found = find_pyproject(nested / "mod.py")
    assert found == tmp_path / "pyproject.toml"
    with use_pyproject(found):
        config = AgentConfig()
    assert config.warning_threshold == 3
    assert config.gates.disable_rules == ["style.E501"]


def test_arguments_win_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEAGENT_MAX_RETRIES", "2")
    assert AgentConfig(max_retries=4).max_retries == 4


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"warning_threshold": -3}, "warning_threshold"),
        ({"sandbox": {"isolation": "docker"}}, "isolation"),
    ],
)
def test_invalid_values_fail_at_construction_naming_the_field(
    kwargs: dict[str, object], expected: str
) -> None:
    with pytest.raises(ValidationError, match=expected):
        AgentConfig(**kwargs)  # type: ignore[arg-type]


def test_report_formats_accept_a_comma_separated_string(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEAGENT_REPORT_FORMATS", "markdown, json")
    assert AgentConfig().report_formats == ["markdown", "json"]


def test_redacted_settings_hide_secrets() -> None:
    config = AgentConfig(api_key="sk-live-secret", base_url="https://user:pw@proxy.example/v1")
    data = config.redacted()
    assert data["api_key"] == "**********"
    assert "pw" not in data["base_url"] and "proxy.example" in data["base_url"]
    assert "sk-live-secret" not in repr(config)


def test_building_a_config_imports_no_plugin_module() -> None:
    """Names are checked by whatever runs them, so a config needs no plugin manager (nor its ~60 modules)."""
    probe = (
        "import sys\n"
        "from burr_codeagent import AgentConfig\n"
        "before = set(sys.modules)\n"
        "AgentConfig(backend='anything', gates={'enable': ['my_gate']}, report_formats=['csv'])\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('burr_codeagent'))\n"
        "print(' '.join(loaded))\n"
        "print(' '.join(sorted(set(sys.modules) - before)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    loaded, new = proc.stdout.splitlines()
    light = {
        "burr_codeagent.settings_files",
        "burr_codeagent.errors",
        "burr_codeagent.config_sources",
        "burr_codeagent.plugin_discovery",  # reads entry-point texts (pydantic's plugin lookup); imports no plugin
    }  # no plugin
    assert set(loaded.split()) <= {"burr_codeagent", "burr_codeagent.config", "burr_codeagent.models", *light}
    assert not [m for m in new.split() if m.startswith("burr_codeagent")]
