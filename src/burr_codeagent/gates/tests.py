"""The ``tests`` gate: the generated tests can actually catch a bug in the generated code.

They must define tests pytest collects (``test_*`` functions, ``test*`` methods of ``Test*`` classes or of
``unittest.TestCase`` subclasses) that assert something: ``assert``, ``pytest.raises``/``pytest.warns``,
``self.assert*``, any ``assert_*`` helper (``numpy.testing.assert_allclose``, ``mock.assert_called_once``), or a
helper function of the test module that asserts. No test, or no assertion in any test, is critical: such tests pass
whatever the code does. Tests that do not import the code from ``solution`` or never use the function under test are
warnings. Syntax errors in the tests are the ``syntax`` gate's. The gate is skipped when there is no test code.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Mapping

from ..hookspecs import hookimpl
from ..models import Finding, Severity
from ._ast_helpers import FunctionNode, def_span, dotted_name
from .base import Gate, GateContext, finding

NAME = "tests"
SOLUTION_MODULE = "solution"

RULES = {
    "tests.no_tests": "The test code defines no test that pytest would collect.",
    "tests.no_assertions": "No test asserts anything, so the tests pass whatever the code does.",
    "tests.test_without_assertion": "A test function asserts nothing.",
    "tests.no_solution_import": "The tests do not import the code under test from `solution`.",
    "tests.function_not_called": "The tests never use the function under test.",
}

_RAISES_HELPERS = {"raises", "warns", "deprecated_call", "assertRaises", "assertRaisesRegex", "assertWarns"}
_TEST_CASE_BASES = {"TestCase", "IsolatedAsyncioTestCase"}


class TestsGate:
    """Checks the generated tests define tests, assert, import ``solution`` and exercise the function under test."""

    __test__ = False  # not a pytest test class

    name = NAME
    description = "Tests define test functions with assertions and exercise the code from `solution` (ast)."
    rules: Mapping[str, str] = RULES
    needs_tests = True

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        """Yield findings about the test code (target ``tests``)."""
        tree = ctx.test_tree
        if tree is None:
            return
        tests = list(_collected_tests(tree))
        if not tests:
            yield finding(
                NAME,
                "tests.no_tests",
                Severity.CRITICAL,
                "The test code defines no test pytest would collect.",
                target="tests",
                suggestion="Write functions named `test_...` that call the code and assert on its results.",
            )
            return
        asserting_helpers = _asserting_helpers(tree)
        silent = [t for t in tests if not _asserts(t, asserting_helpers)]
        if len(silent) == len(tests):
            yield finding(
                NAME,
                "tests.no_assertions",
                Severity.CRITICAL,
                "No test asserts anything: these tests pass whatever the code does.",
                def_span(tests[0]),
                target="tests",
                suggestion="Assert on results, e.g. `assert factorial(5) == 120`, and use "
                "`with pytest.raises(ValueError):` for errors.",
            )
        else:
            for test in silent:
                yield finding(
                    NAME,
                    "tests.test_without_assertion",
                    Severity.WARNING,
                    f"`{test.name}` asserts nothing; it only fails if the code raises.",
                    def_span(test),
                    target="tests",
                    suggestion="Add an `assert` on the value the call returns.",
                )
        yield from _check_target(tree, ctx.function_name)


def _collected_tests(tree: ast.Module) -> Iterator[FunctionNode]:
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and stmt.name.startswith("test"):
            yield stmt
        elif isinstance(stmt, ast.ClassDef) and (stmt.name.startswith("Test") or _is_test_case(stmt)):
            for member in stmt.body:
                if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef) and member.name.startswith(
                    "test"
                ):
                    yield member


def _is_test_case(cls: ast.ClassDef) -> bool:
    return any((dotted_name(b) or "").rsplit(".", 1)[-1] in _TEST_CASE_BASES for b in cls.bases)


def _is_assertion(node: ast.AST, helpers: set[str]) -> bool:
    if isinstance(node, ast.Assert):
        return True
    if isinstance(node, ast.Call):
        name = dotted_name(node.func) or ""
        last = name.rsplit(".", 1)[-1]
        return (
            last.startswith("assert") or last in _RAISES_HELPERS or name in helpers or name == "pytest.fail"
        )
    return False


def _asserts(func: ast.AST, helpers: set[str]) -> bool:
    return any(_is_assertion(node, helpers) for node in ast.walk(func))


def _asserting_helpers(tree: ast.Module) -> set[str]:
    """Module-level helper functions that assert, directly or through other such helpers."""
    functions = {s.name: s for s in tree.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)}
    helpers: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, func in functions.items():
            if name not in helpers and _asserts(func, helpers):
                helpers.add(name)
                changed = True
    return helpers


def _check_target(tree: ast.Module, function_name: str | None) -> Iterator[Finding]:
    local_names: set[str] = set()  # names bound to the function under test by `from solution import ...`
    module_names: set[str] = set()  # names bound to the solution module itself
    star = False
    imported = False
    wanted = (function_name or "").split(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == SOLUTION_MODULE and node.level == 0:
            imported = True
            for alias in node.names:
                star = star or alias.name == "*"
                if alias.name == wanted:
                    local_names.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == SOLUTION_MODULE:
                    imported = True
                    module_names.add(alias.asname or alias.name)
    if not imported:
        copied = wanted and any(
            isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and s.name == wanted
            for s in tree.body
        )
        why = (
            f"they define their own `{wanted}` and test that copy"
            if copied
            else "they cannot test the generated code"
        )
        yield finding(
            NAME,
            "tests.no_solution_import",
            Severity.WARNING,
            f"The tests never import from `solution`, so {why}.",
            target="tests",
            suggestion=f"Import the code under test: `from solution import {wanted or 'your_function'}`.",
        )
        return
    if not wanted:
        return
    if star:
        local_names.add(wanted)
    if not any(_uses(node, wanted, local_names, module_names) for node in ast.walk(tree)):
        yield finding(
            NAME,
            "tests.function_not_called",
            Severity.WARNING,
            f"The tests never use `{wanted}`, the function under test.",
            target="tests",
            suggestion=f"Import it with `from solution import {wanted}` and assert on what it returns.",
        )


def _uses(node: ast.AST, wanted: str, local_names: set[str], module_names: set[str]) -> bool:
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        return node.id in local_names
    if isinstance(node, ast.Attribute) and node.attr == wanted:
        return isinstance(node.value, ast.Name) and node.value.id in module_names
    return False


@hookimpl
def register_gates(register: Callable[[Gate], None]) -> None:
    """Register the ``tests`` gate."""
    register(TestsGate())
