"""The predefined tasks of the original design and how `codeagent run` picks them."""

from __future__ import annotations

import pytest

from burr_codeagent.tasks import PREDEFINED_TASKS, resolve_tasks


def test_the_three_tasks_are_the_original_designs() -> None:
    assert list(PREDEFINED_TASKS) == ["simple", "moderate", "complex"]
    assert "factorial of a number using recursion" in PREDEFINED_TASKS["simple"]
    assert "below 70% average" in PREDEFINED_TASKS["moderate"]
    assert "respect robots.txt rules" in PREDEFINED_TASKS["complex"]


@pytest.mark.parametrize("name", ["simple", " Moderate ", "COMPLEX"])
def test_a_task_name_picks_that_task_whatever_its_case_or_spacing(name: str) -> None:
    key = name.strip().lower()
    assert resolve_tasks(name) == [(key, PREDEFINED_TASKS[key])]


def test_all_runs_the_three_in_turn() -> None:
    assert [name for name, _ in resolve_tasks("all")] == ["simple", "moderate", "complex"]


def test_anything_else_is_the_task_text_itself_unchanged() -> None:
    text = "Write a function that reverses a linked list.\n  Keep it iterative."
    assert resolve_tasks(text) == [("custom", text)]
    assert resolve_tasks("simple task please") == [("custom", "simple task please")]
