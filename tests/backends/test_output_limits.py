"""``max_tokens`` defaults to the model's own output limit, per backend, through the real SDKs."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.cli import app
from burr_codeagent.model_limits import DEFAULT_MAX_TOKENS, limits_for

from .fakes import FakeProvider, Reply


@pytest.fixture(autouse=True)
def _no_tracking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEAGENT_TRACKING", "false")
    monkeypatch.delenv("CODEAGENT_MAX_TOKENS", raising=False)


@pytest.mark.parametrize(
    ("model", "output", "context"),
    [
        ("claude-3-5-sonnet-20241022", 8_192, 200_000),
        ("us.anthropic.claude-3-5-sonnet-20241022-v2:0", 8_192, 200_000),
        ("anthropic.claude-3-7-sonnet-20250219-v1:0", 64_000, 200_000),
        ("claude-sonnet-4-5", 64_000, 200_000),
        ("gpt-4o", 16_384, 128_000),
        ("gpt-4o-mini-2024-07-18", 16_384, 128_000),
        ("openai/gpt-4.1", 32_768, 1_047_576),
        ("o3-mini", 100_000, 200_000),
        ("qwen2.5-coder:7b", 8_192, 32_768),
    ],
)
def test_known_models_have_their_published_limits(model: str, output: int, context: int) -> None:
    limits = limits_for(model)
    assert (limits.output_tokens, limits.context_tokens, limits.known) == (output, context, True)


def test_an_unknown_model_gets_the_documented_default_of_at_least_8192() -> None:
    limits = limits_for("my-finetune-v3")
    assert not limits.known and limits.output_tokens == DEFAULT_MAX_TOKENS >= 8_192


def _run(tmp_path: Path, protocol: str, **settings: object) -> dict[str, object]:
    with FakeProvider(protocol, [Reply()]) as fake:  # type: ignore[arg-type]
        base = {"openai": fake.url + "/v1", "anthropic": fake.url}[protocol]
        config = AgentConfig(
            backend=protocol, base_url=base, api_key="k", max_retries=0, output_dir=tmp_path, **settings
        )
        CodeAgent(config).run("Create a function add(a, b) that returns the sum")
    return fake.requests[0].body


def test_openai_requests_ask_for_gpt_4o_s_16384_tokens(tmp_path: Path) -> None:
    assert _run(tmp_path, "openai", model="gpt-4o")["max_tokens"] == 16_384


def test_anthropic_requests_ask_for_claude_3_5_sonnet_s_8192_tokens(tmp_path: Path) -> None:
    assert _run(tmp_path, "anthropic", model="claude-3-5-sonnet-20241022")["max_tokens"] == 8_192


def test_a_configured_max_tokens_wins_over_the_table(tmp_path: Path) -> None:
    assert _run(tmp_path, "openai", model="gpt-4o", max_tokens=3_000)["max_tokens"] == 3_000


def test_pyproject_and_the_cli_option_set_max_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.codeagent]\nmax_tokens = 5000\n")
    monkeypatch.chdir(tmp_path)
    assert AgentConfig().max_tokens == 5_000
    runner = CliRunner()
    with FakeProvider("openai", [Reply(), Reply()]) as fake:
        common = ["run", "Create a function add(a, b)", "--backend", "openai", "--model", "gpt-4o"]
        common += ["--base-url", fake.url + "/v1", "--max-retries", "0", "--output-dir", str(tmp_path), "-q"]
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        first = runner.invoke(app, common)
        second = runner.invoke(app, [*common, "--max-tokens", "12000"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert [r.body["max_tokens"] for r in fake.requests] == [5_000, 12_000]
