"""The ``mutation`` gate: mutants made with ``ast``, tested in one sandboxed pytest session."""

from __future__ import annotations

import ast

import pytest

from burr_codeagent import AgentConfig, CodeAgent, Severity, check
from burr_codeagent.backends import ScriptedBackend
from burr_codeagent.gates.mutation._mutants import generate_mutants
from tests.conftest import make_response
from tests.gates._strength_cases import CODE, STRONG_TESTS, WEAK_TESTS


def strength(**options: object) -> AgentConfig:
    return AgentConfig(
        gates={"enable": ["execution", "coverage", "mutation"], "options": {"mutation": options}}
    )


def test_weak_and_strong_tests_with_full_coverage_are_told_apart() -> None:
    weak = check(CODE, WEAK_TESTS, config=strength())
    strong = check(CODE, STRONG_TESTS, config=strength())
    for report in (weak, strong):  # both reach full line and branch coverage
        assert not [f for f in report.findings if f.gate == "coverage"]
    [warning] = [f for f in weak.findings if f.severity is Severity.WARNING]
    assert warning.rule == "mutation.below_threshold" and "below 70 %" in warning.message
    assert (
        "`score >= 90` becomes `not score >= 90`, `score > 90` or `score >= 91` on line 8" in warning.message
    )
    survivors = [f for f in weak.findings if f.rule == "mutation.survived"]
    assert survivors and all(f.severity is Severity.INFO and f.line for f in survivors)
    assert strong.warning_count == 0
    [score] = [f for f in strong.findings if f.rule == "mutation.score"]
    assert "Mutation score 100 %" in score.message
    assert not [f for f in strong.findings if f.rule == "mutation.survived"]


def test_surviving_mutants_reach_the_retry_prompt(config: AgentConfig) -> None:
    settings = config.model_copy(
        update={
            "gates": config.gates.model_copy(update={"enable": ["syntax", "execution", "mutation"]}),
            "warning_threshold": 0,
            "max_retries": 1,
            "auto_fix": False,
        }
    )
    backend = ScriptedBackend(
        [
            make_response(code=CODE, test_code=WEAK_TESTS, function_name="grade"),
            make_response(code=CODE, test_code=STRONG_TESTS, function_name="grade"),
        ]
    )
    result = CodeAgent(settings, backend=backend).run("Write grade(score) and average(scores)")
    assert result.passed and len(result.attempts) == 2
    retry = backend.calls[1].prompt
    assert "[mutation.below_threshold]" in retry
    assert "`score >= 75` becomes `not score >= 75`, `score > 75` or `score >= 76` on line 10" in retry
    assert "`sum(scores) / len(scores)` becomes `sum(scores) * len(scores)` on line 21" in retry


def test_the_threshold_is_configurable() -> None:
    report = check(CODE, WEAK_TESTS, config=strength(min_score=30))
    assert report.warning_count == 0
    assert any(f.rule == "mutation.survived" for f in report.findings)


def test_a_mutant_that_never_finishes_is_killed_by_its_time_limit() -> None:
    code = (
        "def countdown(n: int) -> int:\n"
        '    """Steps to reach zero."""\n'
        "    steps = 0\n"
        "    while n > 0:\n"
        "        n -= 1\n"
        "        steps += 1\n"
        "    return steps\n"
    )
    tests = "from solution import countdown\n\n\ndef test_countdown():\n    assert countdown(3) == 3\n"
    report = check(code, tests, config=strength())
    survived = [f.message for f in report.findings if f.rule == "mutation.survived"]
    # `n -= 1` -> `n += 1` loops forever: it must count as killed, not hang or survive.
    assert not any("`n -= 1` becomes" in m for m in survived)
    assert [g.status for g in report.gates] == ["ok", "ok", "ok"]


def test_module_state_is_fresh_for_every_mutant_as_in_a_new_process() -> None:
    code = (
        "_memo: dict[int, int] = {}\n\n\n"
        "def fib(n: int) -> int:\n"
        '    """Fibonacci, memoised."""\n'
        "    if n in _memo:\n"
        "        return _memo[n]\n"
        "    result = n if n < 2 else fib(n - 1) + fib(n - 2)\n"
        "    _memo[n] = result\n"
        "    return result\n"
    )
    tests = "from solution import fib\n\n\ndef test_fib():\n    assert fib(10) == 55\n"
    report = check(code, tests, config=strength())
    survived = " ".join(f.message for f in report.findings if f.rule == "mutation.survived")
    assert "`n < 2` becomes `n <= 2`" not in survived  # a stale memo from the baseline would let it pass


def test_failing_tests_skip_the_gate() -> None:
    tests = STRONG_TESTS.replace("== 1.5", "== 2.5")
    report = check(CODE, tests, config=strength())
    run = next(g for g in report.gates if g.name == "mutation")
    assert run.status == "skipped" and "do not pass" in (run.error or "")


def test_installed_pytest_plugins_are_not_loaded_in_the_session() -> None:
    tests = STRONG_TESTS + (
        "\n\ndef test_no_autoloaded_plugins(request):\n"
        "    names = {name for name, _ in request.config.pluginmanager.list_name_plugin()}\n"
        "    assert not names & {'asyncio', 'hypothesispytest', 'pytest_cov', 'anyio', 'benchmark'}\n"
    )
    report = check(CODE, tests, config=strength())
    assert report.tests is not None and report.tests.passed == 4 and report.tests.failed == 0
    assert [g.status for g in report.gates] == ["ok", "ok", "ok"]
    assert "Mutation score 100 %" in next(f.message for f in report.findings if f.rule == "mutation.score")


@pytest.mark.parametrize(("option", "bad"), [("min_score", 101), ("timeout", 0), ("max_mutants", -3)])
def test_bad_options_are_clear_errors(option: str, bad: object) -> None:
    report = check(CODE, STRONG_TESTS, config=strength(**{option: bad}))
    [crashed] = [f for f in report.findings if f.rule == "mutation.crashed"]
    assert f"gates.options.mutation.{option}" in crashed.message


# -- the mutants themselves ---------------------------------------------------------------------------------------

SAMPLE = '''\
"""Docstring with 1 number."""

import logging

LIMIT = 10


def scan(items: list[int], limit: int = 3) -> int | None:
    """Return the first item over the limit."""
    for item in items:
        if not item:
            continue
        if item > limit and item < LIMIT:
            logging.info("found %d", item + 1)
            return item * 2
        if item == 99:
            raise ValueError(f"bad item {item - 1}")
            break
    assert items, "need 1 item"
    return None
'''


def test_each_kind_of_mutation_is_made() -> None:
    changes = {(m.operator, m.before, m.after) for m in generate_mutants(SAMPLE)}
    assert ("comparison", "item > limit", "item >= limit") in changes
    assert ("boolean", "item > limit and item < LIMIT", "item > limit or item < LIMIT") in changes
    assert ("arithmetic", "item * 2", "item / 2") in changes
    assert ("constant", "item * 2", "item * 3") in changes
    assert ("not", "not item", "item") in changes
    assert ("condition", "item > limit and item < LIMIT", "not (item > limit and item < LIMIT)") in changes
    assert ("return", "return item * 2", "return None") in changes
    assert ("loop", "continue", "break") in changes
    assert ("loop", "break", "continue") in changes


def test_docstrings_annotations_defaults_module_code_and_messages_are_left_alone() -> None:
    mutants = generate_mutants(SAMPLE)
    touched = {m.line for m in mutants}
    assert not touched & {1, 5, 8, 9}  # docstring, module constant, signature with annotations and default
    text = " ".join(m.before + m.after for m in mutants)
    assert "item + 1" not in text and "item - 1" not in text and "need 1 item" not in text


def test_mutants_compile_keep_every_line_number_and_are_distinct() -> None:
    mutants = generate_mutants(SAMPLE)
    assert len({m.source for m in mutants}) == len(mutants)
    for mutant in mutants:
        tree = ast.parse(mutant.source)
        assert len(mutant.source.splitlines()) == len(SAMPLE.splitlines())
        [function] = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        assert (function.lineno, function.end_lineno) == (8, 20)
        assert mutant.unit == "scan" and mutant.first_line == 8


def test_methods_and_multi_line_expressions_keep_their_lines() -> None:
    code = (
        "class Box:\n"
        "    @staticmethod\n"
        "    def total(a: int, b: int) -> int:\n"
        "        return (a +\n"
        "                b)\n"
        "\n"
        "    def twice(self) -> int:\n"
        "        return 2\n"
    )
    mutants = generate_mutants(code)
    units = {(m.unit, m.first_line) for m in mutants}
    assert units == {("Box.total", 2), ("Box.twice", 7)}
    for mutant in mutants:
        assert len(mutant.source.splitlines()) == len(code.splitlines())
        compile(mutant.source, "solution.py", "exec")
