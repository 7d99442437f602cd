"""The console names what failed: findings and failing tests per attempt, the AI analysis step, info kept quiet,
and log lines printed above the live display instead of being glued into it (checked on a pseudo-terminal)."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pexpect
import pyte
import pytest
from rich.console import Console
from typer.testing import CliRunner

from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.backends import ScriptedBackend
from burr_codeagent.cli import app
from burr_codeagent.console import ProgressPrinter

from .backends.fakes import GOOD_ANSWER, FakeProvider, Reply, Throttle
from .conftest import GOOD_CODE, make_response

WRONG_TESTS = "from solution import factorial\n\n\ndef test_three() -> None:\n    assert factorial(3) == 7\n"
REVIEW = {
    "issues": ["add does not compile"],
    "root_causes": ["the parameter list is never closed"],
    "fixes": [{"target": "code", "location": "add", "change": "close the parenthesis"}],
    "summary": "A syntax error hides everything else.",
}
BROKEN_ANSWER = {**GOOD_ANSWER, "code": "def add(a, b:\n    return a + b\n"}


def test_a_failed_attempt_lists_its_failing_tests_critical_findings_and_first_warnings(
    tmp_path: Path,
) -> None:
    buffer = io.StringIO()
    printer = ProgressPrinter(Console(file=buffer, width=200, highlight=False))
    wrong = make_response(code=GOOD_CODE + "\n\ndef Helper( x ):\n    return x\n", test_code=WRONG_TESTS)
    config = AgentConfig(storage_dir=tmp_path / "burr", output_dir=tmp_path / "r", max_retries=1)
    agent = CodeAgent(config, backend=ScriptedBackend([wrong, make_response()]), listeners=[printer])
    printer.start("t", "Write factorial")
    agent.run("Write factorial")
    text = buffer.getvalue()
    attempt_1 = text.split("attempt 2/")[0]
    assert "failing tests:" in attempt_1
    assert "execution.failed tests:5 Test test_three failed: assert 6 == 7" in attempt_1
    assert "first warnings" in attempt_1 and "naming." in attempt_1
    after = text.split("attempt 2/6: passed")[-1]
    assert "failing tests:" not in after  # a passing attempt lists nothing


def _run_cli(args: list[str], tmp_path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, [*args, "--output-dir", str(tmp_path / "r")], env={"CODEAGENT_TRACKING": "false"}
    )
    return result.exit_code, result.output


def test_the_ai_analysis_step_is_visible_in_plain_output(tmp_path: Path) -> None:
    script = [Reply(BROKEN_ANSWER), Reply(REVIEW), Reply()]
    with FakeProvider("openai", script) as fake:
        code, output = _run_cli(
            ["run", "Write add", "--backend", "openai", "--base-url", fake.url + "/v1", "--ai-analysis"],
            tmp_path,
        )
    assert code == 0, output
    assert "ai_analysis: asking the model to review the failed attempt" in output
    assert "AI analysis: A syntax error hides everything else. (1 fix suggested)" in output


def test_check_hides_info_findings_unless_verbose(tmp_path: Path) -> None:
    source = tmp_path / "loader.py"
    source.write_text(
        '"""Load."""\n\n\ndef load(text: str) -> int:\n    """Parse.\n\n    Args:\n        text: The text.\n\n'
        '    Returns:\n        The number.\n    """\n    if not text:\n        raise Exception("empty")\n'
        "    return int(text)\n"
    )
    quiet = CliRunner().invoke(app, ["check", str(source), "--no-execution"])
    loud = CliRunner().invoke(app, ["check", str(source), "--no-execution", "-v"])
    assert "error_handling.generic_raise" in loud.output
    assert "error_handling.generic_raise" not in quiet.output
    assert "1 info (not shown; -v shows them)" in quiet.output
    assert quiet.exit_code == loud.exit_code == 0


def _screen(output: bytes, rows: int = 300, columns: int = 160) -> list[str]:
    screen = pyte.Screen(columns, rows)
    pyte.ByteStream(screen).feed(output.replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n"))
    return [line.rstrip() for line in screen.display]


def _spawn(args: list[str], tmp_path: Path, rows: int = 300, columns: int = 160) -> tuple[int, list[str]]:
    env = {
        **os.environ,
        "CODEAGENT_TRACKING": "false",
        "CODEAGENT_OUTPUT_DIR": str(tmp_path / "r"),
        "TERM": "xterm-256color",
        "COLUMNS": str(columns),
        "LINES": str(rows),
    }
    env.pop("NO_COLOR", None)
    env.pop("CI", None)
    codeagent = str(Path(sys.executable).parent / "codeagent")
    child = pexpect.spawn(codeagent, args, env=env, dimensions=(rows, columns), timeout=120)
    output = child.read()
    child.close()
    return child.exitstatus if child.exitstatus is not None else -(child.signalstatus or 0), _screen(output)


@pytest.mark.slow
def test_live_display_prints_retry_log_lines_above_itself_on_a_terminal(tmp_path: Path) -> None:
    """On a pseudo-terminal the live view redraws in place; the retry warning must survive the redraws."""
    with FakeProvider("openai", [Throttle(retry_after="1"), Reply()]) as fake:
        code, screen = _spawn(
            ["run", "Write add", "--backend", "openai", "--base-url", fake.url + "/v1", "--no-execution"],
            tmp_path,
        )
    text = "\n".join(screen)
    assert code == 0, text
    retry_lines = [line for line in screen if "retry 1 of 5" in line]
    assert retry_lines, text
    assert all("attempt" not in line and "tokens" not in line for line in retry_lines), retry_lines
    assert any("PASSED after 1 attempt" in line for line in screen), text


@pytest.mark.slow
def test_live_display_shows_the_ai_analysis_step(tmp_path: Path) -> None:
    with FakeProvider("openai", [Reply(BROKEN_ANSWER), Reply(REVIEW), Reply()]) as fake:
        code, screen = _spawn(
            [
                "run",
                "Write add",
                "--backend",
                "openai",
                "--base-url",
                fake.url + "/v1",
                "--ai-analysis",
                "--no-execution",
            ],
            tmp_path,
        )
    text = "\n".join(screen)
    assert code == 0, text
    assert "AI analysis: A syntax error hides everything else." in text
    assert "syntax.error code:1" in text  # the failed attempt's finding is in the final frame
