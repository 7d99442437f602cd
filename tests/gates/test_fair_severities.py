"""Severities earned: imposed names, typed or helper-validated input, exception classes, noise in test code,
and mature standard-library modules without a critical finding."""

from __future__ import annotations

import importlib
import textwrap
from pathlib import Path

import pytest

from burr_codeagent import AgentConfig, Severity, check

from ._helpers import findings, rules

CAMEL = '''\
def minSubArraySum(nums):
    """Smallest sum of a non-empty sub-array."""
    best = current = nums[0]
    for value in nums[1:]:
        current = min(value, current + value)
        best = min(best, current)
    return best
'''


def test_the_requested_function_name_is_exempt_from_naming() -> None:
    assert rules(findings("naming", CAMEL)) == ["naming.function"]
    assert findings("naming", CAMEL, function_name="minSubArraySum") == []


def test_names_the_acceptance_tests_use_are_exempt_from_naming() -> None:
    code = "def parseHTML(text, maxLen=10):\n    pageTitle = text[:maxLen]\n    return pageTitle\n"
    acceptance = (
        "from solution import parseHTML\n\n\ndef test_it():\n    assert parseHTML('abc', maxLen=2) == 'ab'\n"
    )
    config = AgentConfig(enable_code_execution=False, tracking=False, gates={"enable": ["naming"]})
    found = check(code, config=config, acceptance_tests=acceptance).findings
    assert rules(found) == ["naming.variable"]  # pageTitle is the code's own choice
    assert rules(check(code, config=config).findings) == [
        "naming.argument",
        "naming.function",
        "naming.variable",
    ]


def unvalidated(code: str) -> list[str]:
    return [
        f.message for f in findings("error_handling", code) if f.rule == "error_handling.unvalidated_input"
    ]


def test_typed_parameters_need_no_validation_hint() -> None:
    assert unvalidated("def area(width: float, height: float) -> float:\n    return width * height\n") == []
    assert unvalidated("def area(width, height: float) -> float:\n    return width * height\n") != []
    assert (
        unvalidated("from typing import Any\n\n\ndef show(value: Any) -> str:\n    return str(value)\n") != []
    )


def test_parameters_checked_by_a_helper_are_validated() -> None:
    code = """\
    def _validate_email(address):
        if "@" not in address:
            raise ValueError(address)


    def send(address, body):
        _validate_email(address)
        ensure_text(body)
        return address, body.strip()
    """
    assert [m for m in unvalidated(code) if "send" in m] == []
    code_without = "def send(address, body):\n    print(address)\n    return body\n"
    assert unvalidated(code_without) != []


def test_exception_constructors_are_not_input_handlers() -> None:
    code = """\
    class ParseError(ValueError):
        def __init__(self, line, column):
            super().__init__(f"{line}:{column}")
            self.line = line
    """
    assert unvalidated(code) == []


def test_style_warnings_in_tests_count_once_per_rule() -> None:
    code = 'def is_even(n: int) -> bool:\n    """Even."""\n    return n % 2 == 0\n'
    tests = textwrap.dedent(
        """\
        from solution import is_even


        def test_is_even():
            assert is_even(2) == True
            assert is_even(4) == True
            assert is_even(3) == False
            assert is_even(5) == False
            assert is_even(0) == True
            assert is_even(8) == True
        """
    )
    config = AgentConfig(enable_code_execution=False, tracking=False, gates={"enable": ["style"]})
    report = check(code, tests, config=config)
    e712 = [f for f in report.findings if f.rule == "style.E712"]
    assert len(e712) == 6  # every line is still shown
    assert report.warning_count == 1 and report.passed


CLEAN_MODULES = [
    "textwrap",
    "shlex",
    "fnmatch",
    "pprint",
    "dataclasses",
    "string",
    "heapq",
    "bisect",
    "shutil",
]


@pytest.mark.parametrize("module", CLEAN_MODULES)
def test_mature_standard_library_modules_get_no_critical(module: str) -> None:
    path = Path(str(importlib.import_module(module).__file__))
    config = AgentConfig(enable_code_execution=False, tracking=False)
    report = check(path.read_text(encoding="utf-8"), config=config)
    assert [(f.rule, f.line) for f in report.findings if f.severity is Severity.CRITICAL] == []
