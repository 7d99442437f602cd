"""``codeagent check`` imports only what the command uses: no renderer for text output, no backend, no LLM SDK,
no Burr, no libcst without tests (issue 13: the whole process must not be slower than ruff + bandit + radon)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CODE = '"""Add."""\n\n\ndef add(a: int, b: int) -> int:\n    """The sum."""\n    return a + b\n'
TESTS = "from sample import add\n\n\ndef test_add() -> None:\n    assert add(1, 2) == 3\n"
NEVER_FOR_CHECK = (
    "burr",
    "instructor",
    "openai",
    "anthropic",
    "boto3",
    "botocore",
    "httpx",
    "burr_codeagent.agent",
    "burr_codeagent.backends.openai_api",
    "burr_codeagent.backends.anthropic_api",
    "burr_codeagent.backends.bedrock",
    "burr_codeagent.backends.base",
    "burr_codeagent.sandbox",  # --no-execution: no test runs, so no sandbox
    # No .env, CODEAGENT_* variable or [tool.codeagent] table: the config reads no settings source, so neither
    # pydantic-settings nor what it imports (asyncio, python-dotenv) is loaded.
    "pydantic_settings",
    "dotenv",
    "asyncio",
    "tomllib",  # no pyproject.toml above the file or the working directory: nothing to parse
    # The other commands' modules: only the command that runs is imported.
    "burr_codeagent.cli_batch",
    "burr_codeagent.cli_eval",
    "burr_codeagent.cli_improve",
    "burr_codeagent.cli_info",
    "burr_codeagent.integrations.mcp_command",
    # Findings print through console_findings; the agent's live display and its tables are not needed.
    "burr_codeagent.console",
    "rich.live",
    "rich.table",
    # bandit's scan manager (rich.progress), its yaml configuration and its report formatters are not used.
    "bandit.core.manager",
    "bandit.core.config",
    "yaml",
    "rich.progress",
    "bandit.formatters",
    # The mutation gate is registered but does not run: its mutants, reach plugin and session stay unimported.
    "burr_codeagent.gates.mutation._mutants",
    "burr_codeagent.gates.mutation._reach",
    "burr_codeagent.gates.mutation._session",
)
TEXT_OUTPUT_ONLY = (
    "jinja2",
    "pygments",
    "libcst",
    "burr_codeagent.reports.html",
    "burr_codeagent.reports.sarif",
    "rich._emoji_codes",  # findings print code as text, never as emoji
    # To a pipe or a file rich would print the findings unstyled: console_plain writes them without importing it.
    "rich",
    "rich.console",
    "rich.markup",
)


def imported_by(*arguments: str, cwd: Path) -> set[str]:
    """Every module in ``sys.modules`` when the ``codeagent`` process exits."""
    listing = cwd / "modules.txt"
    script = (
        "import atexit, runpy, sys\n"
        f"atexit.register(lambda: open({str(listing)!r}, 'w').write('\\n'.join(sorted(sys.modules))))\n"
        f"sys.argv = ['codeagent', *{list(arguments)!r}]\n"
        "runpy.run_module('burr_codeagent', run_name='__main__')\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={**os.environ, "CODEAGENT_PLUGINS": ""},
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr[-2000:]
    return set(listing.read_text(encoding="utf-8").split())


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    (tmp_path / "sample.py").write_text(CODE, encoding="utf-8")
    (tmp_path / "test_sample.py").write_text(TESTS, encoding="utf-8")
    return tmp_path


def test_check_without_execution_imports_no_renderer_backend_sdk_or_burr(sample: Path) -> None:
    modules = imported_by("check", "--no-execution", "sample.py", cwd=sample)
    assert {"bandit", "radon.visitors", "burr_codeagent.gates.security.rules"} <= modules  # the gates ran
    unwanted = modules & {*NEVER_FOR_CHECK, *TEXT_OUTPUT_ONLY}
    assert not unwanted, sorted(unwanted)


def test_html_output_and_tests_bring_in_only_what_they_need(sample: Path) -> None:
    # The other side of the test above: the same listing does show a module when the command needs it.
    modules = imported_by(
        "check", "--no-execution", "--tests", "test_sample.py", "--format", "html", "sample.py", cwd=sample
    )
    assert {"jinja2", "libcst", "burr_codeagent.reports.html"} <= modules
    assert not modules & set(NEVER_FOR_CHECK), sorted(modules & set(NEVER_FOR_CHECK))


def test_listing_gates_imports_no_backend(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom burr_codeagent.plugins import PluginManager\n"
        "manager = PluginManager()\nassert 'syntax' in manager.gates()\n"
        "print(sorted(m for m in sys.modules if m.startswith('burr_codeagent.backends.')))\n"
        "assert 'openai' in manager.backends()\n"
        "print(sorted(m for m in sys.modules if m.startswith('burr_codeagent.backends.')))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path, check=True
    )
    before, after = completed.stdout.splitlines()
    assert "openai_api" not in before
    assert "burr_codeagent.backends.openai_api" in after
