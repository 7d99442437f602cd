"""The ``docstrings`` gate: documented API in Google, Sphinx or NumPy style, complete and not stale."""

from __future__ import annotations

import pytest

from burr_codeagent import Severity

from ._helpers import findings, rules, run_gate
from ._reference import DOCUMENTED, PLAIN

GOOGLE = '''
"""Geometry."""


def scale(values: list[float], factor: float) -> list[float]:
    """Multiply every value.

    Args:
        values: The numbers.
        factor (float): The multiplier.

    Returns:
        The scaled numbers.

    Raises:
        ValueError: If factor is negative.
    """
    if factor < 0:
        raise ValueError("negative factor")
    return [v * factor for v in values]
'''

SPHINX = '''
"""Geometry."""


def scale(values: list[float], factor: float) -> list[float]:
    """Multiply every value.

    :param values: The numbers.
    :param float factor: The multiplier.
    :returns: The scaled numbers.
    :raises ValueError: If factor is negative.
    """
    if factor < 0:
        raise ValueError("negative factor")
    return [v * factor for v in values]
'''

NUMPY = '''
"""Geometry."""


def scale(values: list[float], factor: float) -> list[float]:
    """Multiply every value.

    Parameters
    ----------
    values : list of float
        The numbers.
    factor : float
        The multiplier.

    Returns
    -------
    list of float
        The scaled numbers.

    Raises
    ------
    ValueError
        If factor is negative.
    """
    if factor < 0:
        raise ValueError("negative factor")
    return [v * factor for v in values]
'''


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_documented_reference_solutions_have_no_warnings(name: str) -> None:
    found = findings("docstrings", DOCUMENTED[name])
    assert [f for f in found if f.severity is not Severity.INFO] == []


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_undocumented_reference_solutions_get_missing_docstring_warnings_only(name: str) -> None:
    found = findings("docstrings", PLAIN[name])
    assert found and all(f.rule.startswith("docstrings.missing_") for f in found)
    assert all(f.severity is Severity.WARNING for f in found)


@pytest.mark.parametrize("source", [GOOGLE, SPHINX, NUMPY], ids=["google", "sphinx", "numpy"])
def test_each_style_documents_parameters_returns_and_raises(source: str) -> None:
    assert findings("docstrings", source) == []


@pytest.mark.parametrize(("source", "convention"), [(GOOGLE, "google"), (SPHINX, "sphinx"), (NUMPY, "numpy")])
def test_the_configured_convention_accepts_its_own_style(source: str, convention: str) -> None:
    assert findings("docstrings", source, convention=convention) == []


def test_another_style_than_the_configured_convention_is_a_warning() -> None:
    found = findings("docstrings", SPHINX, convention="google")
    assert rules(found) == ["docstrings.convention"]
    assert "sphinx" in found[0].message and "google" in found[0].message


def test_an_unknown_convention_is_a_clear_error_not_a_silent_default() -> None:
    report = run_gate("docstrings", GOOGLE, convention="pep257")
    assert report.gates[0].status == "error"
    assert "convention" in (report.gates[0].error or "") and "google" in (report.gates[0].error or "")


def test_missing_docstrings_are_warnings_with_spans() -> None:
    code = """
    class Stack:
        def push(self, item: int) -> None:
            self.items.append(item)

    def top(stack: Stack) -> int:
        return stack.items[-1]
    """
    found = sorted(findings("docstrings", code), key=lambda f: f.line or 0)
    assert rules(found) == [
        "docstrings.missing_class",
        "docstrings.missing_function",
        "docstrings.missing_function",
        "docstrings.missing_module",
    ]
    assert all(f.severity is Severity.WARNING for f in found)
    push = next(f for f in found if "Stack.push" in f.message)
    assert (push.line, push.column, push.end_column) == (3, 5, 13)


def test_structured_docstring_missing_a_parameter_a_return_and_a_raise() -> None:
    code = '''
    """Module."""


    def divide(a: float, b: float) -> float:
        """Divide.

        Args:
            a: The dividend.

        Raises:
            TypeError: Never, in fact.
        """
        if b == 0:
            raise ZeroDivisionError("b is zero")
        return a / b
    '''
    found = findings("docstrings", code)
    assert rules(found) == [
        "docstrings.undocumented_parameter",
        "docstrings.undocumented_raise",
        "docstrings.undocumented_return",
    ]
    assert all(f.severity is Severity.WARNING for f in found)
    assert any("`b`" in f.message for f in found)
    assert any("ZeroDivisionError" in f.message for f in found)


def test_stale_parameter_entries_are_reported() -> None:
    code = '''
    """Module."""


    def greet(name: str) -> str:
        """Greet someone.

        Args:
            name: Who.
            title: Removed long ago.

        Returns:
            The greeting.
        """
        return f"Hello {name}"
    '''
    found = findings("docstrings", code)
    assert rules(found) == ["docstrings.unknown_parameter"]
    assert "`title`" in found[0].message


def test_summary_only_docstring_is_a_single_info_hint() -> None:
    code = '''
    """Module."""


    def clamp(value: int, low: int, high: int) -> int:
        """Clamp value into [low, high]."""
        return max(low, min(value, high))
    '''
    found = findings("docstrings", code)
    assert rules(found) == ["docstrings.no_sections"]
    assert found[0].severity is Severity.INFO
    assert "`value`, `low`, `high`" in found[0].message and "return value" in found[0].message


def test_init_parameters_may_be_documented_in_the_class_docstring() -> None:
    code = '''
    """Module."""


    class Account:
        """A bank account.

        Args:
            owner: Who owns it.
        """

        def __init__(self, owner: str, balance: int = 0) -> None:
            self.owner = owner
            self.balance = balance
    '''
    found = findings("docstrings", code)
    assert rules(found) == ["docstrings.undocumented_parameter"]
    assert "`balance`" in found[0].message and "Account.__init__" in found[0].message


def test_generators_properties_dunders_overloads_and_reraises() -> None:
    code = '''
    """Module."""
    from typing import overload


    class Box:
        """A box."""

        @property
        def size(self) -> int:
            """The size."""
            return 1

        def __len__(self) -> int:
            return 1

        def parts(self) -> "Iterator[int]":
            """Yield the parts.

            Yields:
                Each part.
            """
            yield 1

        def load(self, path: str) -> None:
            """Load the box.

            Args:
                path: Where from.
            """
            try:
                open(path).close()
            except OSError as err:
                raise err
            raise NotImplementedError


    @overload
    def f(x: int) -> int: ...
    '''
    assert findings("docstrings", code) == []


def test_private_functions_and_test_code_are_not_checked() -> None:
    code = '"""Module."""\n\n\ndef _hidden(x):\n    return x\n'
    tests = "from solution import _hidden\n\ndef test_hidden():\n    assert _hidden(1) == 1\n"
    assert findings("docstrings", code, tests) == []


def test_lookalikes_section_words_in_prose_are_not_sections() -> None:
    code = '''
    """Module."""


    def parse(text: str) -> int:
        """Parse text. Returns: nothing special is meant here, and Args: is only prose.

        :param text: The text.
        :returns: The number.
        """
        return int(text)
    '''
    assert findings("docstrings", code) == []


def test_code_that_does_not_parse_is_left_to_the_syntax_gate() -> None:
    assert findings("docstrings", "class (:\n") == []


def test_documented_keyword_arguments_of_a_kwargs_function_are_not_stale() -> None:
    code = '''
    """Module."""


    def transform(data: dict, **kwds: str) -> dict:
        """Transform data.

        Args:
            data: The input.
            as: Output field name, passed through ``**kwds``.
            kwds: Other options.

        Returns:
            The transformed data.
        """
        return {**data, **kwds}
    '''
    assert findings("docstrings", code) == []


def test_a_module_that_is_one_documented_function_needs_no_module_docstring_of_its_own() -> None:
    """The docstring of the one public function documents the module: only a hint remains."""
    one = '''
    def triangle_area(a: float, h: float) -> float:
        """Area of a triangle from its base and height."""
        return a * h / 2
    '''
    (hint,) = [f for f in findings("docstrings", one) if f.rule == "docstrings.missing_module"]
    assert hint.rule == "docstrings.missing_module" and hint.severity is Severity.INFO
    assert "triangle_area" in hint.message
    two = (
        one
        + '''
    def square_area(a: float) -> float:
        """Area of a square."""
        return a * a
    '''
    )
    (warning,) = [f for f in findings("docstrings", two) if f.rule == "docstrings.missing_module"]
    assert warning.rule == "docstrings.missing_module" and warning.severity is Severity.WARNING
