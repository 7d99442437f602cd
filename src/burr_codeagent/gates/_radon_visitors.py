"""radon's visitors without the cost of :class:`ast.NodeVisitor`'s compatibility shim for constants.

On Python 3.8-3.13 ``ast.NodeVisitor.visit_Constant`` looks for the deprecated ``visit_Num``/``visit_Str``/...
methods on every constant before falling back to ``generic_visit``; radon's visitors define none of them, so the
lookup always fails -- and a failed attribute lookup per constant is most of the time radon spends on a module made
of literals (a 7,000-line table: 1.4 s of 2.3 s). Giving radon's base visitor a ``visit_Constant`` that goes straight
to ``generic_visit`` is what the shim ends up doing anyway: the metrics are unchanged (tested against plain radon).

The base visitor also gets :class:`ast.NodeVisitor`'s ``visit`` and ``generic_visit`` in a form that does the same with
less per node: the ``visit_<Node>`` method is looked up once per visitor and node class instead of by building its name
on every node, and the children are read without :func:`ast.iter_fields`' generator (a third of radon's walks over a
large module): the children the check's node index keeps on each node, less the operator and context nodes
:func:`ast.parse` shares between trees, which none of radon's visitors looks at. The cyclomatic complexity visitor's own
``generic_visit`` is restated for the pinned radon in the same spirit (a third of its walk), walking the nodes it would
be called for again itself, from a stack.
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
    property's call per node.

    The nodes below ``node`` that would come back here (all but functions, classes and ``assert``, whose
    ``visit_`` methods are called) are walked in this same call, from a stack, in the order the recursive walk
    visits them: three calls per node less, and the ``visit_`` methods are called in the same order as before
    (radon lists functions as it meets them)."""
    cls, root = self.__class__, node
    steps = _COMPLEXITY_STEPS.get(cls)
    if steps is None:
        steps = _COMPLEXITY_STEPS[cls] = {}
    highest = self._max_line
    stack = [node]
    while stack:
        node = stack.pop()
        kind = node.__class__
        if node is not root:
            step = steps.get(kind)
            if step is None:
                step = steps[kind] = _complexity_step(cls, kind)
            if step is not _IN_PLACE:
                self._max_line = highest
                step(self, node)
                highest = self._max_line
                continue
        line = getattr(node, "lineno", None)
        if line is not None and line > highest:
            highest = line
        if kind in _DECISIONS:
            self.complexity += _decision_points(node, kind)
        children = node.__dict__.get(CHILDREN_KEY)
        if children is None:
            children = child_nodes(node)
        if children:
            stack.extend(reversed(children))
    self._max_line = highest


_DECISIONS = frozenset({ast.Try, ast.BoolOp, ast.If, ast.IfExp, ast.Match, *_LOOPS, ast.comprehension})
"""The node classes that add decision points (most nodes add none)."""


def _decision_points(node: Any, kind: type) -> int:
    """The decision points radon counts for ``node`` (of a :data:`_DECISIONS` class)."""
    if kind is ast.Try:
        return len(node.handlers) + bool(node.orelse)
    if kind is ast.BoolOp:
        return len(node.values) - 1
    if kind is ast.If or kind is ast.IfExp:
        return 1
    if kind is ast.Match:
        cases = node.cases
        catch_all = any(case for case in cases if getattr(case.pattern, "pattern", False) is None)
        return max(0, len(cases) - catch_all)
    if kind in _LOOPS:
        return bool(node.orelse) + 1
    return len(node.ifs) + 1  # a comprehension


_IN_PLACE = object()
"""A node :func:`_complexity_generic_visit` walks itself (``visit`` would have sent it to ``generic_visit``)."""
_COMPLEXITY_STEPS: dict[type, dict[type, Any]] = {}
"""Visitor class -> node class -> :func:`_complexity_step`."""


def _complexity_step(visitor: Any, kind: type) -> Any:
    """What ``visit`` does with a ``kind`` node in a ``visitor``: :data:`_IN_PLACE` when that is the complexity
    ``generic_visit`` (directly, or through the direct constant visit), else the ``visit_`` method to call."""
    method = getattr(visitor, "visit_" + kind.__name__, None) or visitor.generic_visit
    if method is _visit_constant:
        method = visitor.generic_visit
    return _IN_PLACE if method is _complexity_generic_visit else method


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
            # Its walk in place leaves the shared nodes out as _generic_visit does.
            if _installed_radon() == RADON_VERSION and not sees_shared:
                visitors.ComplexityVisitor.generic_visit = _complexity_generic_visit
    return visitors


def _installed_radon() -> str:
    import radon

    return str(radon.__version__)
