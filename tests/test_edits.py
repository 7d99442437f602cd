"""The retry edit format: each search text must match exactly once, failures are reported with the closest lines."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from burr_codeagent import PythonCodeGenerationResponse
from burr_codeagent.edits import Edit, RetryResponse, apply_edits, closest_lines, describe_failed

CODE = '''"""Sums."""


def add(a: int, b: int) -> int:
    """Return a + b."""
    return a+b


def add_three(a: int, b: int, c: int) -> int:
    """Return a + b + c."""
    return add(a, b)+c
'''
TESTS = "from solution import add\n\n\ndef test_add() -> None:\n    assert add(2, 3) == 5\n"
PREVIOUS = PythonCodeGenerationResponse(
    function_name="add", code=CODE, explanation="sums", test_code=TESTS, dependencies=["attrs"]
)


def test_edits_apply_in_order_to_their_targets_and_keep_the_other_fields() -> None:
    answer = RetryResponse.model_validate(
        {
            "edits": [
                {"target": "code", "search": "    return a+b\n", "replace": "    return a + b\n"},
                {"target": "code", "search": "add(a, b)+c", "replace": "add(a, b) + c"},
                {"target": "tests", "search": "== 5\n", "replace": "== 5\n    assert add(-1, 1) == 0\n"},
            ],
            "explanation": "spacing and one more test",
        }
    )
    edited = apply_edits(PREVIOUS, answer)
    assert [o.applied for o in edited.outcomes] == [True, True, True]
    assert "return a + b\n" in edited.response.code and "add(a, b) + c" in edited.response.code
    assert edited.response.test_code.endswith("assert add(-1, 1) == 0\n")
    assert edited.response.dependencies == ["attrs"] and edited.response.function_name == "add"
    assert edited.response.explanation == "spacing and one more test"
    assert not edited.whole


def test_an_ambiguous_edit_is_not_applied_and_names_the_lines_where_it_matches() -> None:
    answer = RetryResponse(edits=[Edit(target="code", search="int) -> int:", replace="int) -> float:")])
    edited = apply_edits(PREVIOUS, answer)
    assert edited.response.code == CODE
    (outcome,) = edited.failed
    assert outcome.matches == 2 and "occurs 2 times" in (outcome.problem or "")
    assert "lines 4, 9" in (outcome.problem or "")


def test_an_edit_that_matches_nowhere_quotes_the_closest_lines_numbered() -> None:
    wrong = '    """Return a + b."""\n    return a + b\n'  # the model misremembers the spacing
    answer = RetryResponse(
        edits=[
            Edit(target="code", search=wrong, replace="    return b + a\n"),
            Edit(target="code", search="add(a, b)+c", replace="add(a, b) + c"),
        ]
    )
    edited = apply_edits(PREVIOUS, answer)
    assert [o.applied for o in edited.outcomes] == [False, True], "the other edits still apply"
    failed = edited.failed[0]
    assert failed.matches == 0 and failed.closest == ' 5 |     """Return a + b."""\n 6 |     return a+b'
    prompt = describe_failed(edited.outcomes)
    assert "1 of your 2 edit(s) were NOT applied" in prompt and "edit 1 (code)" in prompt
    assert " 6 |     return a+b" in prompt


def test_a_whole_answer_stays_allowed_and_edits_then_apply_to_it() -> None:
    whole = RetryResponse(code="X = 1\n", test_code="def test_x() -> None:\n    assert True\n")
    assert whole.is_whole and apply_edits(PREVIOUS, whole).response.code == "X = 1\n"
    mixed = RetryResponse(code="X = 1\n", edits=[Edit(target="code", search="1", replace="2")])
    edited = apply_edits(PREVIOUS, mixed)
    assert edited.response.code == "X = 2\n" and edited.response.test_code == TESTS


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"edits": []},
        {"explanation": "nothing"},
        {"edits": [{"target": "code", "search": "", "replace": "x"}]},
    ],
)
def test_an_answer_with_nothing_to_apply_fails_validation(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        RetryResponse.model_validate(data)


def test_closest_lines_handles_an_empty_target_and_a_search_longer_than_it() -> None:
    assert closest_lines("", "x = 1") == "(the target is empty)"
    assert closest_lines("a = 1\n", "a = 1\nb = 2\nc = 3\n") == "1 | a = 1"
