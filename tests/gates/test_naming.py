"""The ``naming`` gate: PEP 8 names, from the syntax tree."""

from __future__ import annotations

import pytest

from burr_codeagent import Severity

from ._helpers import findings, rules
from ._reference import DOCUMENTED, LEETCODE_TWO_SUM, PLAIN_SIEVE


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_reference_solutions_are_well_named(name: str) -> None:
    assert findings("naming", DOCUMENTED[name]) == []


def test_plain_sieve_is_well_named() -> None:
    assert findings("naming", PLAIN_SIEVE) == []


def test_leetcode_imposed_camel_case_method_is_one_warning() -> None:
    found = findings("naming", LEETCODE_TWO_SUM)
    assert rules(found) == ["naming.function"]
    assert found[0].severity is Severity.WARNING and "`two_sum`" in (found[0].suggestion or "")


def test_bad_names_each_rule_catches() -> None:
    code = """
    MAX = 3
    max_retries = 5

    class http_client:
        def sendRequest(self, targetUrl: str, retryCount: int) -> None:
            responseBody = ""
            for itemIndex in range(retryCount):
                responseBody += targetUrl
    """
    found = findings("naming", code)
    assert rules(found) == [
        "naming.argument",
        "naming.class",
        "naming.constant",
        "naming.function",
        "naming.variable",
        "naming.variable",
    ]
    by_rule = {f.rule: f for f in found}
    assert "`HttpClient`" in (by_rule["naming.class"].suggestion or "")
    assert "`send_request`" in (by_rule["naming.function"].suggestion or "")
    assert "`MAX_RETRIES`" in (by_rule["naming.constant"].suggestion or "")
    argument = by_rule["naming.argument"]
    assert "`targetUrl`, `retryCount`" in argument.message
    assert (argument.line, argument.column, argument.end_column) == (6, 27, 58)


def test_a_variable_is_reported_once_per_scope_not_per_use() -> None:
    code = (
        "def f() -> int:\n    myTotal = 0\n    myTotal = myTotal + 1\n    myTotal += 1\n    return myTotal\n"
    )
    found = findings("naming", code)
    assert rules(found) == ["naming.variable"]
    assert (found[0].line, found[0].column) == (2, 5)


def test_framework_imposed_names_are_not_flagged() -> None:
    code = """
    import ast
    import unittest
    from http.server import BaseHTTPRequestHandler
    from typing import override


    class Case(unittest.TestCase):
        def setUp(self) -> None:
            self.value = 1

        def tearDown(self) -> None:
            self.value = 0


    class Visitor(ast.NodeVisitor):
        def visit_Name(self, node: ast.Name) -> None:
            self.generic_visit(node)


    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)


    class Base:
        def run(self) -> None:
            pass


    class Child(Base):
        @override
        def runFast(self) -> None:
            pass
    """
    assert findings("naming", code) == []


def test_constants_rule_ignores_non_literals_rebinding_globals_and_dunders() -> None:
    code = """
    import logging
    from typing import TypeVar

    __all__ = ["T", "logger"]
    __version__ = "1.0"
    T = TypeVar("T")
    logger = logging.getLogger(__name__)
    cache = {}
    state = None
    attempts = 0
    attempts = 1
    counter = 0
    _ = "discard"
    Vector = list[float]
    MAX_SIZE = 100
    _DEFAULT_TIMEOUT = 2.5


    def bump() -> None:
        global counter
        counter += 1


    if __name__ == "__main__":
        n = 5
        print(n)
    """
    assert findings("naming", code) == []


@pytest.mark.parametrize("literal", ["10", "-1", "'text'", "b'raw'", "True", "(1, 2)", "frozenset({1, 2})"])
def test_constants_bound_to_any_literal_are_flagged(literal: str) -> None:
    found = findings("naming", f"limit = {literal}\n")
    assert rules(found) == ["naming.constant"]
    assert (found[0].line, found[0].column, found[0].end_column) == (1, 1, 6)


def test_lookalikes_names_in_strings_comments_and_attributes_are_not_flagged() -> None:
    code = '''
    """Do not name things like myVariable or def camelCase()."""
    import json

    # class bad_name: pass
    MESSAGE = "def getValue(self): myVar = 1"


    def load(text: str) -> dict:
        """Parse JSON text."""
        data = json.loads(text)
        data["someKey"] = text.upper()
        return data
    '''
    assert findings("naming", code) == []


def test_test_code_is_not_checked() -> None:
    code = "def f(x: int) -> int:\n    return x\n"
    tests = "from solution import f\n\ndef testCamel():\n    myValue = f(1)\n    assert myValue == 1\n"
    assert findings("naming", code, tests) == []
