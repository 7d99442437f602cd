"""Tests for the factorial example; like generated tests, they import module ``solution``."""

import pytest
from solution import factorial


@pytest.mark.parametrize(("n", "expected"), [(0, 1), (1, 1), (2, 2), (5, 120), (10, 3_628_800)])
def test_known_values(n: int, expected: int) -> None:
    assert factorial(n) == expected


def test_negative_numbers_are_rejected() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        factorial(-1)


@pytest.mark.parametrize("value", [2.5, "3", True])
def test_non_integers_are_rejected(value: object) -> None:
    with pytest.raises(TypeError):
        factorial(value)  # type: ignore[arg-type]
