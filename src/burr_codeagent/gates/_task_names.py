"""Identifiers a task's own words impose on the code: "write `minSubArraySum(nums)`", a ``def`` line in the prompt.

Read from three shapes, because that is how tasks name what they want: code in backticks (every identifier in
it), call shapes in the prose (``parseHTML(text)``: the name and its parameter names), and ``def``/``class`` lines
(a signature the task hands over, as HumanEval prompts do). Renaming any of them would break the contract the code
is judged by, so the naming rules leave them alone. A plain English word caught on the way (``sum(`` in "the
sum(s)") is harmless: only names that break PEP 8 are ever reported.
"""

from __future__ import annotations

import ast
import re

__all__ = ["task_names"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BACKTICKED = re.compile(r"`+([^`\n]+)`+")
_CALL = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\(([^()\n]{0,200})\)")
_DEFINITION = re.compile(
    r"^\s*(?:async\s+)?(?:def|class)\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*))?", re.MULTILINE
)
_MAX_TASK_CHARS = 200_000  # a task is prose and a signature or two; the rest of a huge paste is not read
_KEYWORDS = frozenset(
    {"def", "class", "async", "return", "lambda", "None", "True", "False", "import", "from"}
)


def task_names(task: str | None) -> frozenset[str]:
    """Every identifier ``task`` imposes (empty for no task)."""
    if not task:
        return frozenset()
    text = task[:_MAX_TASK_CHARS]
    names: set[str] = set()
    for match in _BACKTICKED.finditer(text):
        names.update(_IDENTIFIER.findall(match.group(1)))
    for match in _CALL.finditer(text):
        names.add(match.group(1))
        names.update(_parameters(match.group(2)))
    for match in _DEFINITION.finditer(text):
        names.add(match.group(1))
        if match.group(2) is not None:
            names.update(_parameters(match.group(2).rsplit(")", 1)[0]))
    return frozenset(names - _KEYWORDS)


def _parameters(text: str) -> set[str]:
    """The parameter names of ``text`` read as a parameter list (``nums: list[int], k=3``), else the bare
    identifiers that stand alone as arguments (``arr, k`` in a call shape)."""
    try:
        tree = ast.parse(f"def _({text}): pass")
    except (SyntaxError, ValueError):
        tree = None
    if tree is not None and isinstance(tree.body[0], ast.FunctionDef):
        args = tree.body[0].args
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        return {a.arg for a in every if a is not None}
    return {part.strip() for part in text.split(",") if _IDENTIFIER.fullmatch(part.strip())}
