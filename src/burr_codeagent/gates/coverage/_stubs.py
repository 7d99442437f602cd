"""Lines that exist only for the type checker, so no test can or should run them.

Coverage leaves them out, as it leaves out lines its ``exclude_lines`` patterns match: the bodies of ``Protocol``
methods, ``@overload`` stubs, functions whose body is only ``...``, ``if TYPE_CHECKING:`` blocks, and abstract
methods whose body is only ``...``, ``pass`` or ``raise NotImplementedError``. Found on the syntax tree, so the
spelling (``typing.Protocol``, ``Protocol[T]``, ``abc.abstractmethod``) does not matter.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

__all__ = ["typing_only_lines"]

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def typing_only_lines(tree: ast.Module | None) -> frozenset[int]:
    """Every line of the typing-only blocks and stub bodies in ``tree`` (empty when it did not parse)."""
    if tree is None:
        return frozenset()
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            lines.update(_span(node.body))
        elif isinstance(node, ast.ClassDef) and _is_protocol(node):
            for method in _methods(node):
                lines.update(_span(method.body))
        if isinstance(node, FunctionNode) and _is_stub(node):
            lines.update(_span(node.body))
    return frozenset(lines)


def _is_protocol(node: ast.ClassDef) -> bool:
    return any(_name(_unsubscript(base)) == "Protocol" for base in node.bases)


def _methods(node: ast.ClassDef) -> Iterator[FunctionNode]:
    return (item for item in node.body if isinstance(item, FunctionNode))


def _is_stub(node: FunctionNode) -> bool:
    decorators = {_name(d) for d in node.decorator_list}
    if "overload" in decorators:
        return True
    body = _without_docstring(node.body)
    if body and all(_is_ellipsis(stmt) for stmt in body):
        return True
    abstract = decorators & {
        "abstractmethod",
        "abstractproperty",
        "abstractclassmethod",
        "abstractstaticmethod",
    }
    return bool(abstract) and len(body) == 1 and _is_placeholder(body[0])


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    first = body[0] if body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return body[1:]
    return body


def _is_ellipsis(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and stmt.value.value is Ellipsis
    )


def _is_placeholder(stmt: ast.stmt) -> bool:
    if _is_ellipsis(stmt) or isinstance(stmt, ast.Pass):
        return True
    if isinstance(stmt, ast.Raise) and stmt.exc is not None:
        raised = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
        return _name(raised) == "NotImplementedError"
    return False


def _is_type_checking(test: ast.expr) -> bool:
    return _name(test) == "TYPE_CHECKING"


def _unsubscript(node: ast.expr) -> ast.expr:
    return node.value if isinstance(node, ast.Subscript) else node


def _name(node: ast.expr) -> str | None:
    """``overload`` for ``overload``, ``typing.overload``, ``overload()``; None for anything else."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _span(body: list[ast.stmt]) -> Iterator[int]:
    for stmt in body:
        yield from range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1)
