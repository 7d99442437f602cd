"""The prompts: the system prompt, the first generation prompt and the feedback prompt for retries."""

from __future__ import annotations

from .models import CheckReport, Finding, PythonCodeGenerationResponse, Severity

__all__ = ["SYSTEM_PROMPT", "feedback_prompt", "generation_prompt"]

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


def generation_prompt(task: str) -> str:
    """The prompt of the first attempt."""
    return f"Task:\n{task.strip()}\n\nWrite the module and its pytest tests."


def _describe(finding: Finding) -> str:
    where = f"{finding.target} line {finding.line}" if finding.line else finding.target
    text = f"- [{finding.rule}] {where}: {finding.message}"
    if finding.suggestion:
        text += f" Fix: {finding.suggestion}"
    return text


def feedback_prompt(
    task: str,
    previous: PythonCodeGenerationResponse | None,
    report: CheckReport,
    *,
    max_chars: int = 8_000,
    analysis: str | None = None,
) -> str:
    """The prompt of a retry: the task restated, what failed (most severe first, within ``max_chars``)."""
    head = [f"Task:\n{task.strip()}", "", "Your previous answer did not pass the quality checks."]
    if previous is not None:
        head += ["", "Previous code:", "```python", previous.code.rstrip(), "```"]
    lines: list[str] = []
    for severity in (Severity.CRITICAL, Severity.WARNING, Severity.INFO):
        found = report.by_severity(severity)
        if found:
            lines.append(f"\n{severity.value.upper()} ({len(found)}):")
            lines.extend(_describe(f) for f in found)
    if report.tests is not None and report.tests.output and not report.tests.succeeded:
        lines += ["", "Test output (tail):", report.tests.output[-1500:]]
    if analysis:
        lines += ["", "Review of the previous attempt:", analysis]
    tail = ["", "Return the complete corrected module and tests; keep what already worked."]
    budget = max_chars - sum(len(x) + 1 for x in head + tail)
    kept: list[str] = []
    for line in lines:
        if budget - (len(line) + 1) < 0:
            kept.append(f"... {len(lines) - len(kept)} more lines omitted")
            break
        kept.append(line)
        budget -= len(line) + 1
    return "\n".join(head + kept + tail)
