"""The HTML report: one self-contained, escaped file with the same sections, readable offline in a browser."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from burr_codeagent import AgentResult, CheckReport, TestOutcome
from burr_codeagent.models import TestCase
from burr_codeagent.reports.base import RenderContext
from burr_codeagent.reports.html import HtmlRenderer, join_html

from ..conftest import make_response
from .conftest import CHROMIUM, dump_dom, run_agent

HEADINGS = [
    "Quality Metrics Summary",
    "Workflow Journey",
    "Generated Artifacts",
    "Quality Assessment",
    "Performance Summary",
    "Workflow Graph",
    "Configuration Details",
]


def test_self_contained(two_attempts: AgentResult, context: RenderContext) -> None:
    html = HtmlRenderer().render(two_attempts, context)
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # nothing fetched from a network
    assert "<style>" in html and 'class="highlight"' in html  # inline CSS, pygments-highlighted code
    for heading in HEADINGS:
        assert f">{heading}</h2>" in html


def test_chart_and_graph_are_inline_svg(two_attempts: AgentResult, context: RenderContext) -> None:
    html = HtmlRenderer().render(two_attempts, context)
    chart = html.split('id="findings-chart"')[1].split("</div>")[0]
    assert "<svg" in chart and "attempt 1: 1 critical" in chart
    if shutil.which("dot"):
        assert '<div class="figure" id="graph"><svg' in html.replace("\n", "")


def test_without_dot_the_graph_is_shown_as_text(
    two_attempts: AgentResult, context: RenderContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no graphviz
    html = HtmlRenderer().render(two_attempts, context)
    assert '<pre id="graph">stateDiagram-v2' in html


def test_everything_is_escaped(tmp_path: Path) -> None:
    evil = "<script>alert(1)</script>"
    result = run_agent(tmp_path, [make_response(explanation=evil, usage_examples=[evil])], ["html"])
    html = result.report_paths["html"].read_text()
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_failing_tests_are_listed_with_their_traceback_escaped() -> None:
    failing = TestCase(
        name="test_html",
        classname="test_solution",
        outcome="failed",
        message="<b>bold</b> is not 1",
        traceback="E   assert '<script>x</script>' == 1",
    )
    report = CheckReport.from_findings(
        [], gates=[], tests=TestOutcome(failed=1, cases=[failing]), seconds=0.1, warning_threshold=5
    )
    html = HtmlRenderer().render(report, RenderContext(source_paths={"code": "a.py"}))
    assert '<h3 id="failing-tests">Failing tests</h3>' in html
    assert "<code>test_solution.py::test_html</code>" in html
    assert "&lt;b&gt;bold&lt;/b&gt; is not 1" in html and "<script>" not in html


def test_check_report_and_joined_reports(flawed_report: CheckReport) -> None:
    one = HtmlRenderer().render(flawed_report, RenderContext(source_paths={"code": "a.py"}))
    two = HtmlRenderer().render(flawed_report, RenderContext(source_paths={"code": "b.py"}))
    joined = join_html([one, two])
    assert joined.count("<html") == 1 and joined.count("</html>") == 1
    assert joined.count("<h1>Code Quality Report</h1>") == 2 and "a.py" in joined and "b.py" in joined


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_headless_chromium_renders_the_report_offline(
    two_attempts: AgentResult, context: RenderContext, tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    page.write_text(HtmlRenderer().render(two_attempts, context), encoding="utf-8")
    dom = dump_dom(page.as_uri(), tmp_path / "profile", timeout=120)
    for heading in HEADINGS:
        assert heading in dom
    assert '<span class="nf">factorial</span>' in dom  # highlighted code survived the parse
