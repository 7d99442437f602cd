"""Names the task text imposes ("write `minSubArraySum(nums)`") are exempt from the naming rules."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from burr_codeagent import AgentConfig, CodeAgent, Finding, check
from burr_codeagent.backends import ScriptedBackend
from burr_codeagent.cli import app
from burr_codeagent.gates._task_names import task_names
from tests.conftest import make_response

CAMEL = '''\
"""Smallest sum of a non-empty sub-array."""


def minSubArraySum(nums: list[int]) -> int:
    """The smallest sum of any non-empty contiguous sub-array of nums."""
    best = current = nums[0]
    for value in nums[1:]:
        current = min(value, current + value)
        best = min(best, current)
    return best
'''
TASK = "Write minSubArraySum(nums) that returns the smallest sum of a non-empty sub-array."
NAMING_ONLY = AgentConfig(tracking=False, gates={"enable": ["naming"]})


def naming_rules(report_findings: list[Finding]) -> list[str]:
    return [f.rule for f in report_findings if f.gate == "naming"]


def test_a_name_the_task_asks_for_is_not_flagged() -> None:
    assert naming_rules(check(CAMEL, config=NAMING_ONLY).findings) == ["naming.function"]
    assert naming_rules(check(CAMEL, config=NAMING_ONLY, task=TASK).findings) == []


def test_a_task_that_names_something_else_exempts_nothing() -> None:
    report = check(CAMEL, config=NAMING_ONLY, task="Write min_sub_array_sum(nums) for a list of ints.")
    assert naming_rules(report.findings) == ["naming.function"]


def test_identifiers_come_from_backticks_call_shapes_and_def_lines() -> None:
    assert {"maxLen", "parseHTML", "text"} <= task_names(
        "Implement `parseHTML(text)`; the option `maxLen=3` limits the depth."
    )
    assert {"isPalindrome", "s"} <= task_names("Write isPalindrome(s) returning a bool.")
    humaneval = (
        "Implement the Python function `sortEven` completely.\n\n```python\n"
        "from typing import List\n\n\ndef sortEven(l: List[int], *, keyFn=None) -> List[int]:\n"
        '    """Sorts the even indices.\n    >>> sortEven([1, 2, 3])\n    [1, 2, 3]\n    """\n```'
    )
    assert {"sortEven", "l", "keyFn"} <= task_names(humaneval)
    assert "snake_case" not in task_names("plain prose with no code names, snake_case aside")
    assert task_names(None) == frozenset() and task_names("") == frozenset()


def test_huge_or_binary_looking_task_text_is_read_safely() -> None:
    names = task_names("fooBar(x) " + "\x00\ufffd(" * 100_000 + " `late`")
    assert "fooBar" in names and "late" not in names  # only the head of a huge paste is read


def test_the_agent_hands_its_task_to_the_checker(config: AgentConfig) -> None:
    settings = config.model_copy(
        update={"gates": NAMING_ONLY.gates, "max_retries": 0, "auto_fix": False, "warning_threshold": 0}
    )
    backend = ScriptedBackend([make_response(code=CAMEL, test_code="", function_name="solve")])
    result = CodeAgent(settings, backend=backend).run(TASK)
    assert result.attempts[0].report is not None
    assert naming_rules(result.attempts[0].report.findings) == []


def test_codeagent_check_takes_the_task(tmp_path: Path) -> None:
    path = tmp_path / "camel.py"
    path.write_text(CAMEL, encoding="utf-8")
    base = ["check", str(path), "--no-execution", "--format", "json"]
    without = json.loads(CliRunner().invoke(app, base).stdout)
    with_task = json.loads(CliRunner().invoke(app, [*base, "--task", TASK]).stdout)
    assert "naming.function" in [f["rule"] for f in without["findings"]]
    assert "naming.function" not in [f["rule"] for f in with_task["findings"]]
