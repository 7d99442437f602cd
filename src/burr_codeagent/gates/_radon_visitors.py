"""radon's visitors without the cost of :class:`ast.NodeVisitor`'s compatibility shim for constants.

On Python 3.8-3.13 ``ast.NodeVisitor.visit_Constant`` looks for the deprecated ``visit_Num``/``visit_Str``/...
methods on every constant before falling back to ``generic_visit``; radon's visitors define none of them, so the
lookup always fails -- and a failed attribute lookup per constant is most of the time radon spends on a module made
of literals (a 7,000-line table: 1.4 s of 2.3 s). Giving radon's base visitor a ``visit_Constant`` that goes straight
to ``generic_visit`` is what the shim ends up doing anyway: the metrics are unchanged (tested against plain radon).

The base visitor also gets :class:`ast.NodeVisitor`'s ``visit`` and ``generic_visit`` in a form that does the same
with less per node: the ``visit_<Node>`` method is looked up once per visitor and node class instead of by building
its name on every node, and the children are read without :func:`ast.iter_fields`' generator (a third of radon's
walks over a large module): the children the check's node index keeps on each node, less the operator and context
nodes :func:`ast.parse` shares between trees, which none of radon's visitors looks at. The cyclomatic complexity visitor's own ``generic_visit`` is restated for the pinned
radon in the same spirit (a third of its walk).
"""

from __future__ import annotations

import ast
import functools
from typing import Any

from ._shared import CHILDREN_KEY, SHARED_NODE_CLASSES, child_nodes

__all__ = ["radon_visitors"]

_DEPRECATED_CONSTANT_VISITS = (
    "visit_Num",
    "visit_Str",
    "visit_Bytes",
    "visit_NameConstant",
    "visit_Ellipsis",
)


def _visit_constant(self: Any, node: ast.Constant) -> Any:
    return self.generic_visit(node)


_METHODS: dict[tuple[type, type], Any] = {}


def _visit(self: Any, node: ast.AST) -> Any:
    """``ast.NodeVisitor.visit``: ``visit_<class name>`` if the visitor has one, else ``generic_visit``."""
    kinds = (self.__class__, node.__class__)
    method = _METHODS.get(kinds)
    if method is None:
        method = getattr(kinds[0], "visit_" + kinds[1].__name__, None) or kinds[0].generic_visit
        _METHODS[kinds] = method
    return method(self, node)


def _generic_visit_every_child(self: Any, node: ast.AST) -> None:
    """``ast.NodeVisitor.generic_visit``: visit every child node, field by field, in order."""
    visit, tree_node = self.visit, ast.AST
    for name in node._fields:
        value = getattr(node, name, None)
        if value.__class__ is list:
            for item in value:
                if isinstance(item, tree_node):
                    visit(item)
        elif isinstance(value, tree_node):
            visit(value)


def _generic_visit(self: Any, node: ast.AST) -> None:
    """``ast.NodeVisitor.generic_visit`` less the shared operator and context nodes (see :mod:`._shared`), whose
    visit does nothing in a visitor without a ``visit_`` method for them, from the children kept on the node."""
    visit = self.visit
    children = node.__dict__.get(CHILDREN_KEY)
    for child in child_nodes(node) if children is None else children:
        visit(child)


RADON_VERSION = "6.0.1"
"""The radon release whose ``ComplexityVisitor.generic_visit`` :func:`_complexity_generic_visit` restates (pinned in
pyproject.toml); with another release radon's own is kept."""

_LOOPS = (ast.For, ast.While, ast.AsyncFor)


def _complexity_generic_visit(self: Any, node: ast.AST) -> None:
    """radon 6.0.1's ``ComplexityVisitor.generic_visit`` (the decision points a node adds, the highest line seen),
    deciding by node class instead of comparing class names string by string, and without the ``max_line``
    property's call per node."""
    kind = node.__class__
    line = getattr(node, "lineno", None)
    if line is not None and line > self._max_line:
        self._max_line = line
    if kind is ast.Try:
        self.complexity += len(node.handlers) + bool(node.orelse)  # type: ignore[attr-defined]
    elif kind is ast.BoolOp:
        self.complexity += len(node.values) - 1  # type: ignore[attr-defined]
    elif kind is ast.If or kind is ast.IfExp:
        self.complexity += 1
    elif kind is ast.Match:
        cases = node.cases  # type: ignore[attr-defined]
        catch_all = any(case for case in cases if getattr(case.pattern, "pattern", False) is None)
        self.complexity += max(0, len(cases) - catch_all)
    elif kind in _LOOPS:
        self.complexity += bool(node.orelse) + 1  # type: ignore[attr-defined]
    elif kind is ast.comprehension:
        self.complexity += len(node.ifs) + 1  # type: ignore[attr-defined]
    self._walk_children(node)


@functools.cache
def radon_visitors() -> Any:
    """``radon.visitors``, its base visitor given the direct ``visit_Constant`` (unless some radon visitor defines a
    deprecated constant visit, which the shim would have called: then radon is left as it is) and the lighter
    ``visit`` and ``generic_visit``, once."""
    from radon import visitors

    classes = [visitors.CodeVisitor, visitors.ComplexityVisitor, visitors.HalsteadVisitor]
    if "visit_Constant" not in vars(visitors.CodeVisitor) and not any(
        name in vars(cls) for cls in classes for name in _DEPRECATED_CONSTANT_VISITS
    ):
        visitors.CodeVisitor.visit_Constant = _visit_constant
    # Only where radon relies on ast.NodeVisitor's own (a radon that defines them is left as it is).
    if not any(name in vars(cls) for cls in classes for name in ("visit", "__getattr__")):
        visitors.CodeVisitor.visit = _visit
        if "generic_visit" not in vars(visitors.CodeVisitor):
            # A visitor that does something for an operator or context node must still be shown them.
            sees_shared = any(
                hasattr(cls, f"visit_{kind.__name__}") for cls in classes for kind in SHARED_NODE_CLASSES
            )
            walk = _generic_visit_every_child if sees_shared else _generic_visit
            visitors.CodeVisitor.generic_visit = walk
            visitors.CodeVisitor._walk_children = walk
            if _installed_radon() == RADON_VERSION:
                visitors.ComplexityVisitor.generic_visit = _complexity_generic_visit
    return visitors


def _installed_radon() -> str:
    import radon

    return str(radon.__version__)
