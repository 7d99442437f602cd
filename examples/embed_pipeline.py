"""Embedding the agent in a pipeline: several tasks at once through ``arun``, with bounded concurrency.

Run it against a real backend (for example ``--backend anthropic`` with ANTHROPIC_API_KEY set), or with
``--demo``, which replays canned answers through ScriptedBackend to show the plumbing (no model involved).
"""

from __future__ import annotations

import argparse
import asyncio

from burr_codeagent import AgentConfig, AgentResult, CodeAgent, PythonCodeGenerationResponse
from burr_codeagent.backends import LLMBackend, ScriptedBackend

TASKS = [
    "Create a function `slugify(text: str) -> str` that lower-cases text and joins words with hyphens.",
    "Create a function `is_palindrome(text: str) -> bool` that ignores case and non-letters.",
]

DEMO_ANSWER = PythonCodeGenerationResponse(
    function_name="slugify",
    code='"""Slugs."""\n\nimport re\n\n\ndef slugify(text: str) -> str:\n'
    '    """Return a URL slug.\n\n    Args:\n        text: Any text.\n\n    Returns:\n'
    '        Lower-case words joined by hyphens.\n    """\n'
    '    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))\n',
    explanation="Regex words, joined.",
    test_code="from solution import slugify\n\n\ndef test_slugify() -> None:\n"
    '    assert slugify("Hello, World!") == "hello-world"\n',
    usage_examples=['slugify("Hello World")'],
)


async def run_all(tasks: list[str], backend_for: callable, limit: int) -> list[AgentResult]:  # type: ignore[valid-type]
    """Run every task, at most ``limit`` at a time."""
    gate = asyncio.Semaphore(limit)
    config = AgentConfig(max_retries=2, report_formats=["json"])

    async def one(task: str) -> AgentResult:
        async with gate:
            return await CodeAgent(config, backend=backend_for()).arun(task)

    return await asyncio.gather(*(one(t) for t in tasks))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", default=None, help="backend name (default: from configuration)")
    parser.add_argument("--demo", action="store_true", help="canned answers instead of a model")
    parser.add_argument("--limit", type=int, default=2)
    args = parser.parse_args()

    def backend_for() -> LLMBackend | str | None:
        return (
            ScriptedBackend([DEMO_ANSWER] * 3, model="demo (canned answers)") if args.demo else args.backend
        )

    for result in asyncio.run(run_all(TASKS, backend_for, args.limit)):
        print(f"{'PASS' if result.passed else 'FAIL'} {len(result.attempts)} attempt(s): {result.task[:60]}")


if __name__ == "__main__":
    main()
