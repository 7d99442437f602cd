"""Shared fixtures: every test runs with no external plugins, no real credentials and its own directories."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from burr_codeagent import AgentConfig, PythonCodeGenerationResponse
from burr_codeagent.plugins import default_manager

CREDENTIAL_VARS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "MODEL",
    "OPENAI_BASE_URL",
    "ANTHROPIC_BASE_URL",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
)


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """No installed external plugin, no ambient credentials or CODEAGENT_* settings, no ~/.aws, a clean cwd."""
    import os

    for name in list(os.environ):
        if name.startswith("CODEAGENT_") or name in CREDENTIAL_VARS:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CODEAGENT_PLUGINS", "")
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    default_manager.cache_clear()
    yield
    default_manager.cache_clear()


@pytest.fixture
def config(tmp_path: Path) -> AgentConfig:
    """A config writing reports and Burr tracking data under ``tmp_path``."""
    return AgentConfig(storage_dir=tmp_path / "burr", output_dir=tmp_path / "reports")


GOOD_CODE = '''\
"""Factorial by recursion."""


def factorial(n: int) -> int:
    """Return n! computed recursively.

    Args:
        n: A non-negative integer.

    Returns:
        The factorial of n.

    Raises:
        ValueError: If n is negative.
    """
    if n < 0:
        raise ValueError("n must be non-negative")
    if n in (0, 1):
        return 1
    return n * factorial(n - 1)
'''

GOOD_TESTS = """\
import pytest

from solution import factorial


def test_small_values() -> None:
    assert factorial(0) == 1
    assert factorial(1) == 1
    assert factorial(5) == 120


def test_negative_raises() -> None:
    with pytest.raises(ValueError):
        factorial(-1)
"""


def make_response(
    code: str = GOOD_CODE, test_code: str = GOOD_TESTS, **extra: object
) -> PythonCodeGenerationResponse:
    """A response with sensible defaults for the fields a test does not care about."""
    fields: dict[str, object] = {
        "function_name": "factorial",
        "code": code,
        "explanation": "Recursive factorial with input validation.",
        "dependencies": None,
        "test_code": test_code,
        "usage_examples": ["factorial(5)"],
    }
    fields.update(extra)
    return PythonCodeGenerationResponse.model_validate(fields)


def broken(n: int) -> PythonCodeGenerationResponse:
    """A distinct response that does not compile, its error on line ``n + 1``: no two are alike."""
    return make_response(code="# padding\n" * n + f"def factorial(n:\n    return {n}\n")


@pytest.fixture
def good_response() -> PythonCodeGenerationResponse:
    return make_response()
