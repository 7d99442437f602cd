"""The ``error_handling`` gate: errors are caught narrowly and never silently discarded."""

from __future__ import annotations

import pytest

from burr_codeagent import Severity

from ._helpers import findings, rules
from ._reference import ALL


@pytest.mark.parametrize("name", sorted(ALL))
def test_reference_solutions_get_at_most_info_hints(name: str) -> None:
    found = findings("error_handling", ALL[name])
    assert [f for f in found if f.severity is not Severity.INFO] == []


def test_bare_except_is_a_warning_on_the_except_clause() -> None:
    code = """
    def to_int(text: str) -> int:
        try:
            return int(text)
        except:
            return 0
    """
    found = findings("error_handling", code)
    assert rules(found) == ["error_handling.bare_except"]
    f = found[0]
    assert f.severity is Severity.WARNING
    assert (f.line, f.column, f.end_line, f.end_column) == (5, 5, 5, 11)
    assert "except (ValueError" in (f.suggestion or "")


def test_bare_except_that_reraises_is_the_cleanup_idiom() -> None:
    code = """
    def copy(src: str, dst: str) -> None:
        try:
            write(dst, read(src))
        except:
            remove(dst)
            raise
    """
    assert findings("error_handling", code) == []


@pytest.mark.parametrize(
    "handler",
    [
        "except Exception:\n        pass",
        "except Exception:\n        ...",
        "except (KeyError, Exception):\n        cleanup()",
        "except builtins.Exception:\n        pass",
    ],
)
def test_broad_handlers_that_discard_the_error_are_swallowed(handler: str) -> None:
    code = f"def load(path: str) -> None:\n    try:\n        open(path)\n    {handler}\n"
    found = findings("error_handling", code)
    assert rules(found) == ["error_handling.swallowed"]
    assert found[0].line == 4


@pytest.mark.parametrize(
    "body",
    [
        "logger.exception('cannot load %s', path)",
        "logging.warning('cannot load %s', path)",
        "raise RuntimeError(path) from exc",
        "return None",
        "errors.append(exc)",
        "print(f'cannot load {path}: {exc}', file=sys.stderr)",
        "traceback.print_exc()",
    ],
)
def test_broad_handlers_that_log_reraise_return_or_use_the_error_are_fine(body: str) -> None:
    code = f"def load(path: str) -> None:\n    try:\n        open(path)\n    except Exception as exc:\n        {body}\n"
    assert findings("error_handling", code) == []


def test_broad_handler_with_a_fallback_value_is_an_info_hint() -> None:
    code = (
        "def describe(exc: Exception) -> str:\n    try:\n        message = str(exc)\n    except Exception:\n"
    )
    code += "        message = ''\n    return message\n"
    found = findings("error_handling", code)
    assert rules(found) == ["error_handling.broad_fallback"]
    assert found[0].severity is Severity.INFO and found[0].line == 4


def test_narrow_handler_with_pass_is_a_deliberate_choice() -> None:
    code = """
    import os

    def remove_if_present(path: str) -> None:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass
    """
    assert findings("error_handling", code) == []


def test_base_exception_without_reraise_is_a_warning_and_with_reraise_is_fine() -> None:
    swallowing = "def run(job) -> None:\n    try:\n        job()\n    except BaseException:\n        return\n"
    reraising = "def run(job) -> None:\n    try:\n        job()\n    except BaseException:\n        cleanup()\n        raise\n"
    assert rules(findings("error_handling", swallowing)) == ["error_handling.base_exception"]
    assert findings("error_handling", reraising) == []


def test_raising_exception_itself_is_an_info_hint() -> None:
    code = "def check(x: int) -> None:\n    if x < 0:\n        raise Exception('negative')\n"
    found = findings("error_handling", code)
    assert rules(found) == ["error_handling.generic_raise"]
    assert found[0].severity is Severity.INFO and (found[0].line, found[0].column) == (3, 9)


def test_public_function_that_never_checks_its_input_gets_an_info_hint() -> None:
    code = "def average(values):\n    return sum(values) / len(values)\n"
    found = findings("error_handling", code)
    assert rules(found) == ["error_handling.unvalidated_input"]
    assert found[0].severity is Severity.INFO and "`values`" in found[0].message


@pytest.mark.parametrize(
    "body",
    [
        "if not values:\n        raise ValueError('empty')\n    return sum(values) / len(values)",
        "assert values\n    return sum(values) / len(values)",
        "try:\n        return sum(values) / len(values)\n    except ZeroDivisionError:\n        return 0.0",
        "return sum(values) / len(values) if values else 0.0",
    ],
)
def test_validation_by_raise_assert_try_or_branch_silences_the_hint(body: str) -> None:
    assert findings("error_handling", f"def average(values):\n    {body}\n") == []


def test_input_hint_can_be_switched_off_and_skips_private_and_parameterless_functions() -> None:
    code = "def average(values):\n    return sum(values)\n\ndef _p(x):\n    return x\n\ndef now():\n    return 1\n"
    assert rules(findings("error_handling", code)) == ["error_handling.unvalidated_input"]
    assert findings("error_handling", code, validate_input=False) == []


def test_lookalikes_validate_input_names_strings_and_comments_are_not_flagged() -> None:
    code = '''
    """Never write `except: pass` or `except Exception: pass`."""

    EXAMPLE = "try:\\n    x()\\nexcept:\\n    pass"


    def validate_input(value: str) -> str:
        """Strip value; see `except Exception` in the docs."""  # except: pass
        if not value:
            raise ValueError("empty")
        return value.strip()


    class ExceptionReport(Exception):
        """Raised for reports."""


    def report(x: int) -> None:
        if x:
            raise ExceptionReport("x")
    '''
    assert findings("error_handling", code) == []


def test_test_code_is_not_checked() -> None:
    code = "def f(x: int) -> int:\n    if x:\n        return x\n    return 0\n"
    tests = "from solution import f\n\ndef test_f():\n    try:\n        f(1)\n    except:\n        pass\n    assert f(1)\n"
    assert findings("error_handling", code, tests) == []
