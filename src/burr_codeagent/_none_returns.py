"""The libcst transform behind the ``-> None`` auto-fix, in its own module so libcst loads only when it runs."""

from __future__ import annotations

import libcst as cst

_ALLOWED_DECORATORS = frozenset({"staticmethod", "classmethod"})


class _ReturnsValue(cst.CSTVisitor):
    """Finds ``return <value>``, ``yield`` or ``yield from`` in one function body, not in nested scopes."""

    def __init__(self) -> None:
        self.found = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:  # noqa: N802 - libcst's naming
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:  # noqa: N802 - libcst's naming
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:  # noqa: N802 - libcst's naming
        return False

    def visit_Return(self, node: cst.Return) -> None:  # noqa: N802 - libcst's naming
        if node.value is not None:
            self.found = True

    def visit_Yield(self, node: cst.Yield) -> None:  # noqa: N802 - libcst's naming
        self.found = True


def _is_stub(body: cst.BaseSuite) -> bool:
    """A body of only a docstring, ``pass``, ``...`` or ``raise``: an interface others implement."""
    if isinstance(body, cst.SimpleStatementSuite):
        statements: list[cst.BaseSmallStatement] = list(body.body)
    else:
        lines = list(body.body)
        if not all(isinstance(line, cst.SimpleStatementLine) for line in lines):
            return False
        statements = [s for line in lines if isinstance(line, cst.SimpleStatementLine) for s in line.body]
    return all(
        isinstance(s, cst.Pass | cst.Raise)
        or (
            isinstance(s, cst.Expr)
            and isinstance(s.value, cst.Ellipsis | cst.SimpleString | cst.ConcatenatedString)
        )
        for s in statements
    )


def _decorator_name(decorator: cst.Decorator) -> str:
    node = decorator.decorator
    return node.value if isinstance(node, cst.Name) else ""


class _AddNoneReturn(cst.CSTTransformer):
    def __init__(self) -> None:
        self.changed: list[str] = []

    def leave_FunctionDef(  # noqa: N802 - libcst's naming
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        if original_node.returns is not None:
            return updated_node
        if any(_decorator_name(d) not in _ALLOWED_DECORATORS for d in original_node.decorators):
            return updated_node  # a decorator may read the annotation (FastAPI, typer) or wrap the result
        if _is_stub(original_node.body):
            return updated_node
        finder = _ReturnsValue()
        original_node.body.visit(finder)
        if finder.found:
            return updated_node
        self.changed.append(original_node.name.value)
        return updated_node.with_changes(returns=cst.Annotation(cst.Name("None")))


def add_none_returns(source: str) -> tuple[str, list[str]]:
    """Annotate ``-> None`` on functions that cannot return a value; return the new source and their names.

    Only undecorated functions (``staticmethod``/``classmethod`` allowed) without a return annotation whose own
    body (nested functions, classes and lambdas excluded) has no ``return <value>``, ``yield`` or ``yield from`` and
    is not a stub (only a docstring, ``pass``, ``...`` or ``raise``: an abstract or protocol method that subclasses
    implement with a value). ``None`` needs no import and annotations do not run, so behaviour is unchanged.
    """
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError:
        return source, []
    transformer = _AddNoneReturn()
    updated = module.visit(transformer)
    return (updated.code, transformer.changed) if transformer.changed else (source, [])
