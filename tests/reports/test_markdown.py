"""The Markdown report: the original design's sections filled from a real run, safe to render on GitHub."""

from __future__ import annotations

from burr_codeagent import AgentResult, CheckReport, TestOutcome
from burr_codeagent.models import TestCase
from burr_codeagent.reports.base import RenderContext
from burr_codeagent.reports.markdown import MarkdownRenderer, fenced, md_cell

from ..conftest import make_response
from .conftest import run_agent

SECTIONS = [
    "## Quality Metrics Summary",
    "## Workflow Journey",
    "## Generated Artifacts",
    "## Quality Assessment",
    "## Performance Summary",
    "## Workflow Graph",
    "## Configuration Details",
]


def test_every_section_in_order(two_attempts: AgentResult, context: RenderContext) -> None:
    text = MarkdownRenderer().render(two_attempts, context)
    positions = [text.index(section) for section in SECTIONS]
    assert positions == sorted(positions)


def test_journey_has_a_row_per_attempt_with_what_changed(
    two_attempts: AgentResult, context: RenderContext
) -> None:
    text = MarkdownRenderer().render(two_attempts, context)
    journey = text.split("## Workflow Journey")[1].split("## Generated Artifacts")[0]
    rows = [line for line in journey.splitlines() if line.startswith("| 1") or line.startswith("| 2")]
    assert len(rows) == 2
    assert "first attempt" in rows[0]
    assert "1 fixed" in rows[1] and "lines" in rows[1] and "★" in rows[1]  # the syntax error was fixed
    assert "1200 / 340" in rows[0]  # tokens come from the backend's usage


def test_pictures_are_mermaid(two_attempts: AgentResult, context: RenderContext) -> None:
    text = MarkdownRenderer().render(two_attempts, context)
    assert "```mermaid\nxychart-beta" in text
    assert "bar [" in text and "line [" in text
    assert "```mermaid\nstateDiagram-v2" in text and "code_checker --> code_generator" in text


def test_performance_and_configuration_come_from_the_run(
    two_attempts: AgentResult, context: RenderContext
) -> None:
    text = MarkdownRenderer().render(two_attempts, context)
    assert f"| Input tokens | {two_attempts.metrics.input_tokens} |" in text
    assert f"| API calls | {two_attempts.metrics.api_calls} |" in text
    assert "`code_generator` | 2 |" in text
    assert "| `max_retries` | 5 |" in text
    assert "| `sandbox.memory_mb` |" in text  # nested settings are flattened, every one shown


def test_hostile_text_cannot_break_tables_or_fences(tmp_path) -> None:  # type: ignore[no-untyped-def]
    code = '"""Has a fence."""\n\nDOC = """\n```\n| not a table |\n"""\n'
    result = run_agent(
        tmp_path, [make_response(code=code, explanation="<script>alert(1)</script> | pipe")], ["markdown"]
    )
    text = result.report_paths["markdown"].read_text()
    assert "````python\n" in text  # a longer fence than any backtick run inside the code
    assert "<script>" not in text


def test_md_cell_and_fence_helpers() -> None:
    assert md_cell("a | b\nc <b>") == "a \\| b c &lt;b&gt;"
    assert fenced("x = '```'").startswith("````python\n")


def test_check_report_markdown(flawed_report: CheckReport) -> None:
    text = MarkdownRenderer().render(flawed_report, RenderContext(source_paths={"code": "src/tool.py"}))
    assert "# Code Quality Report" in text and "❌ not good enough" in text
    assert "src/tool.py:" in text  # findings are located in the checked file


def test_failing_tests_are_listed_by_name_with_their_message() -> None:
    failing = TestCase(
        name="test_p[2-5]",
        classname="test_solution",
        file="test_solution.py",
        line=3,
        outcome="failed",
        message="assert 4 == 5 | odd",
    )
    passing = TestCase(name="test_p[1-2]", classname="test_solution", outcome="passed")
    tests = TestOutcome(passed=1, failed=1, cases=[passing, failing])
    report = CheckReport.from_findings([], gates=[], tests=tests, seconds=0.1, warning_threshold=5)
    text = MarkdownRenderer().render(report, RenderContext(source_paths={"code": "tool.py"}))
    assert "### Failing tests" in text
    assert "| `test_solution.py::test_p[2-5]` (line 3) | failed | assert 4 == 5 \\| odd |" in text
    assert "test_p[1-2]" not in text  # passing tests are counted, not listed
