"""Small syntax-tree helpers the security rules share: import resolution, scopes, bindings and name words."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from typing import Any, TypeVar, cast, overload

from .._shared import CHILDREN_KEY, child_nodes

__all__ = [
    "Scope",
    "ScopeNodes",
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
_Node = TypeVar("_Node", bound=ast.AST)

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


class ScopeNodes(list[ast.AST]):
    """One scope's own nodes in traversal order, and the same nodes grouped by exact type (:meth:`of`), so a rule
    looks only at the kinds of node it is about instead of testing every node of the scope."""

    def __init__(self) -> None:
        super().__init__()
        self.by_type: dict[type[ast.AST], list[ast.AST]] = {}

    @overload
    def of(self, kind: type[_Node], /) -> list[_Node]: ...

    @overload
    def of(self, *kinds: type[ast.AST]) -> list[ast.AST]: ...

    def of(self, *kinds: type[ast.AST]) -> list[Any]:
        """The nodes of any of ``kinds`` (exact node classes), in traversal order."""
        present = [kind for kind in kinds if kind in self.by_type]
        if len(present) == 1:
            return self.by_type[present[0]]
        if not present:
            return []
        wanted = frozenset(present)
        return [node for node in self if node.__class__ in wanted]


def index_scopes(tree: ast.Module) -> dict[Scope, ScopeNodes]:
    """Every node of the module in one traversal, grouped by the function (or module) whose own code it is.

    A nested function is a scope of its own; class bodies belong to the enclosing scope's list but their methods
    are scopes. Each list is in depth-first order, last child first.
    """
    scopes: dict[Scope, ScopeNodes] = {tree: ScopeNodes()}
    _fill_scope(tree, scopes)
    return scopes


def _fill_scope(scope: Scope, scopes: dict[Scope, ScopeNodes]) -> None:
    own = scopes[scope]
    append, groups = own.append, own.by_type
    stack = list(child_nodes(scope))
    pop, extend = stack.pop, stack.extend
    while stack:
        node = pop()
        append(node)
        kind = node.__class__
        group = groups.get(kind)
        if group is None:
            groups[kind] = [node]
        else:
            group.append(node)
        if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:  # ast.parse makes no subclasses
            function = cast(Scope, node)
            scopes[function] = ScopeNodes()
            _fill_scope(function, scopes)
        else:
            children = node.__dict__.get(CHILDREN_KEY)
            extend(child_nodes(node) if children is None else children)


def import_aliases(nodes: list[ast.AST]) -> dict[str, str]:
    """Local name -> dotted origin, for every import among ``nodes`` (later ones win)."""
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


@functools.lru_cache(maxsize=8192)
def words(identifier: str) -> tuple[str, ...]:
    """The lower-case words of a snake_case, camelCase or UPPER_CASE identifier (memoised: rules ask about the same
    names over and over)."""
    return tuple(w.lower() for w in _WORD.findall(identifier))


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
