"""The prompts: the system prompt, the first generation prompt, the feedback prompt of retries and the review prompt."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from .feedback import CLOSING, FeedbackOptions, acceptance_block, build_feedback
from .models import CheckReport, PythonCodeGenerationResponse
from .review import CodeAnalysisResponse

__all__ = [
    "ANALYSIS_SYSTEM_PROMPT",
    "SYSTEM_PROMPT",
    "analysis_prompt",
    "feedback_prompt",
    "generation_prompt",
]

SYSTEM_PROMPT = """\
You are a senior Python engineer who writes production-quality code.

Every answer fills these fields:
- function_name: the main function (or class) the task asks for.
- code: one complete Python 3.11 module. Type hints on every parameter and return value; a docstring on the module
  and on every public function and class (Google style: Args, Returns, Raises); validate inputs and raise precise
  exceptions; no bare `except:`; PEP 8; standard library unless the task needs more; no `eval`/`exec`, no shell
  commands, timeouts on every network call.
- test_code: a pytest module. The code is importable as module `solution`, so the tests begin with
  `from solution import <names>`. Write plain `test_*` functions with `assert`s covering normal cases, edge cases
  and errors (`pytest.raises`). Tests must not use the network or files outside `tmp_path`.
- explanation: how the code works and the design choices.
- dependencies: third-party distributions the code needs, or null.
- usage_examples: short snippets that call the code.
"""


Visibility = Literal["verbatim", "failures", "none"]


def generation_prompt(
    task: str,
    acceptance_tests: str | None = None,
    *,
    requirements: Sequence[str] = (),
    warning_threshold: int | None = None,
) -> str:
    """The prompt of the first attempt.

    Args:
        task: What the user asked for.
        acceptance_tests: The user's acceptance tests, when they are shown ``verbatim``.
        requirements: What the checker's gates hold the answer to (:meth:`Checker.requirements`), listed so the
            model can meet the bar on the first try instead of learning it from a failed attempt.
        warning_threshold: Warnings a passing answer may have; None leaves it unsaid.
    """
    prompt = f"Task:\n{task.strip()}\n\nWrite the module and its pytest tests."
    bar = [f"- {line}" for line in requirements]
    if warning_threshold is not None:
        allowed = "no warnings" if warning_threshold == 0 else f"at most {warning_threshold} warnings"
        bar.append(f"- no critical findings and {allowed} in total")
    if bar:
        prompt += (
            "\n\nA checker will hold the answer to this bar (an answer below it is sent back):\n"
            + "\n".join(bar)
        )
    if acceptance_tests and acceptance_tests.strip():
        prompt += "\n\n" + acceptance_block(acceptance_tests)
    return prompt


def feedback_prompt(
    task: str,
    previous: PythonCodeGenerationResponse | None,
    report: CheckReport,
    *,
    max_chars: int = 8_000,
    analysis: CodeAnalysisResponse | None = None,
    attempt: int | None = None,
    auto_fixes: Sequence[str] = (),
    acceptance_visibility: Visibility = "failures",
    acceptance_tests: str | None = None,
    module: str = "solution",
    edit_failures: str = "",
    closing: str = CLOSING,
) -> str:
    """The prompt of a retry: the task restated and targeted feedback on ``previous``, within ``max_chars``.

    See :mod:`burr_codeagent.feedback` for what it contains and what is kept when it must be cut.
    """
    options = FeedbackOptions(
        max_chars=max_chars,
        warning_threshold=report.warning_threshold,
        attempt=attempt,
        acceptance_visibility=acceptance_visibility,
        acceptance_tests=acceptance_tests,
        module=module,
        edit_failures=edit_failures,
    )
    return build_feedback(
        task, previous, report, options=options, analysis=analysis, auto_fixes=auto_fixes, closing=closing
    )


ANALYSIS_SYSTEM_PROMPT = """\
You are a meticulous senior Python reviewer. You are shown a task, a candidate solution with its pytest tests, and
what automated checks and the test run found. Do not rewrite the code. Explain precisely why it fails:
- issues: the problems that make it fail, most important first;
- root_causes: why each happened (a misread requirement, a wrong edge case, a wrong test expectation ...);
- fixes: concrete changes, each naming where (`code` or `tests`, a function, test or line) and exactly what to do;
- summary: one or two sentences.
Be specific and brief: the fixes are handed to the engineer who writes the next version.
"""

_ANALYSIS_CLOSING = (
    "Review this attempt: list its issues, their root causes and concrete fixes. Do not rewrite the code."
)


def analysis_prompt(
    task: str,
    previous: PythonCodeGenerationResponse | None,
    report: CheckReport,
    *,
    max_chars: int = 8_000,
    attempt: int | None = None,
    acceptance_visibility: Visibility = "failures",
    acceptance_tests: str | None = None,
) -> str:
    """The prompt that asks for a :class:`~burr_codeagent.review.CodeAnalysisResponse` of an attempt: the retry's
    feedback, closed by a request for a review instead of a new version."""
    return feedback_prompt(
        task,
        previous,
        report,
        max_chars=max_chars,
        attempt=attempt,
        acceptance_visibility=acceptance_visibility,
        acceptance_tests=acceptance_tests,
        closing=_ANALYSIS_CLOSING,
    )
