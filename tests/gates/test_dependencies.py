"""The ``dependencies`` gate: a tiny wheel from a local wheelhouse, installed into a cached environment the real
sandbox uses, never into the agent's own environment."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

from burr_codeagent import AgentConfig, Severity, check
from burr_codeagent.sandbox.dependencies import MissingDistributionError, prepare_environment

CODE = '''"""Loud greetings."""

from tinyshout import shout


def greet(name: str) -> str:
    """Greet ``name`` loudly.

    Args:
        name: Who to greet.

    Returns:
        The greeting in capitals.
    """
    return shout(f"hello {name}")
'''
TESTS = """from solution import greet


def test_greet() -> None:
    assert greet("ada") == "HELLO ADA!"
"""


def build_wheel(wheelhouse: Path, name: str = "tinyshout", release: str = "1.0") -> Path:
    """A pure-Python wheel written by hand: the package, METADATA, WHEEL and a RECORD with hashes."""
    wheelhouse.mkdir(parents=True, exist_ok=True)
    info = f"{name}-{release}.dist-info"
    files = {
        f"{name}/__init__.py": 'def shout(text: str) -> str:\n    return text.upper() + "!"\n',
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {release}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{info}/top_level.txt": f"{name}\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    files[f"{info}/RECORD"] = "\n".join([*record, f"{info}/RECORD,,"]) + "\n"
    wheel = wheelhouse / f"{name}-{release}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


@pytest.fixture
def config(tmp_path: Path) -> AgentConfig:
    build_wheel(tmp_path / "wheels")
    return AgentConfig(
        gates={"enable": ["dependencies", "imports", "execution"]},
        dependency_env={
            "find_links": [str(tmp_path / "wheels")],
            "no_index": True,
            "cache_dir": str(tmp_path / "envs"),
        },
    )


def test_code_importing_a_wheelhouse_distribution_passes_in_the_sandbox(config: AgentConfig) -> None:
    report = check(CODE, TESTS, config=config, dependencies=["tinyshout>=1.0"])
    assert report.passed, [f.message for f in report.findings]
    assert report.tests is not None and report.tests.passed == 1
    assert not [f for f in report.findings if f.rule.startswith("imports.")]
    with pytest.raises(PackageNotFoundError):
        version("tinyshout")  # the agent's own environment is untouched


def test_the_environment_is_cached_per_dependency_set(config: AgentConfig, tmp_path: Path) -> None:
    options = {"cache_dir": tmp_path / "envs", "find_links": [str(tmp_path / "wheels")], "no_index": True}
    first = prepare_environment(["tinyshout"], **options)  # type: ignore[arg-type]
    again = prepare_environment(["tinyshout"], **options)  # type: ignore[arg-type]
    assert first.path == again.path and first.path is not None and (first.path / "tinyshout").is_dir()
    assert (first.reused, again.reused) == (False, True)
    other = prepare_environment(["tinyshout", "pytest"], **options)  # type: ignore[arg-type]
    assert other.path == first.path and other.already_available == ("pytest",)


def test_a_missing_distribution_is_one_clear_finding_naming_it(config: AgentConfig) -> None:
    code = CODE.replace("tinyshout", "tinyshoutx")
    report = check(code, TESTS, config=config, dependencies=["tinyshoutx==2.0"])
    assert not report.passed
    critical = report.by_severity(Severity.CRITICAL)
    assert [f.rule for f in critical] == ["dependencies.missing"]
    assert "`tinyshoutx==2.0`" in critical[0].message and "wheelhouse" in critical[0].message
    assert "is not available" in critical[0].message
    assert {g.name: g.status for g in report.gates}["execution"] == "skipped"


def test_a_missing_version_names_the_requirement(config: AgentConfig, tmp_path: Path) -> None:
    with pytest.raises(MissingDistributionError) as caught:
        prepare_environment(
            ["tinyshout>=9"],
            cache_dir=tmp_path / "envs",
            find_links=[str(tmp_path / "wheels")],
            no_index=True,
        )
    assert caught.value.missing == ["tinyshout>=9"]
