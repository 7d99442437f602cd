"""The style gate: ruff's diagnostics as findings with exact spans, fixable flags and the severity policy."""

from __future__ import annotations

import ast
import textwrap

import pytest

from burr_codeagent import AgentConfig, Severity, check
from burr_codeagent.gates.base import GateContext
from burr_codeagent.gates.style import StyleGate
from burr_codeagent.models import Finding

from .reference_solutions import REFERENCE_SOLUTIONS


def run_style(
    code: str, test_code: str | None = None, *, only: bool = True, **options: object
) -> list[Finding]:
    gates: dict[str, object] = {"enable": ["style"]} if only else {}
    if options:
        gates["options"] = {"style": options}
    config = AgentConfig(enable_code_execution=False, tracking=False, gates=gates)
    return [f for f in check(code, test_code, config=config).findings if f.gate == "style"]


def test_whitespace_findings_have_ruff_spans_and_are_fixable() -> None:
    findings = run_style("x=1\n")
    e225 = next(f for f in findings if f.rule == "style.E225")
    assert (e225.line, e225.column, e225.end_line, e225.end_column) == (1, 2, 1, 3)
    assert e225.fixable and e225.severity is Severity.WARNING
    assert e225.suggestion == "Add missing whitespace"
    assert e225.message.startswith("E225")


def test_blank_line_rules_need_preview_and_are_reported() -> None:
    findings = run_style("import os\ndef f() -> str:\n    return os.sep\n")
    assert ("style.E302", 2) in {(f.rule, f.line) for f in findings}


def test_undefined_name_is_critical_in_code_and_tests() -> None:
    code = "def area(r: float) -> float:\n    return pi * r * r\n"
    tests = "from solution import area\n\n\ndef test_area() -> None:\n    assert aera(1) > 3\n"
    findings = run_style(code, tests)
    critical = {(f.rule, f.target, f.line) for f in findings if f.severity is Severity.CRITICAL}
    assert critical == {("style.F821", "code", 2), ("style.F821", "tests", 5)}


def test_unused_import_is_a_warning_with_ruffs_fix_message() -> None:
    findings = run_style("import os\n\nVALUE = 1\n")
    f401 = next(f for f in findings if f.rule == "style.F401")
    assert f401.severity is Severity.WARNING and not f401.fixable
    assert f401.suggestion == "Remove unused import: `os`"


def test_long_code_line_is_fixable_but_a_long_string_is_not() -> None:
    call = "result = dict(" + ", ".join(f"key{i}=value{i}" for i in range(12)) + ")"
    text = 'MESSAGE = "' + "x" * 120 + '"'
    comment = "VALUE = 1  # " + "because " * 15
    code = "\n".join([*(f"value{i} = {i}" for i in range(12)), call, text, comment, ""])
    e501 = {f.line: f.fixable for f in run_style(code) if f.rule == "style.E501"}
    assert e501 == {13: True, 14: False, 15: False}


def test_line_length_option_is_honoured_and_validated() -> None:
    code = "VALUE = " + " + ".join(["1"] * 30) + "\n"  # 125 characters
    assert "style.E501" in {f.rule for f in run_style(code)}
    assert "style.E501" not in {f.rule for f in run_style(code, line_length=130)}
    config = AgentConfig(
        enable_code_execution=False,
        tracking=False,
        gates={"enable": ["style"], "options": {"style": {"line_length": "long"}}},
    )
    report = check(code, config=config)
    assert report.gates[0].status == "error" and "line_length" in (report.gates[0].error or "")


def test_user_ruff_configuration_does_not_leak_in(tmp_path_factory: pytest.TempPathFactory) -> None:
    import os

    project = tmp_path_factory.mktemp("project")
    (project / "pyproject.toml").write_text('[tool.ruff.lint]\nignore = ["E225", "F401"]\n', encoding="utf-8")
    os.chdir(project)
    rules = {f.rule for f in run_style("import os\nx=1\n")}
    assert {"style.E225", "style.F401"} <= rules


def test_naming_and_bare_except_are_left_to_their_own_gates() -> None:
    code = "def BadName() -> None:\n    try:\n        pass\n    except:\n        pass\n"
    with_all = run_style(code, only=False)
    assert not {f.rule for f in with_all} & {"style.N802", "style.E722"}
    alone = {f.rule for f in run_style(code)}
    assert {"style.N802", "style.E722"} <= alone


def test_pytest_fixture_redefinition_is_not_flagged_in_tests() -> None:
    tests = textwrap.dedent(
        """\
        import pytest

        from solution import value


        @pytest.fixture
        def number() -> int:
            return value()


        def test_number(number: int) -> None:
            assert number == 1
        """
    )
    findings = run_style("def value() -> int:\n    return 1\n", tests)
    assert [f for f in findings if f.target == "tests"] == []


def test_formatter_findings_count_once_in_all_toward_the_threshold() -> None:
    """E203, E225 and E231 on ten lines: one formatter run repairs them all, so they are one warning."""
    code = "".join(f"value{i}=[{i} ,{i}]\n" for i in range(10))
    config = AgentConfig(enable_code_execution=False, tracking=False, gates={"enable": ["style"]})
    report = check(code, config=config)
    rules = {f.rule for f in report.findings}
    assert len(report.findings) > 20 and len(rules) == 3
    assert report.warning_count == 1


def test_code_that_does_not_parse_is_left_to_the_syntax_gate() -> None:
    report = check(
        "def broken(:\n",
        config=AgentConfig(enable_code_execution=False, tracking=False, gates={"enable": ["style"]}),
    )
    assert report.findings == [] and report.gates[0].status == "skipped"


@pytest.mark.parametrize("name", sorted(REFERENCE_SOLUTIONS))
def test_reference_solutions_are_clean(name: str) -> None:
    assert run_style(REFERENCE_SOLUTIONS[name]) == []


def test_gate_used_directly_lists_rules() -> None:
    gate = StyleGate()
    assert gate.rules["style.F821"] == "Undefined name."
    assert "style.E225" in gate.rules and "style.F403" not in gate.rules
    code = "x=1\n"
    config = AgentConfig(tracking=False)
    found = list(gate.check(GateContext(code=code, test_code=None, config=config, code_tree=ast.parse(code))))
    assert [f.rule for f in found] == ["style.E225"]
