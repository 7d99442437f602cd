"""Mutants of a module, made with :mod:`ast`: small, plausible bugs the tests should notice.

Only code inside functions and methods is mutated (module-level code runs once, at import); docstrings,
annotations, default values, decorators, f-strings and the messages of ``raise``, ``assert``, logging and ``print``
are left alone. Each mutant is the whole module with one edit spliced into the original text, so every line keeps
its number: the sandbox swaps the mutated function's code object in by its qualified name and first line.

Operators: comparison swaps (``<`` / ``<=``, ``==`` / ``!=``, ``in`` / ``not in`` ...), arithmetic swaps
(``+`` / ``-``, ``*`` / ``/``, ``//`` -> ``/`` ...; also in ``+=``), ``and`` / ``or``, a dropped ``not``, integer
constants off by one, negated ``if`` / ``while`` / conditional-expression conditions, ``return x`` ->
``return None``, and ``break`` / ``continue`` swaps.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["Mutant", "generate_mutants"]

_COMPARE: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
_ARITHMETIC: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.Div,
    ast.Pow: ast.Mult,
    ast.LShift: ast.RShift,
    ast.RShift: ast.LShift,
    ast.BitAnd: ast.BitOr,
    ast.BitOr: ast.BitAnd,
    ast.BitXor: ast.BitAnd,
}
_BOOLEAN: dict[type[ast.boolop], type[ast.boolop]] = {ast.And: ast.Or, ast.Or: ast.And}
_MESSAGE_CALLS = frozenset(
    {"print", "debug", "info", "warning", "warn", "error", "exception", "critical", "log", "fail", "skip"}
)
_SHOWN_MAX = 80


@dataclass(frozen=True)
class Mutant:
    """One mutated version of the module.

    ``unit`` is the qualified name of the top-level function or method whose code changes (nested functions are
    part of their enclosing one) and ``first_line`` the line its code object starts on (its first decorator).
    """

    id: int
    unit: str
    first_line: int
    line: int
    operator: str
    before: str
    after: str
    source: str

    @property
    def shown(self) -> tuple[str, str]:
        """The code before and after, on one line each and shortened for messages."""
        return _shorten(self.before), _shorten(self.after)

    @property
    def change(self) -> str:
        """``n > 1`` becomes ``n > 2``."""
        before, after = self.shown
        return f"`{before}` becomes `{after}`"


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 3] + "..."


@dataclass
class _Site:
    operator: str
    holder: Any
    field: str
    index: int | None
    new: Any
    shown: ast.AST  # the node whose text is replaced, and shown in the description


def generate_mutants(code: str) -> list[Mutant]:
    """Every mutant of ``code`` (which must parse), in source order, each compiling and distinct."""
    tree = ast.parse(code)
    splicer = _Splicer(code)
    mutants: list[Mutant] = []
    seen: set[str] = set()
    for unit, first_line, function in _units(tree.body, ""):
        for site in _sites(function):
            mutant = _apply(site, splicer, unit, first_line, len(mutants))
            if mutant is not None and mutant.source not in seen:
                seen.add(mutant.source)
                mutants.append(mutant)
    return mutants


def _units(
    body: list[ast.stmt], prefix: str
) -> Iterator[tuple[str, int, ast.FunctionDef | ast.AsyncFunctionDef]]:
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            yield f"{prefix}{node.name}", first, node
        elif isinstance(node, ast.ClassDef):
            yield from _units(node.body, f"{prefix}{node.name}.")


def _is_message_call(node: ast.Call) -> bool:
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return name in _MESSAGE_CALLS


def _sites(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[_Site]:
    """Mutation sites in a function body, in source order, skipping what is left alone."""
    for statement in function.body:
        yield from _walk(statement, None)


def _walk(node: ast.AST, parent: ast.AST | None) -> Iterator[_Site]:
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return  # docstrings and bare literals
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        body = node.body if isinstance(node.body, list) else [node.body]
        for child in body:
            yield from _walk(child, node)
        return
    if isinstance(node, ast.ClassDef | ast.JoinedStr | ast.Raise):
        return
    yield from _node_sites(node, parent)
    for name, value in ast.iter_fields(node):
        if name in ("annotation", "returns", "type_comment"):
            continue
        if isinstance(node, ast.Assert) and name == "msg":
            continue
        if isinstance(node, ast.Call) and _is_message_call(node) and name in ("args", "keywords"):
            continue
        children = value if isinstance(value, list) else [value]
        for child in children:
            if isinstance(child, ast.AST):
                yield from _walk(child, node)


def _node_sites(node: ast.AST, parent: ast.AST | None) -> Iterator[_Site]:
    if isinstance(node, ast.Compare):
        for index, op in enumerate(node.ops):
            swap = _COMPARE.get(type(op))
            if swap is not None:
                yield _Site("comparison", node.ops, "", index, swap(), node)
    elif isinstance(node, ast.BinOp | ast.AugAssign) and type(node.op) in _ARITHMETIC:
        yield _Site("arithmetic", node, "op", None, _ARITHMETIC[type(node.op)](), node)
    elif isinstance(node, ast.BoolOp):
        yield _Site("boolean", node, "op", None, _BOOLEAN[type(node.op)](), node)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield _Site("not", None, "", None, node.operand, node)
    elif isinstance(node, ast.Constant) and type(node.value) is int:
        shown: ast.AST = node
        if isinstance(parent, ast.BinOp | ast.Compare | ast.UnaryOp | ast.Call | ast.Subscript):
            shown = parent
        yield _Site("constant", node, "value", None, node.value + 1, shown)
    elif isinstance(node, ast.If | ast.While | ast.IfExp) and not _negated(node.test):
        yield _Site("condition", None, "", None, ast.UnaryOp(ast.Not(), node.test), node.test)
    elif isinstance(node, ast.comprehension):
        for condition in node.ifs:
            if not _negated(condition):
                yield _Site("condition", None, "", None, ast.UnaryOp(ast.Not(), condition), condition)
    elif isinstance(node, ast.Return) and node.value is not None:
        if not (isinstance(node.value, ast.Constant) and node.value.value is None):
            yield _Site("return", node, "value", None, ast.Constant(None), node)
    elif isinstance(node, ast.Break):
        yield _Site("loop", None, "", None, ast.Continue(), node)
    elif isinstance(node, ast.Continue):
        yield _Site("loop", None, "", None, ast.Break(), node)


def _negated(test: ast.expr) -> bool:
    return isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)


def _apply(site: _Site, splicer: _Splicer, unit: str, first_line: int, number: int) -> Mutant | None:
    before = ast.unparse(site.shown)
    if site.holder is None:  # the shown node is replaced by a new one
        replacement: ast.AST = site.new
        after = ast.unparse(replacement)
    else:
        old = site.holder[site.index] if site.index is not None else getattr(site.holder, site.field)
        _set(site, site.new)
        try:
            after = ast.unparse(site.shown)
        finally:
            _set(site, old)
    if after == before:
        return None
    source = splicer.splice(site.shown, after)
    if source is None:
        return None
    try:
        compile(source, "solution.py", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None
    line = getattr(site.shown, "lineno", 0)
    return Mutant(number, unit, first_line, line, site.operator, before, after, source)


def _set(site: _Site, value: Any) -> None:
    if site.index is not None:
        site.holder[site.index] = value
    else:
        setattr(site.holder, site.field, value)


class _Splicer:
    """Replaces the text of one node in the original source, keeping every line where it was."""

    def __init__(self, code: str) -> None:
        # bytes.splitlines breaks only at \n, \r\n and \r, as Python counts lines (str.splitlines also at \f ...).
        self.lines = code.encode("utf-8").splitlines(keepends=True)

    def splice(self, node: ast.AST, text: str) -> str | None:
        start: int | None = getattr(node, "lineno", None)
        end: int | None = getattr(node, "end_lineno", None)
        col: int | None = getattr(node, "col_offset", None)
        end_col: int | None = getattr(node, "end_col_offset", None)
        if start is None or end is None or col is None or end_col is None:
            return None
        # The lines the node spanned stay (empty), so every later line keeps its number.
        padding = "\n" * (end - start)
        new = f"({text}{padding})" if isinstance(node, ast.expr) else text + padding
        head = b"".join(self.lines[: start - 1]) + self.lines[start - 1][:col]
        tail = self.lines[end - 1][end_col:] + b"".join(self.lines[end:])
        return (head + new.encode("utf-8") + tail).decode("utf-8")
