"""Let tests import the module under test by its own name while the sandbox still calls it ``solution``.

The checker writes the code as ``solution.py`` (generated code has no other name). A project's tests say
``from mymodule import f`` or ``import mymodule``; :func:`alias_module_imports` rewrites exactly those import
statements (found on the syntax tree with libcst, so comments, strings and layout are untouched) to import
``solution`` under the name the tests use. Line numbers do not change, so findings on the tests still point at the
right lines.

A dotted name (a module inside a project, ``pkg.mod``) is aliased the same way for ``from pkg.mod import f``,
``import pkg.mod as m`` and ``from pkg import mod``; ``import pkg.mod`` binds ``pkg`` and is left alone.
"""

from __future__ import annotations

import libcst as cst

from ..module_under_test import valid_module_name

__all__ = ["SOLUTION", "alias_module_imports"]

SOLUTION = "solution"


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


class _Rename(cst.CSTTransformer):
    def __init__(self, module: str) -> None:
        self.module = module

    def leave_ImportFrom(  # noqa: N802 - libcst naming
        self, original: cst.ImportFrom, updated: cst.ImportFrom
    ) -> cst.BaseSmallStatement:
        if updated.relative or updated.module is None:
            return updated
        dotted = _dotted(updated.module)
        if dotted == self.module:
            return updated.with_changes(module=cst.Name(SOLUTION))
        parent, _, leaf = self.module.rpartition(".")
        names = updated.names
        if parent and dotted == parent and not isinstance(names, cst.ImportStar) and len(names) == 1:
            alias = names[0]
            if _dotted(alias.name) == leaf:  # `from pkg import mod [as m]` -> `import solution as mod|m`
                asname = alias.asname or cst.AsName(name=cst.Name(leaf))
                return cst.Import(names=[cst.ImportAlias(name=cst.Name(SOLUTION), asname=asname)])
        return updated

    def leave_Import(self, original: cst.Import, updated: cst.Import) -> cst.Import:  # noqa: N802
        names = []
        for alias in updated.names:
            dotted = "." in self.module
            if _dotted(alias.name) == self.module and not (dotted and alias.asname is None):
                asname = alias.asname or cst.AsName(name=cst.Name(self.module))
                alias = alias.with_changes(name=cst.Name(SOLUTION), asname=asname)
            names.append(alias)
        return updated.with_changes(names=names)


def alias_module_imports(test_code: str, module: str) -> str:
    """``test_code`` with its imports of ``module`` turned into imports of ``solution``.

    Code that does not parse, or a ``module`` that is already ``solution`` or is no module name, is returned
    unchanged (the syntax gate reports the parse error on the original text).

    Example:
        >>> alias_module_imports("from shapes import area\\nimport shapes\\n", "shapes")
        'from solution import area\\nimport solution as shapes\\n'
    """
    if module == SOLUTION or not valid_module_name(module):
        return test_code
    try:
        tree = cst.parse_module(test_code)
    except cst.ParserSyntaxError:
        return test_code
    return tree.visit(_Rename(module)).code
