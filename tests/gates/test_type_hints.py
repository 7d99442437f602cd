"""The ``type_hints`` gate: public signatures are annotated, as ``mypy --strict`` would demand."""

from __future__ import annotations

import pytest

from burr_codeagent import Severity

from ._helpers import findings, rules
from ._reference import DOCUMENTED, PLAIN


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_annotated_reference_solutions_have_no_findings(name: str) -> None:
    assert findings("type_hints", DOCUMENTED[name]) == []


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_plain_reference_solutions_get_warnings_never_criticals(name: str) -> None:
    found = findings("type_hints", PLAIN[name])
    assert all(f.severity is Severity.WARNING for f in found)
    assert len(found) <= 2


def test_unannotated_parameters_are_one_finding_spanning_them() -> None:
    found = findings("type_hints", "def area(width, height) -> float:\n    return width * height\n")
    assert rules(found) == ["type_hints.missing_parameter"]
    (f,) = found
    assert "`width`, `height`" in f.message
    assert (f.line, f.column, f.end_line, f.end_column) == (1, 10, 1, 23)
    assert f.severity is Severity.WARNING and f.target == "code" and f.suggestion


def test_missing_return_suggests_none_for_procedures_and_a_type_for_functions() -> None:
    code = """
    def log(message: str):
        print(message)

    def double(x: int):
        return 2 * x
    """
    found = sorted(findings("type_hints", code), key=lambda f: f.line or 0)
    assert rules(found) == ["type_hints.missing_return"] * 2
    assert "-> None" in (found[0].suggestion or "")
    assert "-> int" in (found[1].suggestion or "") and "returns" in (found[1].suggestion or "")
    assert (found[0].line, found[0].column, found[0].end_column) == (2, 1, 8)


def test_star_args_need_annotations_and_are_named_with_stars() -> None:
    found = findings("type_hints", "def call(*args, **kwargs) -> None:\n    pass\n")
    assert "`*args`, `**kwargs`" in found[0].message


def test_self_and_cls_are_exempt_but_staticmethod_first_parameter_is_not() -> None:
    code = """
    class Shape:
        def scale(self, factor: float) -> None:
            pass

        @classmethod
        def unit(cls) -> "Shape":
            return cls()

        @staticmethod
        def parse(text) -> "Shape":
            return Shape()
    """
    found = findings("type_hints", code)
    assert rules(found) == ["type_hints.missing_parameter"]
    assert "`text`" in found[0].message and "Shape.parse" in found[0].message


def test_init_follows_mypy_annotated_arguments_make_the_return_optional() -> None:
    code = """
    class Point:
        def __init__(self, x: int, y: int):
            self.x, self.y = x, y

    class Empty:
        def __init__(self):
            self.items = []
    """
    found = findings("type_hints", code)
    assert rules(found) == ["type_hints.missing_return"]
    assert "Empty.__init__" in found[0].message


def test_private_and_nested_functions_are_skipped_unless_asked() -> None:
    code = """
    def _helper(x):
        return x

    def outer() -> int:
        def inner(y):
            return y
        return inner(1)

    class _Private:
        def method(self, z):
            return z
    """
    assert findings("type_hints", code) == []
    private = findings("type_hints", code, include_private=True)
    assert {f.message.split("`")[1] for f in private if f.rule == "type_hints.unannotated"} == {
        "_helper",
        "_Private.method",
    }


def test_test_code_is_not_checked() -> None:
    tests = "from solution import f\n\ndef test_f():\n    assert f(1)\n\ndef helper(x):\n    return x\n"
    code = "def f(x: int) -> int:\n    return x\n"
    assert findings("type_hints", code, tests) == []


def test_lookalikes_in_strings_comments_and_lambdas_are_not_flagged() -> None:
    code = '''
    """Examples: def f(x): return x"""
    # def g(y): pass
    TEMPLATE = "def h(z):\\n    return z"
    square = lambda v: v * v  # noqa: E731 - lambdas cannot be annotated
    '''
    assert findings("type_hints", code) == []


def test_code_that_does_not_parse_is_left_to_the_syntax_gate() -> None:
    assert findings("type_hints", "def broken(:\n") == []


def test_a_function_without_any_annotation_is_one_finding_naming_both_halves() -> None:
    """`def will_it_fly(q, w):` (a signature a task may impose) is one omission, not two warnings."""
    found = findings("type_hints", "def will_it_fly(q, w):\n    return sum(q) <= w\n")
    assert rules(found) == ["type_hints.unannotated"]
    (f,) = found
    assert "`q`, `w`" in f.message and "return" in f.message
    assert "-> " in (f.suggestion or "") and "q: int" in (f.suggestion or "")
    assert f.severity is Severity.WARNING and f.line == 1
    # Half-annotated functions keep the precise rule for what is missing.
    assert rules(findings("type_hints", "def f(a, b: int):\n    return a\n")) == [
        "type_hints.missing_parameter",
        "type_hints.missing_return",
    ]
