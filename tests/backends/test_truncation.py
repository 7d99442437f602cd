"""Answers cut off at the output limit are detected by every backend and recovered without losing the attempt.

The loopback servers enforce the request's output limit (``Limited``: 4 characters a token) and answer with the
provider's stop reason (``length`` / ``max_tokens``) through the real SDKs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.backends.base import TruncatedResponseError
from burr_codeagent.cli import app
from burr_codeagent.events import AgentEvent

from .fakes import CHARS_PER_TOKEN, FakeProvider, Limited, Protocol

FUNCTIONS = "\n\n\n".join(
    f'''def add_{n}(a: int, b: int) -> int:
    """Return a + b + {n}.

    Args:
        a: The first number.
        b: The second number.

    Returns:
        The sum plus {n}.
    """
    return a + b + {n}'''
    for n in range(8)
)
CODE = f'"""Additions."""\n\n\n{FUNCTIONS}\n'
TESTS = (
    "from solution import "
    + ", ".join(f"add_{n}" for n in range(8))
    + "\n\n\n"
    + "\n\n\n".join(
        f"def test_add_{n}() -> None:\n    assert add_{n}(1, 2) == {3 + n}\n    assert add_{n}(-1, 1) == {n}"
        for n in range(8)
    )
    + "\n"
)
LONG_ANSWER = {
    "function_name": "add_0",
    "code": CODE,
    "explanation": "Eight small additions.",
    "dependencies": None,
    "test_code": TESTS,
    "usage_examples": ["add_0(1, 2)"],
}
LIMIT = 520  # the whole answer needs more; the module alone and the tests alone need less
WHOLE = -(-len(__import__("json").dumps(LONG_ANSWER)) // CHARS_PER_TOKEN)


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEAGENT_TRACKING", "false")
    monkeypatch.setenv("CODEAGENT_API_BACKOFF_SECONDS", "0.001")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-test")
    monkeypatch.setenv("AWS_REGION", "us-west-2")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")


def _config(protocol: Protocol, url: str, tmp_path: Path, **settings: object) -> AgentConfig:
    base = url + "/v1" if protocol == "openai" else url
    options: dict[str, object] = {"max_retries": 0, "max_tokens": LIMIT, "output_dir": tmp_path}
    return AgentConfig(backend=protocol, base_url=base, **{**options, **settings})


def test_the_fake_enforces_the_limit() -> None:
    assert WHOLE > LIMIT


@pytest.mark.parametrize("protocol", ["openai", "anthropic", "bedrock"])
def test_a_first_answer_cut_off_is_asked_for_in_two_parts(protocol: Protocol, tmp_path: Path) -> None:
    events: list[AgentEvent] = []
    with FakeProvider(protocol, [Limited(LONG_ANSWER)]) as fake:
        agent = CodeAgent(_config(protocol, fake.url, tmp_path), listeners=[events.append])
        result = agent.run("Write eight additions")
    assert len(fake.requests) == 3, "the cut-off answer, then the module, then its tests"
    assert [r.truncated for r in fake.answered] == [True, False, False]
    assert len(result.attempts) == 1 and result.passed, result.attempts[0].report.findings
    assert result.code == CODE and result.test_code == TESTS
    assert result.metrics.output_tokens == sum(r.output_tokens for r in fake.answered)
    assert result.metrics.api_calls == 3
    (truncated,) = [e for e in events if e.kind == "generation_truncated"]
    assert truncated.data == {"max_tokens": LIMIT, "recovery": "split"}


def test_a_retry_cut_off_is_asked_for_again_as_edits(tmp_path: Path) -> None:
    failing = {**LONG_ANSWER, "test_code": TESTS.replace("== 3\n", "== 4\n", 1)}
    fixed_tests = {
        "edits": [{"target": "tests", "search": "add_0(1, 2) == 4", "replace": "add_0(1, 2) == 3"}],
        "explanation": "x",
    }
    rewrite = {**LONG_ANSWER, "edits": None, "explanation": "everything again, at length. " * 150}
    script = [Limited(failing), Limited(rewrite), Limited(fixed_tests)]
    with FakeProvider("openai", script) as fake:
        config = _config("openai", fake.url, tmp_path, max_tokens=1_000, max_retries=1)
        result = CodeAgent(config).run("Write eight additions")
    assert [r.truncated for r in fake.answered] == [False, True, False]
    assert "Answer with `edits` only" in fake.requests[2].body["messages"][-1]["content"]
    assert len(result.attempts) == 2 and result.passed
    assert [e.applied for e in result.attempts[1].edits] == [True]


def test_a_part_cut_off_again_fails_the_attempt_with_every_token_counted(tmp_path: Path) -> None:
    with FakeProvider("openai", [Limited(LONG_ANSWER)]) as fake:
        result = CodeAgent(_config("openai", fake.url, tmp_path, max_tokens=300)).run("Write eight additions")
    assert len(fake.requests) == 2, "the whole answer, then the module alone: cut off too"
    assert not result.passed and "cut off" in (result.attempts[0].error or "")
    assert result.metrics.output_tokens == 2 * 300


def test_the_backends_raise_truncated_response_error(tmp_path: Path) -> None:
    from burr_codeagent.backends.base import GenerationRequest, Message
    from burr_codeagent.models import PythonCodeGenerationResponse
    from burr_codeagent.plugins import default_manager

    request = GenerationRequest(
        system="s",
        messages=(Message("user", "u"),),
        response_model=PythonCodeGenerationResponse,
        max_tokens=300,
    )
    for protocol in ("openai", "anthropic", "bedrock"):
        with FakeProvider(protocol, [Limited(LONG_ANSWER)]) as fake:  # type: ignore[arg-type]
            config = _config(protocol, fake.url, tmp_path)  # type: ignore[arg-type]
            backend = default_manager().backends()[protocol].item.create(config)
            with pytest.raises(TruncatedResponseError, match="cut off") as caught:
                backend.generate(request)
        assert caught.value.usage.output_tokens == 300, protocol


def test_the_console_says_what_happened(tmp_path: Path) -> None:
    with FakeProvider("openai", [Limited(LONG_ANSWER)]) as fake:
        args = ["run", "Write eight additions", "--backend", "openai", "--base-url", fake.url + "/v1"]
        args += ["--max-tokens", str(LIMIT), "--max-retries", "0", "--output-dir", str(tmp_path)]
        outcome = CliRunner().invoke(app, args)
    assert outcome.exit_code == 0, outcome.output
    assert f"cut off at the output limit ({LIMIT} tokens)" in outcome.output
    assert "module and tests asked for separately" in outcome.output
