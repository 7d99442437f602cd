"""The prompts: what the first generation, a retry and a review ask of the model."""

from __future__ import annotations

from burr_codeagent import AgentConfig, CheckReport, CodeAgent, Finding, Severity
from burr_codeagent.backends import ScriptedBackend
from burr_codeagent.checker import Checker
from burr_codeagent.config import GateSettings
from burr_codeagent.prompts import (
    ANALYSIS_SYSTEM_PROMPT,
    SYSTEM_PROMPT,
    analysis_prompt,
    feedback_prompt,
    generation_prompt,
)
from tests.conftest import make_response

TASK = "Write is_prime(n) for integers n >= 0."
ACCEPTANCE = "from solution import is_prime\n\ndef test_seven():\n    assert is_prime(7)\n"


def failing_report(*, hidden: bool = False) -> CheckReport:
    findings = [
        Finding(
            gate="acceptance",
            rule="acceptance.failed",
            severity=Severity.CRITICAL,
            message="Acceptance test test_seven failed: assert False",
            model_hidden=hidden,
        ),
        Finding(
            gate="docstrings",
            rule="docstrings.missing",
            severity=Severity.WARNING,
            message="No docstring",
            line=1,
        ),
    ]
    return CheckReport.from_findings(findings, gates=[], tests=None, seconds=0.0, warning_threshold=5)


def test_the_system_prompt_fixes_the_answer_shape_and_the_module_name() -> None:
    for field in ("function_name", "code", "test_code", "explanation", "dependencies", "usage_examples"):
        assert f"- {field}:" in SYSTEM_PROMPT
    assert "from solution import" in SYSTEM_PROMPT
    assert "Do not rewrite the code" in ANALYSIS_SYSTEM_PROMPT


def test_the_first_prompt_is_the_task_and_shows_acceptance_tests_only_when_given() -> None:
    plain = generation_prompt(f"  {TASK}\n\n")
    assert plain.startswith(f"Task:\n{TASK}\n") and "Write the module and its pytest tests." in plain
    assert "Acceptance tests" not in plain
    assert "Acceptance tests" not in generation_prompt(TASK, acceptance_tests="  \n")
    shown = generation_prompt(TASK, acceptance_tests=ACCEPTANCE)
    assert "run as `test_acceptance.py`" in shown and "def test_seven():" in shown


def test_a_retry_restates_the_task_and_stays_within_its_budget() -> None:
    prompt = feedback_prompt(TASK, make_response(), failing_report(), max_chars=1_200, attempt=2)
    findings = prompt[: prompt.index("## Your previous code")]
    assert len(findings) <= 2_000 + len(TASK) + 400, "past the code, the findings get their minimum share"
    assert prompt.startswith(f"Task:\n{TASK}")
    assert "Your previous answer (attempt 2) did not pass" in prompt
    assert "Acceptance test test_seven failed" in prompt
    assert prompt.rstrip().endswith("only when most of it changes.")


def test_acceptance_visibility_decides_what_a_retry_shows() -> None:
    hidden = feedback_prompt(TASK, make_response(), failing_report(hidden=True), acceptance_visibility="none")
    assert "The acceptance checks failed (what they found is not shown to you)." in hidden
    assert "test_seven" not in hidden
    verbatim = feedback_prompt(
        TASK, make_response(), failing_report(), acceptance_visibility="verbatim", acceptance_tests=ACCEPTANCE
    )
    assert "def test_seven():" in verbatim and "Acceptance test test_seven failed" in verbatim


def test_the_review_prompt_asks_for_a_review_with_the_same_facts() -> None:
    prompt = analysis_prompt(
        TASK, make_response(), failing_report(hidden=True), attempt=1, acceptance_visibility="none"
    )
    assert "[docstrings.missing]" in prompt and "test_seven" not in prompt
    assert prompt.rstrip().endswith("Do not rewrite the code.")
    assert "Return the complete corrected module" not in prompt


def test_the_first_prompt_states_the_bar_the_configured_gates_hold_the_answer_to(config: AgentConfig) -> None:
    config = config.model_copy(
        update={
            "warning_threshold": 0,
            "enable_code_execution": False,
            "gates": GateSettings(
                disable=["mutation"],
                options={"complexity": {"warn_above": 7}, "style": {"line_length": 99}},
            ),
        }
    )
    backend = ScriptedBackend([make_response()])
    CodeAgent(config, backend=backend).run(TASK)
    first = backend.calls[0].prompt
    bar = first[first.index("A checker will hold the answer to this bar") :]
    assert "cyclomatic complexity at most 7 per function" in bar
    assert "lines at most 99 characters" in bar
    assert "no critical findings and no warnings in total" in bar
    assert "coverage" in bar, "coverage is selected, so its minimum is stated"


def test_a_gate_that_is_not_selected_states_nothing_and_the_threshold_is_said_as_configured(
    config: AgentConfig,
) -> None:
    config = config.model_copy(
        update={"warning_threshold": 3, "gates": GateSettings(disable=["complexity", "coverage", "mutation"])}
    )
    prompt = generation_prompt(
        TASK,
        requirements=Checker(config).requirements(),
        warning_threshold=config.warning_threshold,
    )
    assert "cyclomatic complexity" not in prompt and "coverage.py" not in prompt
    assert "at most 3 warnings in total" in prompt
