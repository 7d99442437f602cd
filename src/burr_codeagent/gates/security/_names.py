"""Small syntax-tree helpers the security rules share: import resolution, scopes, bindings and name words."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from .._shared import child_nodes

__all__ = [
    "Scope",
    "assignments",
    "dotted",
    "import_aliases",
    "index_scopes",
    "is_none",
    "is_text",
    "keyword",
    "target_names",
    "words",
]

Scope = ast.Module | ast.FunctionDef | ast.AsyncFunctionDef

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def index_scopes(tree: ast.Module) -> dict[Scope, list[ast.AST]]:
    """Every node of the module in one traversal, grouped by the function (or module) whose own code it is.

    A nested function is a scope of its own; class bodies belong to the enclosing scope's list but their methods
    are scopes.
    """
    scopes: dict[Scope, list[ast.AST]] = {tree: []}
    stack: list[tuple[ast.AST, Scope]] = [(child, tree) for child in child_nodes(tree)]
    while stack:
        node, scope = stack.pop()
        scopes[scope].append(node)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            scopes[node] = []
            scope = node
        stack.extend((child, scope) for child in child_nodes(node))
    return scopes


def import_aliases(nodes: list[ast.AST]) -> dict[str, str]:
    """Local name -> dotted origin, for every import anywhere in the module."""
    aliases: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    aliases[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def dotted(node: ast.expr, aliases: dict[str, str]) -> str | None:
    """``a.b.c`` for a name or attribute chain, with the first part resolved through the imports."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(aliases.get(node.id, node.id))
    return ".".join(reversed(parts))


def words(identifier: str) -> list[str]:
    """The lower-case words of a snake_case, camelCase or UPPER_CASE identifier."""
    return [w.lower() for w in _WORD.findall(identifier)]


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    """The keyword argument ``name`` of ``call``, if given."""
    return next((k for k in call.keywords if k.arg == name), None)


def is_none(node: ast.expr | None) -> bool:
    """Whether ``node`` is the literal ``None``."""
    return isinstance(node, ast.Constant) and node.value is None


def is_text(node: ast.expr) -> bool:
    """A string literal or an f-string."""
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)) or isinstance(node, ast.JoinedStr)


_BINDERS = (
    ast.Assign,
    ast.AnnAssign,
    ast.AugAssign,
    ast.NamedExpr,
    ast.For,
    ast.AsyncFor,
    ast.comprehension,
    ast.withitem,
)


def assignments(node: ast.AST) -> Iterator[tuple[str, ast.expr]]:
    """(name, value) for every name ``node`` binds: assignments, loops, ``with ... as``, walrus."""
    if not isinstance(node, _BINDERS):
        return
    if isinstance(node, ast.Assign):
        for target in node.targets:
            for name in target_names(target):
                yield name, node.value
    elif isinstance(node, ast.AnnAssign | ast.AugAssign) and node.value is not None:
        for name in target_names(node.target):
            yield name, node.value
    elif isinstance(node, ast.NamedExpr):
        yield node.target.id, node.value
    elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
        for name in target_names(node.target):
            yield name, node.iter
    elif isinstance(node, ast.withitem) and node.optional_vars is not None:
        for name in target_names(node.optional_vars):
            yield name, node.context_expr


def target_names(target: ast.expr) -> Iterator[str]:
    """The plain names an assignment target binds (``a``, ``a, *b``); attributes and subscripts bind none."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from target_names(element)
    elif isinstance(target, ast.Starred):
        yield from target_names(target.value)
