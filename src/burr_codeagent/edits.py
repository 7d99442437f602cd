"""Retries that edit instead of rewrite: the answer format of a retry and how its edits are applied.

A retry may answer with search/replace edits against the previous attempt instead of a whole new module::

    {"edits": [{"target": "code", "search": "    return a+b\\n", "replace": "    return a + b\\n"}],
     "explanation": "spacing"}

Each edit names its ``target`` (``code`` or ``tests``); its ``search`` text must occur exactly once in that text as
it stands after the edits before it. An edit that matches nowhere or more than once is not applied (the others are)
and the next prompt says which one failed, quoting the closest lines, so a model never believes a fix landed that
did not (the most common complaint about aider's edit formats). A whole new ``code`` and/or ``test_code`` stays
allowed, alone or with edits (the edits then apply to the new text).
"""

from __future__ import annotations

import difflib
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from .models import EditOutcome, PythonCodeGenerationResponse

__all__ = [
    "Edit",
    "EditOutcome",
    "EditedAnswer",
    "RetryResponse",
    "apply_edits",
    "closest_lines",
    "describe_failed",
    "numbered",
]

CLOSEST_MAX_LINES = 12


class Edit(BaseModel):
    """Replace the one occurrence of ``search`` in ``target`` with ``replace``."""

    target: Literal["code", "tests"] = Field(description="`code` (the module) or `tests` (the test module).")
    search: str = Field(
        min_length=1,
        description="Exact text copied from the previous version (without line numbers); it must occur exactly "
        "once, so include enough surrounding lines to make it unique.",
    )
    replace: str = Field(description="The text that takes its place (empty to delete it).")


class RetryResponse(BaseModel):
    """The answer to a retry: edits against the previous attempt, or a whole new module and/or tests.

    Give ``edits`` for local fixes; give ``code`` / ``test_code`` (complete modules) to rewrite. At least one of
    them is required.
    """

    edits: list[Edit] | None = Field(
        default=None,
        description="Search/replace edits against the previous code and tests, applied in order.",
    )
    explanation: str = Field(default="", description="What changed and why.")
    function_name: str | None = Field(
        default=None, description="Only when it changed: the main function or class."
    )
    code: str | None = Field(
        default=None,
        description="Only to rewrite it: the complete new module (tests import it as `solution`).",
    )
    test_code: str | None = Field(
        default=None, description="Only to rewrite them: the complete new pytest module."
    )
    dependencies: list[str] | None = Field(
        default=None, description="Only when they changed: third-party distributions the code needs."
    )
    usage_examples: list[str] | None = Field(default=None, description="Only when they changed.")

    @model_validator(mode="after")
    def _something_to_apply(self) -> RetryResponse:
        if not self.edits and self.code is None and self.test_code is None:
            raise ValueError(
                "give `edits` (search/replace pairs against the previous version) or a complete `code` "
                "and/or `test_code`"
            )
        return self

    @property
    def is_whole(self) -> bool:
        """True when the answer rewrites both the code and the tests (no edits needed)."""
        return self.code is not None and self.test_code is not None and not self.edits


class EditedAnswer(BaseModel):
    """The full response after a retry answer was applied, and what happened to each edit."""

    response: PythonCodeGenerationResponse
    outcomes: list[EditOutcome] = Field(default_factory=list)
    whole: bool = Field(default=False, description="The answer rewrote both code and tests.")

    @property
    def failed(self) -> list[EditOutcome]:
        """The edits that were not applied."""
        return [o for o in self.outcomes if not o.applied]


def numbered(source: str, start: int = 1, stop: int | None = None) -> str:
    """Lines ``start``..``stop`` (1-based, inclusive) of ``source`` with right-aligned line numbers: ``  12 | x``."""
    lines = source.splitlines()
    stop = len(lines) if stop is None else min(stop, len(lines))
    width = len(str(max(len(lines), 1)))  # as wide as in the whole numbered file, so quotes line up
    return "\n".join(f"{n:>{width}} | {lines[n - 1]}" for n in range(max(start, 1), stop + 1))


def _occurrences(text: str, search: str) -> list[int]:
    """Start offsets of every (possibly overlapping) occurrence of ``search`` in ``text``."""
    found: list[int] = []
    start = text.find(search)
    while start != -1:
        found.append(start)
        start = text.find(search, start + 1)
    return found


def closest_lines(text: str, search: str) -> str:
    """The lines of ``text`` most like ``search`` (a window as long as it, by difflib's ratio), numbered."""
    lines = text.splitlines()
    wanted = search.strip("\n").splitlines() or [search]
    if not lines:
        return "(the target is empty)"
    size = min(len(wanted), len(lines))
    target = "\n".join(wanted)
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(target)
    best, best_start = -1.0, 0
    for start in range(len(lines) - size + 1):
        matcher.set_seq1("\n".join(lines[start : start + size]))
        if matcher.real_quick_ratio() <= best or matcher.quick_ratio() <= best:
            continue
        ratio = matcher.ratio()
        if ratio > best:
            best, best_start = ratio, start
    stop = best_start + min(size, CLOSEST_MAX_LINES)
    return numbered(text, best_start + 1, stop)


def _apply_one(text: str, edit: Edit) -> tuple[str, EditOutcome]:
    starts = _occurrences(text, edit.search)
    common = {"target": edit.target, "search": edit.search, "replace": edit.replace, "matches": len(starts)}
    if len(starts) == 1:
        at = starts[0]
        return text[:at] + edit.replace + text[at + len(edit.search) :], EditOutcome(applied=True, **common)
    if not starts:
        problem = "the search text does not occur in the " + edit.target
        closest = closest_lines(text, edit.search)
    else:
        lines = ", ".join(str(text.count("\n", 0, at) + 1) for at in starts[:10])
        problem = (
            f"the search text occurs {len(starts)} times in the {edit.target} (starting on lines {lines}); "
            "include more surrounding lines so it occurs once"
        )
        closest = None
    return text, EditOutcome(applied=False, problem=problem, closest=closest, **common)


def apply_edits(previous: PythonCodeGenerationResponse, answer: RetryResponse) -> EditedAnswer:
    """``previous`` with ``answer`` applied: whole texts replaced first, then each edit in order.

    An edit that does not match exactly once leaves its target unchanged and is reported in the outcome; the
    edits after it still apply.
    """
    texts = {
        "code": answer.code if answer.code is not None else previous.code,
        "tests": answer.test_code if answer.test_code is not None else previous.test_code,
    }
    outcomes: list[EditOutcome] = []
    for edit in answer.edits or []:
        texts[edit.target], outcome = _apply_one(texts[edit.target], edit)
        outcomes.append(outcome)
    response = PythonCodeGenerationResponse(
        function_name=answer.function_name or previous.function_name,
        code=texts["code"],
        explanation=answer.explanation or previous.explanation,
        dependencies=answer.dependencies if answer.dependencies is not None else previous.dependencies,
        test_code=texts["tests"],
        usage_examples=answer.usage_examples
        if answer.usage_examples is not None
        else list(previous.usage_examples),
    )
    return EditedAnswer(response=response, outcomes=outcomes, whole=answer.is_whole)


def describe_failed(outcomes: list[EditOutcome]) -> str:
    """The prompt section that says which edits of the last answer were not applied, with the closest lines."""
    failed = [(i, o) for i, o in enumerate(outcomes, 1) if not o.applied]
    if not failed:
        return ""
    parts = [f"{len(failed)} of your {len(outcomes)} edit(s) were NOT applied (the others were):"]
    for index, outcome in failed:
        search = outcome.search if len(outcome.search) <= 600 else outcome.search[:600] + "\n[...]"
        parts.append(
            f"- edit {index} ({outcome.target}): {outcome.problem}. Its search text was:\n```\n{search}\n```"
        )
        if outcome.closest:
            parts.append(f"  The closest lines of the {outcome.target} are:\n```\n{outcome.closest}\n```")
    return "\n".join(parts)
