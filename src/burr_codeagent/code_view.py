"""The previous code and tests as a retry prompt shows them: numbered like the findings, cut only when too large.

The findings' line numbers point into exactly this text (the attempt as checked, after the local auto-fix), so the
model can find each problem and copy exact lines for its edits. When a text does not fit its share of the prompt
budget, whole top-level blocks (functions, classes; methods inside a large class) without findings are replaced by
one line saying which lines were left out; every block with a finding stays whole, even past the budget, so an edit
against it can be written.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from .edits import numbered

__all__ = ["Block", "blocks_of", "show_source"]

ELIDED = "{pad} ... lines {start}-{end} not shown ({what}: no findings, unchanged) ..."


@dataclass(frozen=True)
class Block:
    """Lines ``start``..``end`` (1-based, inclusive) of one statement, with a short name for what it is."""

    start: int
    end: int
    what: str


def _describe(node: ast.stmt) -> str:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return f"def {node.name}"
    if isinstance(node, ast.ClassDef):
        return f"class {node.name}"
    return type(node).__name__.lower()


def _span(node: ast.stmt) -> tuple[int, int]:
    decorators = getattr(node, "decorator_list", [])
    start = min([node.lineno, *(d.lineno for d in decorators)])
    return start, node.end_lineno or node.lineno


def blocks_of(body: Iterable[ast.stmt], first: int, last: int) -> list[Block]:
    """Blocks covering lines ``first``..``last``: each statement of ``body`` with the comments and blank lines
    before it; what follows the last statement joins it."""
    statements = list(body)
    blocks: list[Block] = []
    cursor = first
    for index, node in enumerate(statements):
        _, end = _span(node)
        end = last if index == len(statements) - 1 else end
        blocks.append(Block(cursor, end, _describe(node)))
        cursor = end + 1
    if cursor <= last:
        blocks.append(Block(cursor, last, "trailing lines"))
    return blocks


def _expand(tree: ast.Module, lines: int, marked: Collection[int], budget_lines: int) -> list[Block]:
    """Top-level blocks; a class with findings that is larger than the budget is split into its members."""
    result: list[Block] = []
    statements = {(_span(n)[0]): n for n in tree.body}
    for block in blocks_of(tree.body, 1, lines):
        node = next((n for s, n in statements.items() if block.start <= s <= block.end), None)
        has_marks = any(block.start <= m <= block.end for m in marked)
        size = block.end - block.start + 1
        if isinstance(node, ast.ClassDef) and has_marks and size > budget_lines and len(node.body) > 1:
            head_end = _span(node.body[0])[0] - 1
            result.append(Block(block.start, head_end, f"class {node.name}"))
            for member in blocks_of(node.body, head_end + 1, block.end):
                result.append(Block(member.start, member.end, f"{member.what} in class {node.name}"))
        else:
            result.append(block)
    return result


def show_source(source: str, marked: Collection[int] = (), *, max_chars: int | None = None) -> str:
    """``source`` numbered; over ``max_chars``, blocks without a ``marked`` line are left out, first the largest.

    Text that does not parse is shown whole or cut at a line boundary (its syntax error is what the model must see).
    """
    whole = numbered(source)
    if max_chars is None or len(whole) <= max_chars:
        return whole
    lines = source.splitlines()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return _cut(whole, max_chars)
    width = len(str(max(len(lines), 1)))
    rendered = whole.splitlines()
    chars_per_line = max(1, len(whole) // max(len(lines), 1))
    blocks = _expand(tree, len(lines), marked, max_chars // chars_per_line)
    sizes = {b: sum(len(rendered[i - 1]) + 1 for i in range(b.start, b.end + 1)) for b in blocks}
    total = sum(sizes.values())
    keep_first = {blocks[0]} if blocks else set()  # the module docstring and imports give the context
    removable = sorted(
        (b for b in blocks if b not in keep_first and not any(b.start <= m <= b.end for m in marked)),
        key=lambda b: -sizes[b],
    )
    left_out: set[Block] = set()
    for block in removable:
        if total <= max_chars:
            break
        left_out.add(block)
        total -= sizes[block] - 60
    parts: list[str] = []
    for block in blocks:
        if block in left_out:
            pad = " " * width
            parts.append(ELIDED.format(pad=pad, start=block.start, end=block.end, what=block.what))
        else:
            parts.extend(rendered[block.start - 1 : block.end])
    return "\n".join(parts)


def _cut(text: str, max_chars: int) -> str:
    kept = text[:max_chars].rsplit("\n", 1)[0]
    shown = kept.count("\n") + 1
    return f"{kept}\n ... the remaining {text.count(chr(10)) + 1 - shown} lines are not shown ..."
