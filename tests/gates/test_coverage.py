"""The ``coverage`` gate: line and branch coverage, measured in the execution gate's own sandboxed run."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from burr_codeagent import AgentConfig, Severity, check
from burr_codeagent.checker import Checker
from burr_codeagent.gates.coverage import gate as coverage_gate
from burr_codeagent.gates.coverage._stubs import typing_only_lines
from tests.gates._strength_cases import CODE, STRONG_TESTS, WEAK_TESTS

PARTIAL_CODE = '''\
def classify(n: int) -> str:
    """Sign of n as a word."""
    if n < 0:
        return "negative"
    if n == 0:
        return "zero"
    total = 0
    for i in range(n):
        total += i
    return "positive"
'''
ONLY_NEGATIVE = (
    "from solution import classify\n\n\ndef test_negative():\n    assert classify(-1) == 'negative'\n"
)


def config(*gates: str, **options: object) -> AgentConfig:
    return AgentConfig(gates={"enable": list(gates), "options": {"coverage": options}})


def test_low_coverage_warns_naming_the_lines_never_run_and_the_branch_never_taken() -> None:
    report = check(PARTIAL_CODE, ONLY_NEGATIVE, config=config("execution", "coverage"))
    [warning] = [f for f in report.findings if f.severity is Severity.WARNING]
    assert warning.rule == "coverage.below_threshold"
    assert "below 80 %" in warning.message
    assert "lines 5-10 are never run by the tests" in warning.message
    assert "line 3: the branch to line 5 (when the condition is false) is never taken" in warning.message
    [lines] = [f for f in report.findings if f.rule == "coverage.lines"]
    assert (lines.line, lines.end_line, lines.severity) == (5, 10, Severity.INFO)
    [branch] = [f for f in report.findings if f.rule == "coverage.branches"]
    assert branch.line == 3


def test_full_coverage_has_no_finding() -> None:
    report = check(CODE, STRONG_TESTS, config=config("execution", "coverage"))
    assert report.findings == []
    assert [g.status for g in report.gates] == ["ok", "ok"]


def test_a_weak_test_file_can_still_reach_full_line_and_branch_coverage() -> None:
    report = check(CODE, WEAK_TESTS, config=config("execution", "coverage"))
    assert [f.rule for f in report.findings if f.gate == "coverage"] == []


def test_the_threshold_is_configurable_and_details_stay_as_info() -> None:
    report = check(PARTIAL_CODE, ONLY_NEGATIVE, config=config("execution", "coverage", min_percent=20))
    assert report.warning_count == 0
    assert {f.rule for f in report.findings} == {"coverage.lines", "coverage.branches"}


def test_a_branch_that_skips_a_loop_is_described_as_such() -> None:
    tests = "from solution import classify\n\n\ndef test_some():\n    assert classify(3) == 'positive'\n"
    report = check(PARTIAL_CODE, tests, config=config("execution", "coverage"))
    messages = [f.message for f in report.findings if f.rule == "coverage.branches"]
    assert any("(when the condition is true)" in m for m in messages)


def test_coverage_comes_from_the_execution_run_not_a_second_pytest(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_second_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the coverage gate started its own pytest run")

    monkeypatch.setattr(coverage_gate, "run_sandboxed", no_second_run)
    report = check(PARTIAL_CODE, ONLY_NEGATIVE, config=config("execution", "coverage"))
    assert [g.status for g in report.gates] == ["ok", "ok"]
    assert any(f.rule == "coverage.below_threshold" for f in report.findings)


def test_without_the_execution_gate_coverage_makes_the_one_run_itself() -> None:
    report = check(PARTIAL_CODE, ONLY_NEGATIVE, config=config("coverage"))
    assert any(f.rule == "coverage.below_threshold" for f in report.findings)


PRAGMA_CODE = PARTIAL_CODE.replace("    if n == 0:\n", "    if n == 0:  # pragma: no cover\n")


def test_pragma_no_cover_hides_the_block_on_your_own_code() -> None:
    report = check(PRAGMA_CODE, ONLY_NEGATIVE, config=config("execution", "coverage"))
    [lines] = [f for f in report.findings if f.rule == "coverage.lines"]
    assert (lines.line, lines.end_line) == (7, 10)  # lines 5-6 are the excluded `if` block


def test_pragma_no_cover_in_generated_code_does_not_hide_lines_and_the_model_is_told() -> None:
    checker = Checker(config("execution", "coverage"), honour_nosec=False)  # as inside the agent loop
    report = checker.check(PRAGMA_CODE, ONLY_NEGATIVE)
    [lines] = [f for f in report.findings if f.rule == "coverage.lines"]
    assert (lines.line, lines.end_line) == (5, 10)
    [warning] = [f for f in report.findings if f.rule == "coverage.below_threshold"]
    assert "`# pragma: no cover` on line 5 is not honoured in generated code" in warning.message


STUBS = '''\
from __future__ import annotations

import abc
import typing
from typing import TYPE_CHECKING, Protocol, overload

if TYPE_CHECKING:
    from collections.abc import Sequence


class Sized(Protocol):
    def size(self) -> int:
        """How big."""
        raise NotImplementedError

    def grow(self) -> None:
        pass


class Shape(abc.ABC):
    @abc.abstractmethod
    def area(self) -> float:
        """The area."""
        raise NotImplementedError("subclasses say")

    @abc.abstractmethod
    def name(self) -> str:
        ...


class Square(Shape):
    def __init__(self, side: float) -> None:
        self.side = side

    def area(self) -> float:
        return self.side * self.side

    def name(self) -> str:
        return "square"


@overload
def double(x: int) -> int:
    ...
@typing.overload
def double(x: str) -> str:
    return x
def double(x: int | str) -> int | str:
    return x * 2


def later(values: Sequence[int]) -> int:
    ...
'''
STUB_TESTS = """\
from solution import Square, double


def test_square():
    square = Square(2)
    assert (square.area(), square.name()) == (4, "square")


def test_double():
    assert (double(2), double("a")) == (4, "aa")
"""


def test_typing_only_stubs_are_not_reported_as_uncovered() -> None:
    report = check(STUBS, STUB_TESTS, config=config("execution", "coverage"))
    assert [g.status for g in report.gates] == ["ok", "ok"], report.gates
    assert [f.message for f in report.findings if f.gate == "coverage"] == []


def test_the_stubs_are_found_on_the_syntax_tree() -> None:
    lines = typing_only_lines(ast.parse(STUBS))
    code = STUBS.splitlines()
    assert {code[n - 1].strip() for n in lines} == {
        "from collections.abc import Sequence",
        '"""How big."""',
        "raise NotImplementedError",
        "pass",
        '"""The area."""',
        'raise NotImplementedError("subclasses say")',
        "...",
        "return x",
    }
    assert typing_only_lines(ast.parse(PARTIAL_CODE)) == frozenset()


def test_the_projects_configured_exclude_lines_are_honoured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.coverage.report]\nexclude_also = ["if n == 0:"]\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)  # coverage.py reads its configuration from the current directory, as here
    report = check(PARTIAL_CODE, ONLY_NEGATIVE, config=config("execution", "coverage"))
    [lines] = [f for f in report.findings if f.rule == "coverage.lines"]
    assert (lines.line, lines.end_line) == (7, 10)


def test_a_broken_coverage_configuration_skips_the_gate_saying_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".coveragerc").write_text("[report]\nexclude_lines = (unclosed\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    report = check(PARTIAL_CODE, ONLY_NEGATIVE, config=config("execution", "coverage"))
    run = next(g for g in report.gates if g.name == "coverage")
    assert run.status == "skipped" and "coverage configuration" in (run.error or ""), run
    assert report.tests is not None and report.tests.passed == 1


def test_failing_tests_skip_the_gate() -> None:
    tests = ONLY_NEGATIVE.replace("'negative'", "'positive'")
    report = check(PARTIAL_CODE, tests, config=config("execution", "coverage"))
    coverage_run = next(g for g in report.gates if g.name == "coverage")
    assert coverage_run.status == "skipped" and "do not pass" in (coverage_run.error or "")


@pytest.mark.parametrize("bad", [120, -1, "high", True])
def test_a_bad_threshold_is_a_clear_error(bad: object) -> None:
    report = check(PARTIAL_CODE, ONLY_NEGATIVE, config=config("execution", "coverage", min_percent=bad))
    [crashed] = [f for f in report.findings if f.rule == "coverage.crashed"]
    assert "gates.options.coverage.min_percent must be a number from 0 to 100" in crashed.message


def test_disabling_the_gate_keeps_coverage_out_of_the_execution_run() -> None:
    settings = AgentConfig(gates={"disable": ["coverage", "mutation"]})
    report = check(PARTIAL_CODE, ONLY_NEGATIVE, config=settings)
    assert all(g.name != "coverage" for g in report.gates)
    assert report.tests is not None and report.tests.passed == 1


def test_without_coverage_py_the_gate_skips_and_the_tests_still_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from burr_codeagent import AgentConfig, check

    from ..conftest import GOOD_CODE, GOOD_TESTS

    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> object:
        return None if name == "coverage" else real_find_spec(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    report = check(GOOD_CODE, GOOD_TESTS, config=AgentConfig(tracking=False, gates={"disable": ["mutation"]}))
    runs = {g.name: g for g in report.gates}
    assert runs["coverage"].status == "skipped" and "pip install coverage" in (runs["coverage"].error or "")
    assert runs["execution"].status == "ok" and report.tests is not None and report.tests.passed == 2
