"""Every report shows every attempt: its findings and failing tests, what it fixed and what was new (by rule and
message, not only counts), and the findings of the model's answer before a local auto-fix replaced it."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from burr_codeagent import AgentResult
from burr_codeagent.plugins import default_manager

from ..conftest import GOOD_CODE, GOOD_TESTS, make_response
from .conftest import load_json, run_agent

# Attempt 1: a shell call, code ruff format and ruff's safe fixes repair (E225, unsorted imports), and two failing
# tests. Attempt 2: the good answer.
FLAWED = (
    "import sys\nimport os\n"
    + GOOD_CODE.replace("if n in (0, 1):", "if n in (0,):")
    + "\n\ndef shell(c: str) -> int:\n"
    '    """Run c."""\n'
    "    x=os.system(c)\n"
    "    return x + len(sys.argv)\n"
)
FAILING_TESTS = (
    GOOD_TESTS + "\n\ndef test_three() -> None:\n    value = 3\n    assert factorial(value) == 7\n"
)


@pytest.fixture(scope="module")
def journey_run(tmp_path_factory: pytest.TempPathFactory) -> AgentResult:
    """One real run (sandboxed tests included) shared by the module: it takes seconds."""
    tmp_path = tmp_path_factory.mktemp("journey")
    with pytest.MonkeyPatch.context() as patch:  # the isolation the function-scoped autouse fixture gives
        patch.setenv("CODEAGENT_PLUGINS", "")
        patch.setenv("HOME", str(tmp_path))
        patch.chdir(tmp_path)
        default_manager.cache_clear()
        return run_agent(
            tmp_path,
            [make_response(code=FLAWED, test_code=FAILING_TESTS), make_response()],
            ["markdown", "html", "json", "sarif", "junit"],
            enable_code_execution=True,
        )


def test_the_attempt_keeps_the_findings_of_the_answer_before_the_auto_fix(journey_run: AgentResult) -> None:
    first = journey_run.attempts[0]
    assert first.auto_fixes, "the flawed answer is one ruff can fix"
    before = first.report_before_auto_fix
    assert before is not None
    rules_before = {f.rule for f in before.findings}
    rules_after = {f.rule for f in first.report.findings}
    assert "style.E225" in rules_before and "style.E225" not in rules_after
    assert journey_run.attempts[1].report_before_auto_fix is None  # the good answer needed no fix


def test_markdown_lists_each_attempt_with_what_it_fixed_and_what_was_new(journey_run: AgentResult) -> None:
    text = journey_run.report_paths["markdown"].read_text(encoding="utf-8")
    attempts = text.split("## Attempts")[1].split("## Generated Artifacts")[0]
    first, second = attempts.split("### Attempt 2")
    assert "### Attempt 1: not good enough" in first
    assert "`security.injection`" in first and "`execution.failed`" in first
    assert "`test_solution.py::test_three`" in first  # the failing test, by name
    # the model's own answer, before ruff changed it
    assert "Findings before the auto-fix" in first
    assert "`style.E225`" in first.split("Findings before the auto-fix")[1].split("</details>")[0]
    fixed = second.split("Fixed:")[1].split("New:")[0]
    assert "`security.injection` at solution.py:" in fixed
    assert "`execution.failed` at test_solution.py:" in fixed and "test_three" in fixed
    assert "`mutation.score`" in second.split("New:")[1]


def test_html_has_a_section_per_attempt(journey_run: AgentResult) -> None:
    text = journey_run.report_paths["html"].read_text(encoding="utf-8")
    first = text.split('id="attempt-1"')[1].split('id="attempt-2"')[0]
    second = text.split('id="attempt-2"')[1].split("</section>")[0]
    assert "Findings before the auto-fix" in first and "style.E225" in first
    assert "test_solution.py::test_three" in first
    assert "Fixed:" in second and "security.injection" in second.split("Fixed:")[1]


def test_sarif_keeps_every_attempt_and_marks_the_best_attempts_new_findings(journey_run: AgentResult) -> None:
    log = load_json(journey_run.report_paths["sarif"])
    run = log["runs"][0]
    records = run["properties"]["attempts"]
    assert [r["attempt"] for r in records] == [1, 2]
    assert {"ruleId", "level", "location", "message"} <= set(records[0]["findings"][0])
    assert any(f["ruleId"] == "style.E225" for f in records[0]["findingsBeforeAutoFix"])
    assert any(f["ruleId"] == "security.injection" for f in records[1]["fixed"])
    assert any(t["test"].endswith("::test_three") for t in records[0]["failingTests"])
    assert {r["baselineState"] for r in run["results"]} <= {"new", "unchanged"}
    assert run["results"] and all(r["baselineState"] == "new" for r in run["results"])  # mutation.score only


def test_junit_has_a_case_per_attempt_with_the_earlier_ones_skipped(journey_run: AgentResult) -> None:
    root = ET.fromstring(journey_run.report_paths["junit"].read_bytes())
    suite = next(s for s in root.iter("testsuite") if s.get("name") == "codeagent.attempts")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["attempt 1", "attempt 2"]
    assert cases[0].find("skipped") is not None and cases[1].find("skipped") is None
    history = cases[0].findtext("system-out") or ""
    assert "security.injection" in history and "test_three failed" in history and "style.E225" in history
    assert root.get("failures") == "0"  # the run passed: its history fails nothing


def test_json_report_lists_the_report_paths_and_has_no_unrounded_floats(journey_run: AgentResult) -> None:
    path = journey_run.report_paths["json"]
    data = load_json(path)
    listed = {name: Path(p) for name, p in data["report_paths"].items()}
    assert listed == journey_run.report_paths
    assert all(p.is_file() and p.stat().st_size > 0 for p in listed.values())
    floats = list(_floats(data))
    assert floats and all(value == round(value, 6 if "cost" in key else 4) for key, value in floats), [
        (key, value) for key, value in floats if value != round(value, 4)
    ]


def _floats(value: object, key: str = "") -> Iterator[tuple[str, float]]:
    """Every float of a JSON document with the key it sits under (text that merely contains digits is not one)."""
    if isinstance(value, float):
        yield key, value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _floats(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _floats(item, key)


def test_a_failing_tests_finding_points_at_the_failing_line(journey_run: AgentResult) -> None:
    finding = next(f for f in journey_run.attempts[0].report.findings if "test_three" in f.message)
    lines = FAILING_TESTS.splitlines()
    assert lines[finding.line - 1].strip() == "assert factorial(value) == 7"  # type: ignore[operator]


def test_gates_table_says_failed_for_a_gate_with_critical_findings(journey_run: AgentResult) -> None:
    text = journey_run.report_paths["markdown"].read_text(encoding="utf-8")
    first = text.split("### Attempt 1")[1].split("### Attempt 2")[0]
    assert "Failing tests:" in first
    result = journey_run.model_copy(update={"best": journey_run.attempts[0]})
    from burr_codeagent.reports.base import RenderContext
    from burr_codeagent.reports.markdown import MarkdownRenderer

    rendered = MarkdownRenderer().render(result, RenderContext(config=result.config))
    assert re.search(r"^\| execution \| failed \|", rendered, re.MULTILINE)
    assert not re.search(r"^\| execution \| ok \|", rendered, re.MULTILINE)
    assert "Success rate" not in rendered


def test_json_report_round_trips_into_the_model(journey_run: AgentResult) -> None:
    text = journey_run.report_paths["json"].read_text(encoding="utf-8")
    again = AgentResult.model_validate_json(text)
    assert again.attempts[0].report_before_auto_fix is not None
    assert json.loads(text)["passed"] is True
