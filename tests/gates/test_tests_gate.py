"""The ``tests`` gate: generated tests that can fail when the code is wrong; plus all syntax-tree gates together."""

from __future__ import annotations

import pytest

from burr_codeagent import AgentConfig, Severity, check
from tests.conftest import GOOD_CODE, GOOD_TESTS

from ._helpers import findings, rules, run_gate
from ._reference import ALL, AST_GATES, DOCUMENTED


def gate_rules(test_code: str, function_name: str | None = "factorial") -> list[str]:
    return rules(findings("tests", GOOD_CODE, test_code, function_name=function_name))


def test_good_tests_have_no_findings() -> None:
    assert gate_rules(GOOD_TESTS) == []


def test_without_tests_the_gate_is_reported_skipped() -> None:
    report = run_gate("tests", GOOD_CODE)
    assert [(g.name, g.status) for g in report.gates] == [("tests", "skipped")]
    assert report.findings == []


def test_no_collectable_test_is_critical() -> None:
    found = findings(
        "tests", GOOD_CODE, "from solution import factorial\n\ndef check_it():\n    assert factorial(1)\n"
    )
    assert rules(found) == ["tests.no_tests"]
    assert found[0].severity is Severity.CRITICAL and found[0].target == "tests"


def test_tests_without_any_assertion_are_critical() -> None:
    code = "from solution import factorial\n\n\ndef test_runs():\n    factorial(5)\n"
    found = findings("tests", GOOD_CODE, code, function_name="factorial")
    assert rules(found) == ["tests.no_assertions"]
    assert found[0].severity is Severity.CRITICAL
    assert (found[0].line, found[0].column) == (4, 1)


def test_one_test_without_assertion_among_asserting_ones_is_a_warning() -> None:
    code = GOOD_TESTS + "\n\ndef test_smoke():\n    factorial(3)\n"
    found = findings("tests", GOOD_CODE, code, function_name="factorial")
    assert rules(found) == ["tests.test_without_assertion"]
    assert found[0].severity is Severity.WARNING and "test_smoke" in found[0].message


@pytest.mark.parametrize(
    "test_code",
    [
        # unittest style, module import
        "import unittest\nimport solution\n\nclass FactorialTest(unittest.TestCase):\n"
        "    def test_five(self):\n        self.assertEqual(solution.factorial(5), 120)\n",
        # pytest class, aliased import, pytest.raises as the only check
        "import pytest\nfrom solution import factorial as fact\n\nclass TestFactorial:\n"
        "    def test_negative(self):\n        with pytest.raises(ValueError):\n            fact(-1)\n",
        # pytest.raises call form, star import
        "import pytest\nfrom solution import *\n\ndef test_negative():\n    pytest.raises(ValueError, factorial, -1)\n",
        # an asserting helper
        "from solution import factorial\n\ndef check(n, expected):\n    assert factorial(n) == expected\n\n"
        "def test_values():\n    check(5, 120)\n",
        # numpy-style assert_* helpers and parametrize
        "import pytest\nfrom numpy.testing import assert_equal\nfrom solution import factorial\n\n"
        "@pytest.mark.parametrize('n, want', [(0, 1), (5, 120)])\ndef test_values(n, want):\n"
        "    assert_equal(factorial(n), want)\n",
        # async test
        "from solution import factorial\n\nasync def test_async():\n    assert factorial(3) == 6\n",
    ],
    ids=["unittest", "pytest-class-raises", "raises-call-star-import", "helper", "assert-helper", "async"],
)
def test_every_common_test_style_is_recognised(test_code: str) -> None:
    assert gate_rules(test_code) == []


def test_not_importing_solution_is_a_warning_and_says_when_the_code_was_copied() -> None:
    code = "def factorial(n):\n    return 1 if n < 2 else n * factorial(n - 1)\n\ndef test_f():\n    assert factorial(3) == 6\n"
    found = findings("tests", GOOD_CODE, code, function_name="factorial")
    assert rules(found) == ["tests.no_solution_import"]
    assert found[0].severity is Severity.WARNING and "own `factorial`" in found[0].message


def test_never_using_the_function_under_test_is_a_warning() -> None:
    code = "from solution import helper\n\ndef test_helper():\n    assert helper() == 1\n"
    found = findings("tests", GOOD_CODE, code, function_name="factorial")
    assert rules(found) == ["tests.function_not_called"]
    assert found[0].severity is Severity.WARNING and "`factorial`" in found[0].message


def test_lookalike_names_do_not_count_as_using_the_function() -> None:
    code = (
        "from solution import factorial_table\n\n"
        "def test_table():\n"
        "    # factorial(5) should be 120\n"
        "    assert factorial_table()[5] == 120\n"
        "    assert 'factorial(' in 'factorial(5)'\n"
    )
    assert gate_rules(code) == ["tests.function_not_called"]


def test_lookalike_assertions_in_strings_and_names_are_not_assertions() -> None:
    code = (
        "from solution import factorial\n\n"
        "def test_no_real_check():\n"
        "    message = 'assert factorial(5) == 120'\n"
        "    asserted = factorial(5)\n"
    )
    assert gate_rules(code) == ["tests.no_assertions"]


def test_without_a_function_name_only_the_import_is_checked() -> None:
    code = "from solution import anything\n\ndef test_x():\n    assert anything()\n"
    assert gate_rules(code, function_name=None) == []


# --- all the syntax-tree gates together, through the public check() -----------------------------------------


@pytest.mark.parametrize("name", sorted(ALL))
def test_check_gives_reference_solutions_no_critical_finding(name: str) -> None:
    report = check(ALL[name], config=AgentConfig(gates={"enable": AST_GATES}))
    assert report.critical_count == 0, report.findings
    assert {g.name: g.status for g in report.gates} == {
        **{gate: "ok" for gate in AST_GATES},
        "tests": "skipped",
    }


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_check_passes_documented_reference_solutions_with_no_warning(name: str) -> None:
    report = check(DOCUMENTED[name], config=AgentConfig(gates={"enable": AST_GATES}))
    assert report.passed
    assert report.warning_count == 0, [f.message for f in report.findings]


def test_check_passes_the_factorial_with_its_tests() -> None:
    report = check(
        GOOD_CODE, GOOD_TESTS, config=AgentConfig(gates={"enable": AST_GATES}), function_name="factorial"
    )
    assert report.passed and report.critical_count == 0 and report.warning_count == 0
    assert all(g.status == "ok" for g in report.gates)
