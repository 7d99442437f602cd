"""The compiler's SyntaxWarnings become ``syntax.warning`` findings instead of lines on stderr."""

from __future__ import annotations

import warnings

import pytest

from burr_codeagent import AgentConfig, Severity, check

from ._helpers import findings

WARNS = '''
def same(x):
    """Whether ``x`` is one."""
    assert (x, "x must be given")
    return x is 1
'''


def test_syntax_warnings_are_findings_not_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    found = [f for f in findings("syntax", WARNS) if f.rule == "syntax.warning"]
    assert sorted((f.line, f.severity) for f in found) == [(4, Severity.INFO), (5, Severity.INFO)]
    assert any('"is" with a literal' in f.message for f in found)
    assert capfd.readouterr().err == ""


def test_syntax_warnings_in_the_tests_name_the_tests() -> None:
    tests = "from solution import f\n\ndef test_f():\n    assert f() is ()\n"
    found = [f for f in findings("syntax", "def f():\n    return ()\n", tests) if f.rule == "syntax.warning"]
    assert [(f.target, f.line) for f in found] == [("tests", 4)]


def test_a_clean_module_has_no_syntax_warning() -> None:
    assert findings("syntax", "def f(x: int) -> bool:\n    return x == 1\n") == []


def test_the_checkers_parse_keeps_invalid_escapes_off_stderr_and_style_reports_them() -> None:
    source = 'PATTERN = "\\d+ apples, unique to this test"\n'
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = check(
            source, config=AgentConfig(enable_code_execution=False, gates={"enable": ["syntax", "style"]})
        )
    assert [str(w.message) for w in caught if "escape" in str(w.message)] == []
    assert "style.W605" in {f.rule for f in report.findings}
