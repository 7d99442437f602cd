"""``run --write DIR``: the best attempt's module and tests as files that run as they are under pytest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.backends import ScriptedBackend
from burr_codeagent.cli import app
from burr_codeagent.errors import ConfigurationError
from burr_codeagent.writing import module_name_for, rename_module

from .backends.fakes import FakeProvider, Reply

CACHE_CODE = '''"""A tiny cache."""


class LRUCache:
    """Keeps the last ``size`` items."""

    def __init__(self, size: int) -> None:
        """Create an empty cache of ``size`` entries."""
        self.size = size
        self.items: dict[str, int] = {}

    def put(self, key: str, value: int) -> None:
        """Store ``value`` under ``key``."""
        self.items[key] = value
'''
CACHE_TESTS = """import solution
from solution import LRUCache


def test_put(monkeypatch) -> None:
    monkeypatch.setattr("solution.LRUCache.size", 3, raising=False)
    cache = LRUCache(2)
    cache.put("a", 1)
    assert cache.items == {"a": 1}
    assert solution.LRUCache is LRUCache
"""


@pytest.fixture(autouse=True)
def _no_tracking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEAGENT_TRACKING", "false")


@pytest.mark.parametrize(
    ("function_name", "module"),
    [
        ("LRUCache", "lru_cache"),
        ("TTLCache", "ttl_cache"),
        ("fetch_pages", "fetch_pages"),
        ("json", "json_module"),  # never shadows the standard library
        ("test_helpers", "test_helpers_module"),  # never collected as a test module
        ("class", "class_module"),
    ],
)
def test_module_names_come_from_the_function_name(function_name: str, module: str) -> None:
    assert module_name_for(function_name) == module


def test_renamed_tests_import_the_named_module_and_patch_its_attributes() -> None:
    renamed = rename_module(CACHE_TESTS, "lru_cache")
    assert "from lru_cache import LRUCache" in renamed
    assert "import lru_cache as solution" in renamed
    assert '"lru_cache.LRUCache.size"' in renamed


def _pytest(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(directory)],
        cwd=directory,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
        timeout=120,
    )


def test_the_api_writes_files_that_pass_under_plain_pytest(tmp_path: Path) -> None:
    answer = {
        "function_name": "LRUCache",
        "code": CACHE_CODE,
        "explanation": "a dict",
        "test_code": CACHE_TESTS,
    }
    config = AgentConfig(max_retries=0, output_dir=tmp_path / "reports", gates={"enable": ["syntax"]})
    result = CodeAgent(config, backend=ScriptedBackend([answer])).run("an LRU cache")
    files = result.files()
    assert files is not None and (files.module_file, files.test_file) == ("lru_cache.py", "test_lru_cache.py")
    paths = result.write(tmp_path / "out")
    assert paths["module"].read_text() == CACHE_CODE
    run = _pytest(tmp_path / "out")
    assert run.returncode == 0, run.stdout + run.stderr
    with pytest.raises(ConfigurationError, match="not overwriting"):
        result.write(tmp_path / "out")
    assert result.write(tmp_path / "out", module="cache", force=False)["tests"].name == "test_cache.py"


def test_cli_run_write_never_overwrites_without_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    out = tmp_path / "src"
    runner = CliRunner()
    with FakeProvider("openai", [Reply(), Reply(), Reply()]) as fake:
        common = ["run", "Create a function add(a, b)", "--backend", "openai", "--base-url", fake.url + "/v1"]
        common += ["--max-retries", "0", "--output-dir", str(tmp_path / "reports"), "-q", "--write", str(out)]
        first = runner.invoke(app, common)
        assert first.exit_code == 0, first.output
        assert "wrote" in first.output and (out / "add.py").is_file() and (out / "test_add.py").is_file()
        assert "from add import add" in (out / "test_add.py").read_text()
        (out / "add.py").write_text("# my edits\n")
        second = runner.invoke(app, common)
        assert second.exit_code == 2 and "not overwriting" in second.output
        assert (out / "add.py").read_text() == "# my edits\n"
        requests_before = len(fake.requests)
        named = runner.invoke(app, [*common, "--module", "add"])
        assert named.exit_code == 2 and len(fake.requests) == requests_before, "refused before any model call"
        third = runner.invoke(app, [*common, "--force"])
    assert third.exit_code == 0, third.output
    assert (out / "add.py").read_text() != "# my edits\n"
    run = _pytest(out)
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout + run.stderr
