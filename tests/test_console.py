"""What a user sees in the terminal: the live view, log-friendly lines, and linter-style findings."""

from __future__ import annotations

import io
import re
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from burr_codeagent import AgentConfig, CodeAgent, check
from burr_codeagent.backends import ScriptedBackend
from burr_codeagent.cli import app
from burr_codeagent.console import LiveProgress, ProgressPrinter, format_finding, progress_for

from .conftest import GOOD_CODE, broken, make_response

LINTER_LINE = re.compile(
    r"^(?P<path>[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?P<rule>[\w.]+) \[(?P<sev>critical|warning|info)\] .+$"
)


def console(*, terminal: bool) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=terminal, width=120, highlight=False), buffer


def run_with(listener: LiveProgress | ProgressPrinter, tmp_path: Path) -> None:
    config = AgentConfig(
        storage_dir=tmp_path / "burr", output_dir=tmp_path / "r", enable_code_execution=False
    )
    agent = CodeAgent(
        config, backend=ScriptedBackend([broken(1), make_response()], usage=(900, 250)), listeners=[listener]
    )
    listener.start("simple", "Write factorial\nmore lines that are not shown")
    try:
        result = agent.run("Write factorial")
    finally:
        listener.close()
    listener.finish(result)


def test_plain_lines_when_not_a_terminal(tmp_path: Path) -> None:
    out, buffer = console(terminal=False)
    printer = progress_for(out, max_attempts=6)
    assert isinstance(printer, ProgressPrinter)
    run_with(printer, tmp_path)
    text = buffer.getvalue()
    assert "\x1b[" not in text  # no colours or cursor movement in logs
    assert "▶ simple: Write factorial\n" in text
    assert "attempt 1/6: generated" in text and "(900 in / 250 out tokens)" in text
    assert "attempt 1/6: not good enough: 1 critical" in text
    assert "attempt 2/6: passed" in text
    assert "PASSED after 2 attempts, best #2" in text
    assert "markdown report:" in text


def test_quiet_prints_only_the_summary(tmp_path: Path) -> None:
    out, buffer = console(terminal=True)
    printer = progress_for(out, quiet=True)
    assert isinstance(printer, ProgressPrinter)
    run_with(printer, tmp_path)
    lines = [line for line in buffer.getvalue().splitlines() if line.strip()]
    assert "PASSED" in lines[0] and not any("attempt 1/" in line for line in lines)


def test_verbose_adds_a_timestamped_line_per_gate(tmp_path: Path) -> None:
    out, buffer = console(terminal=True)
    printer = progress_for(out, verbose=True)
    assert isinstance(printer, ProgressPrinter)  # verbose stays log-friendly even on a terminal
    run_with(printer, tmp_path)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buffer.getvalue())
    assert re.search(
        r"\[\s*\d+\.\d\ds\]\s+gate syntax: failed, 1 critical", text
    )  # not "ok" when it failed the code
    assert re.search(r"gate syntax: ok, clean", text)


def test_live_view_shows_step_attempt_gates_tokens_then_a_summary(tmp_path: Path) -> None:
    out, buffer = console(terminal=True)
    live = progress_for(out, max_attempts=6)
    assert isinstance(live, LiveProgress)
    run_with(live, tmp_path)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buffer.getvalue())
    assert "attempt 2 of 6" in text
    assert "tokens 1800 in / 500 out" in text
    assert re.search(r"syntax\s+ok\s+clean", text)  # the gate table of the last attempt
    assert "#1: not good enough: 1 critical" in text
    assert text.rindex("PASSED after 2 attempts") > text.rindex(
        "attempt 2 of 6"
    )  # summary after the last frame


def test_check_prints_findings_like_a_linter(tmp_path: Path) -> None:
    source = tmp_path / "tool.py"
    source.write_text("import os\n\n\ndef run(command):\n    return os.system('ls ' + command)\n")
    done = CliRunner().invoke(app, ["check", str(source), "--no-execution"])
    assert done.exit_code == 1
    lines = done.stdout.strip().splitlines()
    findings = [LINTER_LINE.match(line) for line in lines[:-1]]
    assert all(findings), lines
    assert [int(m["line"]) for m in findings if m] == sorted(
        int(m["line"]) for m in findings if m
    )  # file order
    assert any(m and m["rule"].startswith("security.") and m["sev"] == "critical" for m in findings)
    assert lines[-1].startswith(f"{source}: not good enough: ")


def test_format_finding_escapes_markup() -> None:
    report = check("def f(x):\n    return eval(x)\n", config=AgentConfig(enable_code_execution=False))
    out, buffer = console(terminal=False)
    for f in report.findings:
        out.print(format_finding(f, "[bold]a.py", None))
    assert buffer.getvalue().startswith("[bold]a.py:")


def test_plain_progress_says_when_an_attempt_was_auto_fixed(tmp_path: Path) -> None:
    cramped = GOOD_CODE.replace("if n < 0:", "if n<0 :").replace("n * factorial(n - 1)", "n*factorial(n-1)")
    buffer = io.StringIO()
    printer = ProgressPrinter(Console(file=buffer, width=200), max_attempts=6)
    config = AgentConfig(storage_dir=tmp_path / "burr", output_dir=tmp_path / "r")
    result = CodeAgent(
        config, backend=ScriptedBackend([make_response(code=cramped)]), listeners=[printer]
    ).run("Write factorial")
    text = buffer.getvalue()
    assert "auto-fixing locally" in text and "ruff" in text
    assert result.passed and result.attempts[0].auto_fixes
