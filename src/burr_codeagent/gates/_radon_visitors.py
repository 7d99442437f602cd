"""radon's visitors without the cost of :class:`ast.NodeVisitor`'s compatibility shim for constants.

On Python 3.8-3.13 ``ast.NodeVisitor.visit_Constant`` looks for the deprecated ``visit_Num``/``visit_Str``/...
methods on every constant before falling back to ``generic_visit``; radon's visitors define none of them, so the
lookup always fails -- and a failed attribute lookup per constant is most of the time radon spends on a module made
of literals (a 7,000-line table: 1.4 s of 2.3 s). Giving radon's base visitor a ``visit_Constant`` that goes straight
to ``generic_visit`` is what the shim ends up doing anyway: the metrics are unchanged (tested against plain radon).
"""

from __future__ import annotations

import ast
import functools
from typing import Any

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


@functools.cache
def radon_visitors() -> Any:
    """``radon.visitors``, its base visitor given the direct ``visit_Constant`` once (unless some radon visitor
    defines a deprecated constant visit, which the shim would have called: then radon is left as it is)."""
    from radon import visitors

    classes = [visitors.CodeVisitor, visitors.ComplexityVisitor, visitors.HalsteadVisitor]
    if "visit_Constant" not in vars(visitors.CodeVisitor) and not any(
        name in vars(cls) for cls in classes for name in _DEPRECATED_CONSTANT_VISITS
    ):
        visitors.CodeVisitor.visit_Constant = _visit_constant
    return visitors
