"""AgentConfig reads its settings sources through pydantic-settings only when one holds a setting; either way the
config is the same (issue 13: pydantic-settings is a tenth of `codeagent check`'s start-up)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from burr_codeagent import AgentConfig, config
from burr_codeagent.config import use_pyproject
from burr_codeagent.config_sources import read_settings, sources_have_settings
from burr_codeagent.errors import ConfigurationError

ARGUMENTS: list[dict[str, Any]] = [
    {},
    {"max_retries": 2, "warning_threshold": 0},
    {"model": "m1", "region": "eu-west-1"},
    {"MODEL": "seed", "AWS_PROFILE": "dev"},  # the aliases, as pydantic-settings accepts them
    {"api_key": "sk-secret", "base_url": "https://user:pw@example.com/v1"},
    {"report_formats": "markdown, html"},
    {"report_formats": '["json"]'},
    {"gates": {"disable": ["style"], "options": {"docstrings": {"convention": "google"}}}},
    {"sandbox": {"memory_mb": 256}, "output_dir": "out", "prices": {"m": [1.0, 2.0]}},
    {"unknown_setting": 1},  # ignored, as before
]


@pytest.fixture
def no_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory without .env or pyproject.toml, and no variable that names a setting."""
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.upper().startswith("CODEAGENT_") or key.upper() in ("MODEL", "AWS_REGION", "AWS_PROFILE"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("CODEAGENT_PLUGINS", "")  # read by the plugin manager, no setting
    monkeypatch.setenv("OPENAI_API_KEY", "sk-not-a-setting")
    return tmp_path


def both_paths(arguments: dict[str, Any]) -> tuple[AgentConfig, AgentConfig]:
    fast = AgentConfig(**arguments)
    full = AgentConfig(**read_settings(AgentConfig, arguments, None))
    return fast, full


@pytest.mark.parametrize("arguments", ARGUMENTS)
def test_without_sources_the_fast_path_builds_what_pydantic_settings_builds(
    no_sources: Path, arguments: dict[str, Any]
) -> None:
    assert not sources_have_settings(AgentConfig, arguments, None)
    fast, full = both_paths(arguments)
    assert fast.model_dump() == full.model_dump()
    assert fast.model_fields_set == full.model_fields_set
    assert fast.redacted() == full.redacted()


@pytest.mark.parametrize(
    "arguments",
    [{"max_retries": -1}, {"sandbox": {"isolation": "docker"}}, {"report_formats": 3}, {"concurrency": "x"}],
)
def test_both_paths_reject_a_bad_value_with_the_same_message(
    no_sources: Path, arguments: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError) as fast:
        AgentConfig(**arguments)
    with pytest.raises(ValidationError) as full:
        read_settings(AgentConfig, arguments, None)
    assert str(fast.value) == str(full.value)
    assert "validation error for AgentConfig" in str(fast.value)


@pytest.mark.parametrize(
    ("variable", "value", "field", "expected"),
    [
        ("CODEAGENT_MAX_RETRIES", "3", "max_retries", 3),
        ("codeagent_max_retries", "4", "max_retries", 4),  # case-insensitive, as pydantic-settings
        ("CODEAGENT_GATES__DISABLE", '["style"]', "gates", {"style"}),
        ("MODEL", "seed-model", "model", "seed-model"),
        ("aws_region", "ap-south-1", "region", "ap-south-1"),
        ("CODEAGENT_REPORT_FORMATS", "markdown,html", "report_formats", ["markdown", "html"]),
    ],
)
def test_a_variable_that_names_a_setting_goes_through_pydantic_settings(
    no_sources: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, field: str, expected: object
) -> None:
    monkeypatch.setenv(variable, value)
    assert sources_have_settings(AgentConfig, {}, None)
    got = getattr(AgentConfig(), field)
    assert (set(got.disable) if field == "gates" else got) == expected


def test_dotenv_files_and_pyproject_tables_hold_settings(no_sources: Path) -> None:
    pyproject = no_sources / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert not sources_have_settings(AgentConfig, {}, pyproject)  # a pyproject without our table
    pyproject.write_text("[tool.codeagent]\nwarning_threshold = 1\n", encoding="utf-8")
    assert sources_have_settings(AgentConfig, {}, pyproject)
    with use_pyproject(pyproject):
        assert AgentConfig().warning_threshold == 1
        assert AgentConfig(warning_threshold=7).warning_threshold == 7  # arguments still win
    pyproject.write_text("[tool.codeagent]\nwarning_treshold = 1\n", encoding="utf-8")
    with (
        use_pyproject(pyproject),
        pytest.raises(ConfigurationError, match="did you mean 'warning_threshold'"),
    ):
        AgentConfig()
    pyproject.write_text("[tool.codeagent\n", encoding="utf-8")
    with use_pyproject(pyproject), pytest.raises(ConfigurationError, match="invalid TOML"):
        AgentConfig()
    pyproject.unlink()
    (no_sources / ".env").write_text("CODEAGENT_MAX_RETRIES=1\n", encoding="utf-8")
    assert sources_have_settings(AgentConfig, {}, None)
    assert AgentConfig().max_retries == 1


def test_base_settings_own_arguments_still_work(no_sources: Path) -> None:
    elsewhere = no_sources / "settings.env"
    elsewhere.write_text("CODEAGENT_BACKEND=replay\n", encoding="utf-8")
    assert AgentConfig(_env_file=elsewhere).backend == "replay"


def test_a_config_without_sources_does_not_import_pydantic_settings(no_sources: Path) -> None:
    probe = (
        "import sys\nfrom burr_codeagent import AgentConfig\n"
        "AgentConfig(max_retries=1)\nprint('pydantic_settings' in sys.modules)\n"
        "import os\nos.environ['CODEAGENT_MAX_RETRIES'] = '2'\n"
        "print(AgentConfig().max_retries, 'pydantic_settings' in sys.modules)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120, cwd=no_sources
    )
    assert completed.stdout.split() == ["False", "2", "True"]


TABLES = [
    "warning_threshold = 1\n",
    'max_retries = 2\nreport_formats = ["json"]\nauto_fix = false\n',
    'report_formats = "markdown, html"\n',
    "warning_threshold = 5\n",  # the default: pydantic-settings drops it from the fields set
    "",
    'backend = "openai"\nmodel = "gpt-x"\nbase_url = "https://user:pw@example.com/v1"\napi_key = "sk-table"\n',
    'output_dir = "out"\nexclude = ["build"]\n\n[tool.codeagent.prices]\nm = [1.0, 2.0]\n',
    '[tool.codeagent.gates]\ndisable = ["style"]\n\n[tool.codeagent.gates.options.docstrings]\nconvention = "google"\n',
    "[tool.codeagent.sandbox]\nmemory_mb = 256\nnetwork = true\n",
    '[tool.codeagent.backend_options.replay]\ncassette = "run.json"\n',
]
TABLE_ARGUMENTS: list[dict[str, Any]] = [
    {},
    {"warning_threshold": 9, "tracking": False, "enable_code_execution": False},
    # A table of arguments is merged into the pyproject's, a model replaces it, as pydantic-settings does.
    {"sandbox": {"keep_workdir": True}},
    {"sandbox": config.SandboxSettings(memory_mb=512)},
    {"gates": {"enable": ["syntax"]}, "backend_options": {"replay": {"match": "order"}}},
    {"model": None, "api_key": "sk-argument"},
    {"MODEL": "seed"},  # an alias: pydantic-settings decides
    {"unknown_setting": 1},
]


def pyproject_with(folder: Path, table: str) -> Path:
    (folder / "project").mkdir(exist_ok=True)
    pyproject = folder / "project" / "pyproject.toml"
    pyproject.write_text(f'[project]\nname = "x"\n\n[tool.codeagent]\n{table}', encoding="utf-8")
    return pyproject


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("arguments", TABLE_ARGUMENTS)
def test_a_pyproject_table_alone_builds_what_pydantic_settings_builds(
    no_sources: Path, monkeypatch: pytest.MonkeyPatch, table: str, arguments: dict[str, Any]
) -> None:
    pyproject = pyproject_with(no_sources, table)
    full = AgentConfig(**read_settings(AgentConfig, arguments, pyproject))
    plain_names = all(key in AgentConfig.model_fields for key in arguments)
    if plain_names:  # then pydantic-settings is not asked
        monkeypatch.setattr(config, "read_settings", lambda *_: pytest.fail("pydantic-settings was asked"))
    with use_pyproject(pyproject):
        fast = AgentConfig(**arguments)
    assert fast.model_dump() == full.model_dump()
    assert fast.redacted() == full.redacted()


@pytest.mark.parametrize(
    "table",
    [
        "max_retries = -1\n",
        '[tool.codeagent.sandbox]\nisolation = "docker"\n',
        "report_formats = 3\n",
        'concurrency = "x"\nmax_tokens = 5\n',
    ],
)
def test_a_bad_value_in_the_table_gets_the_same_message(no_sources: Path, table: str) -> None:
    pyproject = pyproject_with(no_sources, table)
    with pytest.raises(ValidationError) as full:
        read_settings(AgentConfig, {}, pyproject)
    with use_pyproject(pyproject), pytest.raises(ValidationError) as fast:
        AgentConfig()
    assert str(fast.value) == str(full.value)


def test_a_pyproject_table_alone_does_not_import_pydantic_settings(no_sources: Path) -> None:
    pyproject_with(no_sources, "warning_threshold = 1\n")
    probe = (
        "import sys\nfrom burr_codeagent import AgentConfig\n"
        "print(AgentConfig(max_retries=1).warning_threshold, 'pydantic_settings' in sys.modules)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=no_sources / "project",
    )
    assert completed.stdout.split() == ["1", "False"]


DOTENV_WITHOUT_SETTINGS = (
    "# the providers' keys\nOPENAI_API_KEY=sk-from-dotenv\nexport ANTHROPIC_API_KEY='sk-b'\n\n"
    "AWS_ACCESS_KEY_ID=AKIA\nCODEAGENT_PLUGINS=\nmax_retries=3\n"  # no prefix: no setting, as pydantic-settings
)


@pytest.mark.parametrize("arguments", [{}, {"max_retries": 2, "tracking": False}])
@pytest.mark.parametrize("table", [None, "warning_threshold = 1\n"])
def test_a_dotenv_of_provider_keys_holds_no_setting(
    no_sources: Path, monkeypatch: pytest.MonkeyPatch, arguments: dict[str, Any], table: str | None
) -> None:
    (no_sources / ".env").write_text(DOTENV_WITHOUT_SETTINGS, encoding="utf-8")
    pyproject = pyproject_with(no_sources, table) if table is not None else None
    full = AgentConfig(**read_settings(AgentConfig, arguments, pyproject))
    monkeypatch.setattr(config, "read_settings", lambda *_: pytest.fail("pydantic-settings was asked"))
    with use_pyproject(pyproject):
        fast = AgentConfig(**arguments)
    assert fast.model_dump() == full.model_dump()


@pytest.mark.parametrize(
    "dotenv",
    [
        "CODEAGENT_MAX_RETRIES=1\n",
        'codeagent_gates__disable=["style"]\n',
        "AWS_REGION=eu-west-1\n",
        "a b c\n",
    ],
)
def test_a_dotenv_naming_a_setting_or_unclear_goes_through_pydantic_settings(
    no_sources: Path, dotenv: str
) -> None:
    (no_sources / ".env").write_text(f"OPENAI_API_KEY=sk\n{dotenv}", encoding="utf-8")
    assert sources_have_settings(AgentConfig, {}, None)
    assert AgentConfig().model_dump() == AgentConfig(**read_settings(AgentConfig, {}, None)).model_dump()
