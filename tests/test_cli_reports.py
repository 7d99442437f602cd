"""What `codeagent check` reports say about the user's own files: their names, the failing line, code shown as
written, only the settings the check used, and counts and costs that read well."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.backends import ScriptedBackend
from burr_codeagent.cli import app
from burr_codeagent.console import summary_line
from burr_codeagent.formatting import format_cost, plural
from burr_codeagent.reports.markdown import md_cell, md_code

from .conftest import GOOD_CODE, make_response

runner = CliRunner()

USER_TESTS = """\
import pytest

from fact import factorial


def test_small() -> None:
    assert factorial(0) == 1


@pytest.mark.parametrize("expr", ["n<=1"])
def test_wrong(expr: str) -> None:
    got = factorial(3)
    assert got == 7, expr
"""


def _project(tmp_path: Path) -> tuple[Path, Path]:
    code = tmp_path / "src" / "fact.py"
    code.parent.mkdir()
    code.write_text(GOOD_CODE)
    tests = tmp_path / "tests" / "test_fact.py"
    tests.parent.mkdir()
    tests.write_text(USER_TESTS)
    return code, tests


def test_check_markdown_names_the_users_test_file_and_the_failing_line(tmp_path: Path) -> None:
    code, tests = _project(tmp_path)
    result = runner.invoke(app, ["check", str(code), "--tests", str(tests), "-f", "markdown"])
    assert result.exit_code == 1, result.output
    text = result.stdout
    assert "test_solution.py" not in text
    assert f"`{tests}::test_wrong[n<=1]`" in text  # the node id, as written: no &lt; inside code
    failing_line = USER_TESTS.splitlines().index("    assert got == 7, expr") + 1
    assert f"| {tests}:{failing_line} |" in text
    assert re.search(r"^\| execution \| failed \|", text, re.MULTILINE)


def test_check_junit_and_sarif_name_the_users_test_file(tmp_path: Path) -> None:
    code, tests = _project(tmp_path)
    junit = runner.invoke(app, ["check", str(code), "--tests", str(tests), "-f", "junit"]).stdout
    assert f'file="{tests}"' in junit and "test_solution.py" not in junit
    sarif = json.loads(runner.invoke(app, ["check", str(code), "--tests", str(tests), "-f", "sarif"]).stdout)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
        if r["ruleId"] == "execution.failed"
    }
    assert uris and all(uri.endswith("tests/test_fact.py") for uri in uris)


def test_check_reports_carry_only_the_settings_the_check_used(tmp_path: Path) -> None:
    code = tmp_path / "fact.py"
    code.write_text(GOOD_CODE)
    text = runner.invoke(app, ["check", str(code), "--no-execution", "-f", "markdown"]).stdout
    settings = text.split("## Configuration Details")[1]
    assert "`warning_threshold`" in settings and "`gates.disable`" in settings
    for unrelated in (
        "api_key",
        "backend",
        "model",
        "max_retries",
        "prices",
        "storage_dir",
        "request_timeout",
    ):
        assert f"`{unrelated}" not in settings, unrelated


def test_one_warning_is_singular_in_check_reports(tmp_path: Path) -> None:
    code = tmp_path / "fact.py"
    code.write_text(GOOD_CODE + "\n\ndef Helper() -> int:\n    '''One.'''\n    return 1\n")
    text = runner.invoke(app, ["check", str(code), "--no-execution", "-f", "markdown"]).stdout
    assert "1 warning (threshold" in text and "1 warnings" not in text


def test_markdown_cells_escape_html_in_prose_but_not_in_code_spans() -> None:
    assert md_cell("use `n <= 1` here, not <b>") == "use `n <= 1` here, not &lt;b&gt;"
    assert md_cell("`a|b` & c") == "`a\\|b` &amp; c"
    assert md_code("x<y") == "`x<y`" and md_code("a`b") == "``a`b``"


def test_counts_and_costs_read_well() -> None:
    assert plural(1, "warning") == "1 warning" and plural(2, "warning") == "2 warnings"
    assert format_cost(0.0000271) == "<$0.0001" and format_cost(0.0123) == "$0.0123"
    assert format_cost(None) == "unknown"


def test_a_tiny_cost_is_not_printed_as_zero(tmp_path: Path) -> None:
    config = AgentConfig(
        storage_dir=tmp_path / "burr",
        output_dir=tmp_path / "r",
        enable_code_execution=False,
        report_formats=[],
    )
    backend = ScriptedBackend([make_response()], usage=(100, 20), model="gpt-4o-mini")
    result = CodeAgent(config, backend=backend).run("Write factorial")
    assert result.metrics.estimated_cost_usd is not None and 0 < result.metrics.estimated_cost_usd < 0.0001
    buffer = io.StringIO()
    Console(file=buffer, width=300).print(summary_line(result))
    line = buffer.getvalue()
    assert "<$0.0001" in line and "$0.0000" not in line
    assert "after 1 attempt," in line and "in 1 call," in line


def test_the_batch_table_shows_a_tiny_cost_as_such() -> None:
    from burr_codeagent.batch.outcome import TaskOutcome
    from burr_codeagent.cli_batch import outcome_table

    buffer = io.StringIO()
    rows = [TaskOutcome(id="slugify", app_id="a", passed=True, attempts=1, cost_usd=0.0000271)]
    Console(file=buffer, width=200).print(outcome_table(rows))
    assert "<$0.0001" in buffer.getvalue() and "0.0000" not in buffer.getvalue()
