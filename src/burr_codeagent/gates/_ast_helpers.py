"""Small ``ast`` helpers shared by the syntax-tree gates (private: not a plugin module)."""

from __future__ import annotations

import ast
import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from ._shared import CHILDREN_KEY, child_nodes

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_SCOPE_CLASSES = frozenset(_SCOPES)  # exact classes: ast.parse makes no subclasses


@dataclass(frozen=True)
class FunctionInfo:
    """A function or method, with the class that defines it (None for module-level functions)."""

    node: FunctionNode
    owner: ast.ClassDef | None

    @property
    def qualname(self) -> str:
        """``Class.method`` or ``function``."""
        return f"{self.owner.name}.{self.node.name}" if self.owner else self.node.name

    @property
    def is_method(self) -> bool:
        """Defined directly in a class body."""
        return self.owner is not None

    @property
    def is_static(self) -> bool:
        """Decorated with ``@staticmethod`` (so it has no ``self``/``cls``)."""
        return "staticmethod" in decorator_names(self.node)

    def parameters(self) -> list[ast.arg]:
        """Every parameter, without the implicit ``self``/``cls`` of a method."""
        args = self.node.args
        positional = [*args.posonlyargs, *args.args]
        if self.is_method and not self.is_static and positional:
            positional = positional[1:]
        extra = [a for a in (args.vararg, args.kwarg) if a is not None]
        return [*positional, *args.kwonlyargs, *extra]


def is_public(name: str) -> bool:
    """Public API: no leading underscore, or a dunder such as ``__init__``."""
    return not name.startswith("_") or is_dunder(name)


def is_dunder(name: str) -> bool:
    """``__name__``-shaped."""
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def decorator_names(node: FunctionNode | ast.ClassDef) -> set[str]:
    """The last dotted component of each decorator (``functools.lru_cache(...)`` -> ``lru_cache``)."""
    names = set()
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Name):
            names.add(target.id)
        elif isinstance(target, ast.Attribute):
            names.add(target.attr)
    return names


def public_functions(tree: ast.Module, *, include_private: bool = False) -> Iterator[FunctionInfo]:
    """Module-level functions and methods of public classes; never functions nested in functions."""
    yield from _functions_in(tree.body, None, include_private)


def _functions_in(
    body: list[ast.stmt], owner: ast.ClassDef | None, include_private: bool
) -> Iterator[FunctionInfo]:
    for stmt in body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            if include_private or is_public(stmt.name):
                yield FunctionInfo(stmt, owner)
        elif isinstance(stmt, ast.ClassDef) and (include_private or is_public(stmt.name)):
            yield from _functions_in(stmt.body, stmt, include_private)
        elif isinstance(stmt, ast.If | ast.Try):
            # ``if TYPE_CHECKING:`` / ``try: import x`` blocks still define module-level API.
            blocks = [stmt.body, stmt.orelse]
            if isinstance(stmt, ast.Try):
                blocks += [stmt.finalbody, *(h.body for h in stmt.handlers)]
            for block in blocks:
                yield from _functions_in(block, owner, include_private)


def public_classes(tree: ast.Module) -> Iterator[ast.ClassDef]:
    """Public classes at module level and public classes nested in them."""
    stack = [s for s in tree.body if isinstance(s, ast.ClassDef)]
    while stack:
        cls = stack.pop(0)
        if is_public(cls.name):
            yield cls
            stack.extend(s for s in cls.body if isinstance(s, ast.ClassDef))


def walk_scope(node: ast.AST) -> Iterator[ast.AST]:
    """:func:`ast.walk` below ``node`` without descending into nested functions, classes or lambdas (and without
    the shared operator and context nodes, see :mod:`._shared`)."""
    # Gates walk the same scopes many times (once per loop, per rule); trees are never mutated, so the walk is
    # kept on the node itself and lives exactly as long as the tree (a cache keyed by nodes kept old trees alive).
    found = node.__dict__.get(_SCOPE_NODES)
    if found is None:
        found = _scope_nodes(node)
        setattr(node, _SCOPE_NODES, found)
    return iter(found)


_SCOPE_NODES = "_codeagent_scope_nodes"


def _scope_nodes(node: ast.AST) -> tuple[ast.AST, ...]:
    found: list[ast.AST] = []
    stack = list(reversed(child_nodes(node)))
    pop, append, extend = stack.pop, found.append, stack.extend
    scopes = _SCOPE_CLASSES
    while stack:  # depth first, in source order
        child = pop()
        append(child)
        if child.__class__ not in scopes:
            children = child.__dict__.get(CHILDREN_KEY)
            if children is None:
                children = child_nodes(child)
            if children:
                extend(children[::-1])
    return tuple(found)


def dotted_name(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of names and attributes, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def import_aliases(nodes: Iterable[ast.AST]) -> dict[str, str]:
    """Local name -> qualified name for every import among ``nodes`` (``from time import sleep as nap``), later
    imports winning: pass the module's nodes in :func:`ast.walk` order."""
    aliases: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                aliases[local] = alias.name if alias.asname else local
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def resolve_call(call: ast.Call, aliases: dict[str, str]) -> str | None:
    """The fully qualified name a call goes to, as far as imports tell (``t.sleep`` -> ``time.sleep``)."""
    name = dotted_name(call.func)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    resolved = aliases.get(head, head)
    return f"{resolved}.{rest}" if rest else resolved


def function_returns_value(node: FunctionNode) -> bool:
    """Some ``return`` in the function's own body returns something other than a bare ``None``."""
    for child in walk_scope(node):
        if isinstance(child, ast.Return) and child.value is not None and not _is_none(child.value):
            return True
    return False


def is_generator(node: FunctionNode) -> bool:
    """The function's own body yields."""
    return any(isinstance(child, ast.Yield | ast.YieldFrom) for child in walk_scope(node))


def is_stub(node: FunctionNode) -> bool:
    """The body is only a docstring, ``...``, ``pass`` or ``raise NotImplementedError``."""
    body = list(node.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    for stmt in body:
        if isinstance(stmt, ast.Pass) or is_constant_expr(stmt):
            continue
        if isinstance(stmt, ast.Raise) and stmt.exc is not None and _names_not_implemented(stmt.exc):
            continue
        return False
    return True


def _names_not_implemented(exc: ast.expr) -> bool:
    target = exc.func if isinstance(exc, ast.Call) else exc
    return isinstance(target, ast.Name) and target.id == "NotImplementedError"


def def_span(node: FunctionNode | ast.ClassDef) -> ast.AST:
    """A node spanning only ``def name`` / ``class name`` on the definition line, not the whole body."""
    keyword = "class " if isinstance(node, ast.ClassDef) else "def "
    if isinstance(node, ast.AsyncFunctionDef):
        keyword = "async def "
    span = ast.Name(id=node.name)
    span.lineno = span.end_lineno = node.lineno
    span.col_offset = node.col_offset
    span.end_col_offset = node.col_offset + len(keyword) + len(node.name)
    return span


def is_constant_expr(stmt: ast.stmt) -> bool:
    """A bare constant statement: ``...``, a string, a number."""
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def may_hold_line(lines: Sequence[int] | None, node: ast.AST) -> bool:
    """Whether one of ``lines`` (sorted; None: unknown) falls within ``node``'s lines, a function's decorators
    included: a node that holds none of the lines where some kind of node starts surely holds no such node."""
    start, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
    if lines is None or start is None or end is None:
        return True
    for decorator in getattr(node, "decorator_list", ()):
        start = min(start, decorator.lineno)
    at = bisect.bisect_left(lines, start)
    return at < len(lines) and lines[at] <= end
