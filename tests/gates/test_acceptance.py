"""The ``acceptance`` gate: the user's own tests decide the verdict, and the model sees what the config allows."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from burr_codeagent import AgentConfig, CodeAgent, Severity, check
from burr_codeagent.backends import ScriptedBackend
from burr_codeagent.cli import app
from tests.conftest import GOOD_CODE, GOOD_TESTS, make_response

ACCEPTANCE = """\
from solution import factorial


def test_ten():
    assert factorial(10) == 3628800


def test_twelve_is_secret_marker():
    assert factorial(12) == 479001600
"""
# Passes its own tests (0, 1, 5 and negatives) but is wrong from 10 on.
WRONG_CODE = GOOD_CODE.replace(
    "    return n * factorial(n - 1)\n", "    return n * factorial(n - 1) if n < 10 else 0\n"
)
ONLY = AgentConfig(gates={"enable": ["execution", "acceptance"]})


def test_generated_tests_pass_but_failing_acceptance_tests_fail_the_attempt() -> None:
    report = check(WRONG_CODE, GOOD_TESTS, config=ONLY, acceptance_tests=ACCEPTANCE)
    assert report.tests is not None and report.tests.succeeded  # the model's own tests are happy
    assert not report.passed
    failed = [f for f in report.findings if f.rule == "acceptance.failed"]
    assert len(failed) == 2 and all(f.severity is Severity.CRITICAL for f in failed)
    assert any("test_ten failed" in f.message and "0 == 3628800" in f.message for f in failed)


def test_passing_acceptance_tests_add_nothing() -> None:
    report = check(GOOD_CODE, GOOD_TESTS, config=ONLY, acceptance_tests=ACCEPTANCE)
    assert report.passed and report.findings == []
    assert [g.status for g in report.gates] == ["ok", "ok"]


def test_acceptance_tests_run_even_without_generated_tests() -> None:
    report = check(WRONG_CODE, None, config=ONLY, acceptance_tests=ACCEPTANCE)
    assert {f.rule for f in report.findings} == {"acceptance.failed"}


def test_without_acceptance_tests_the_gate_is_skipped() -> None:
    report = check(GOOD_CODE, GOOD_TESTS, config=ONLY)
    assert next(g for g in report.gates if g.name == "acceptance").status == "skipped"


@pytest.mark.parametrize(
    ("tests", "rule"),
    [
        (
            "from solution import missing\n\ndef test_x():\n    assert missing()\n",
            "acceptance.collection_error",
        ),
        ("from solution import factorial\n", "acceptance.no_tests"),
    ],
)
def test_unusable_acceptance_runs_are_critical(tests: str, rule: str) -> None:
    report = check(GOOD_CODE, GOOD_TESTS, config=ONLY, acceptance_tests=tests)
    assert rule in {f.rule for f in report.findings} and not report.passed


def test_acceptance_tests_that_do_not_parse_are_a_clear_error() -> None:
    report = check(GOOD_CODE, GOOD_TESTS, config=ONLY, acceptance_tests="def test_x(:\n")
    [crashed] = [f for f in report.findings if f.rule == "acceptance.crashed"]
    assert "the acceptance tests do not parse: line 1" in crashed.message


def run_agent(config: AgentConfig, visibility: str) -> ScriptedBackend:
    settings = config.model_copy(
        update={
            "gates": config.gates.model_copy(update={"enable": ["syntax", "execution", "acceptance"]}),
            "acceptance_tests_visibility": visibility,
            "max_retries": 1,
        }
    )
    backend = ScriptedBackend([make_response(code=WRONG_CODE), make_response()])
    result = CodeAgent(settings, backend=backend).run("Write factorial", acceptance_tests=ACCEPTANCE)
    assert result.passed and [a.report.passed for a in result.attempts] == [False, True]
    return backend


def test_by_default_the_model_sees_the_failures_but_not_the_tests(config: AgentConfig) -> None:
    backend = run_agent(config, "failures")
    assert "test_twelve_is_secret_marker" not in backend.calls[0].prompt
    retry = backend.calls[1].prompt
    assert "Acceptance test test_ten failed" in retry and "3628800" in retry
    assert "def test_ten" not in retry


def test_visibility_none_says_only_that_an_acceptance_test_failed(config: AgentConfig) -> None:
    backend = run_agent(config, "none")
    retry = backend.calls[1].prompt
    assert "The acceptance checks failed (what they found is not shown to you)." in retry
    assert "test_ten" not in retry and "3628800" not in retry and "secret_marker" not in retry
    assert "1 critical" in retry  # not even how many failed


def test_hidden_acceptance_failures_are_still_in_the_report() -> None:
    settings = ONLY.model_copy(update={"acceptance_tests_visibility": "none"})
    report = check(WRONG_CODE, GOOD_TESTS, config=settings, acceptance_tests=ACCEPTANCE)
    failed = [f for f in report.findings if f.rule == "acceptance.failed"]
    assert len(failed) == 2 and all(f.model_hidden for f in failed)
    assert any("0 == 3628800" in f.message for f in failed)


def test_visibility_verbatim_puts_the_tests_into_the_prompts(config: AgentConfig) -> None:
    backend = run_agent(config, "verbatim")
    assert "def test_twelve_is_secret_marker" in backend.calls[0].prompt
    assert "def test_twelve_is_secret_marker" in backend.calls[1].prompt


def test_check_cli_takes_acceptance_tests_apart_from_the_code_tests(tmp_path: Path) -> None:
    code, tests, acceptance = tmp_path / "fact.py", tmp_path / "test_fact.py", tmp_path / "accept.py"
    code.write_text(WRONG_CODE)
    tests.write_text(GOOD_TESTS)
    acceptance.write_text(ACCEPTANCE)
    runner = CliRunner()
    failing = runner.invoke(
        app, ["check", str(code), "--tests", str(tests), "--acceptance", str(acceptance), "-f", "json"]
    )
    assert failing.exit_code == 1, failing.output
    assert '"acceptance.failed"' in failing.output
    code.write_text(GOOD_CODE)
    passing = runner.invoke(
        app, ["check", str(code), "--tests", str(tests), "--acceptance", str(acceptance), "-f", "json"]
    )
    assert '"acceptance.failed"' not in passing.output
    missing = runner.invoke(app, ["check", str(code), "--acceptance", str(tmp_path / "nope.py")])
    assert missing.exit_code == 2 and "no such file" in missing.output
