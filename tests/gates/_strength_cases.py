"""A module with a weak and a strong test file: both reach full line and branch coverage, only one kills mutants."""

from __future__ import annotations

CODE = '''\
"""Grades."""


def grade(score: int) -> str:
    """Letter grade for a score from 0 to 100."""
    if score < 0 or score > 100:
        raise ValueError("score must be between 0 and 100")
    if score >= 90:
        return "A"
    if score >= 75:
        return "B"
    if score >= 50:
        return "C"
    return "F"


def average(scores: list[int]) -> float:
    """Mean of the scores."""
    if not scores:
        raise ValueError("no scores")
    return sum(scores) / len(scores)
'''

WEAK_TESTS = """\
import pytest

from solution import average, grade


def test_grades():
    for score in (95, 80, 60, 10):
        assert grade(score) in "ABCF"


def test_out_of_range():
    with pytest.raises(ValueError):
        grade(-1)
    with pytest.raises(ValueError):
        grade(101)


def test_average():
    assert average([1, 2]) > 0
    with pytest.raises(ValueError):
        average([])
"""

STRONG_TESTS = """\
import pytest

from solution import average, grade


def test_grade_boundaries():
    scores = (0, 49, 50, 74, 75, 89, 90, 100)
    assert [grade(s) for s in scores] == ["F", "F", "C", "C", "B", "B", "A", "A"]


def test_out_of_range():
    for bad in (-1, 101):
        with pytest.raises(ValueError):
            grade(bad)


def test_average():
    assert average([1, 2]) == 1.5
    assert average([4]) == 4.0
    with pytest.raises(ValueError):
        average([])
"""
