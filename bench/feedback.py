"""Benchmark: the improvement loop (targeted feedback, auto-fix, no-progress stop) against the plain loop.

Run from the repository root::

    python bench/feedback.py [--no-execution]

Four scripted "models" (``ScriptedBackend``) run through the public API (``CodeAgent.run``) twice:

* **improved**: the defaults of this library: targeted budgeted feedback, local auto-fix, stop on no progress;
* **plain**: ``auto_fix=False``, ``stop_on_no_progress=False`` and the plain feedback prompt of the first core
  (every finding listed, the previous code, the test output tail) patched in.

Scenarios:

* ``fixes-what-it-is-told``: a wrong answer (one test fails), then a right answer with only formatting faults, then
  the clean answer;
* ``regresses``: a good-ish answer (one test fails), then the same broken, non-compiling answer again and again;
* ``repeats-itself``: the same wrong answer every time;
* ``formatting-only``: a correct answer whose only faults are formatting, then the clean answer.

It prints, per scenario and mode: generations used, the characters of all retry prompts together, the prompt size
of each retry (characters, and tokens
*estimated* as characters / 4: the scripted backend reports no real usage), which attempt is returned and the stop
reason. All gates run with their defaults; the generated tests really run in the sandbox unless ``--no-execution``.
Nothing is timed: the figures are counts and sizes, identical on every run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from burr_codeagent import AgentConfig, CheckReport, CodeAgent, PythonCodeGenerationResponse, Severity
from burr_codeagent.backends import ScriptedBackend
from burr_codeagent.steps import code_generator as generator_module

# The fixtures the tests use for the original design's "simple" task: one copy, in tests/conftest.py.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.conftest import GOOD_CODE, GOOD_TESTS

TASK = "Write a function factorial(n) that returns n! for n >= 0 and raises ValueError for negative n."

WRONG_CODE = GOOD_CODE.replace("return n * factorial(n - 1)", "return n + factorial(n - 1)")
UGLY_CODE = (
    GOOD_CODE.replace("def factorial(n: int) -> int:", "def factorial( n:int )->int :")
    .replace("    if n < 0:", "    if n<0 :   ")
    .replace("    if n in (0, 1):", "    if n in (0,1) :")
)
BROKEN_CODE = '"""Factorial."""\n\n\ndef factorial(n: int -> int:\n    return 1\n'


def response(code: str, tests: str = GOOD_TESTS) -> PythonCodeGenerationResponse:
    """A scripted answer."""
    return PythonCodeGenerationResponse(
        function_name="factorial",
        code=code,
        explanation="Recursive factorial.",
        test_code=tests,
        dependencies=None,
        usage_examples=["factorial(5)"],
    )


SCENARIOS: dict[str, list[PythonCodeGenerationResponse]] = {
    "fixes-what-it-is-told": [response(WRONG_CODE), response(UGLY_CODE), *[response(GOOD_CODE)] * 4],
    "regresses": [response(WRONG_CODE), *[response(BROKEN_CODE)] * 5],
    "repeats-itself": [response(WRONG_CODE)] * 6,
    "formatting-only": [response(UGLY_CODE), *[response(GOOD_CODE)] * 5],
}


def plain_feedback_prompt(
    task: str,
    previous: PythonCodeGenerationResponse | None,
    report: CheckReport,
    *,
    max_chars: int = 8_000,
    **_: object,
) -> str:
    """The first core's feedback prompt: every finding, the previous code and the test output tail."""
    head = [f"Task:\n{task.strip()}", "", "Your previous answer did not pass the quality checks."]
    if previous is not None:
        head += ["", "Previous code:", "```python", previous.code.rstrip(), "```"]
    lines: list[str] = []
    for severity in (Severity.CRITICAL, Severity.WARNING, Severity.INFO):
        found = report.by_severity(severity)
        if found:
            lines.append(f"\n{severity.value.upper()} ({len(found)}):")
            for f in found:
                where = f"{f.target} line {f.line}" if f.line else f.target
                lines.append(
                    f"- [{f.rule}] {where}: {f.message}" + (f" Fix: {f.suggestion}" if f.suggestion else "")
                )
    if report.tests is not None and report.tests.output and not report.tests.succeeded:
        lines += ["", "Test output (tail):", report.tests.output[-1500:]]
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


@contextmanager
def patched(name: str, value: Callable[..., str]) -> Iterator[None]:
    """Swap a function the generation step uses, for the plain baseline only."""
    original = getattr(generator_module, name)
    setattr(generator_module, name, value)
    try:
        yield
    finally:
        setattr(generator_module, name, original)


@dataclass
class Outcome:
    """What one run of one scenario produced."""

    generations: int
    retry_prompt_chars: list[int]
    returned: int | None
    last: int
    passed: bool
    stop_reason: str


def run(script: list[PythonCodeGenerationResponse], config: AgentConfig, plain: bool) -> Outcome:
    """Run one scenario through the public API and collect its figures."""
    backend = ScriptedBackend(script)
    if plain:
        config = config.model_copy(update={"auto_fix": False, "stop_on_no_progress": False})
        with patched("feedback_prompt", plain_feedback_prompt):
            result = CodeAgent(config, backend=backend).run(TASK)
    else:
        result = CodeAgent(config, backend=backend).run(TASK)
    generations = [c for c in backend.calls if c.purpose == "generation"]
    return Outcome(
        generations=len(generations),
        retry_prompt_chars=[len(c.prompt) for c in generations[1:]],
        returned=result.best.index if result.best else None,
        last=len(result.attempts),
        passed=result.passed,
        stop_reason=result.stop_reason,
    )


def _sizes(chars: list[int]) -> str:
    if not chars:
        return "-"
    return " / ".join(f"{c} (~{round(c / 4)})" for c in chars)


def main(argv: list[str] | None = None) -> int:
    """Run every scenario in both modes and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--no-execution", action="store_true", help="Do not run the generated tests.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        config = AgentConfig(
            tracking=False,
            report_formats=[],
            output_dir=Path(tmp),
            enable_code_execution=not args.no_execution,
        )
        print(
            f"code execution: {'on (sandboxed pytest)' if config.enable_code_execution else 'off'}; "
            f"max_retries={config.max_retries}, warning_threshold={config.warning_threshold}, "
            f"feedback_max_chars={config.feedback_max_chars}"
        )
        print("retry prompt sizes: characters (~tokens, ESTIMATED as chars/4), one entry per retry\n")
        header = (
            f"{'scenario':<22} {'mode':<9} {'gens':>4} {'retry chars':>11} {'passed':>6} {'returned':>8} {'last':>4}"
            "  stop reason"
        )
        print(header)
        print("-" * len(header))
        prompts: list[tuple[str, str, list[int]]] = []
        for name, script in SCENARIOS.items():
            for mode in ("improved", "plain"):
                outcome = run(script, config, plain=mode == "plain")
                print(
                    f"{name:<22} {mode:<9} {outcome.generations:>4} {sum(outcome.retry_prompt_chars):>11} "
                    f"{outcome.passed!s:>6} "
                    f"{'#' + str(outcome.returned):>8} {'#' + str(outcome.last):>4}  {outcome.stop_reason}"
                )
                prompts.append((name, mode, outcome.retry_prompt_chars))
        print("\nretry prompt sizes, characters (~estimated tokens):")
        for name, mode, chars in prompts:
            print(f"  {name:<22} {mode:<9} {_sizes(chars)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
