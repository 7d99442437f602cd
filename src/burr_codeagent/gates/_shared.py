"""The work every syntax-tree gate would otherwise repeat, done once per check: one index of the nodes by type
(in :func:`ast.walk` order, with each node's position in that walk) and one tokenize pass (private helpers of
:class:`~burr_codeagent.gates.base.GateContext`).

Walks here leave out the operator and expression-context nodes (``Load``, ``Store``, ``Add``, ``Eq`` ...): a third
of a tree's nodes, childless, and one instance of each shared by every tree :func:`ast.parse` returns, so as nodes
they say nothing; rules read them from their parent (``node.op``, ``node.ctx``)."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections import deque
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CHILDREN_KEY",
    "NODE_FIELDS",
    "SHARED_NODE_CLASSES",
    "NodeIndex",
    "Tokens",
    "child_nodes",
    "index_nodes",
    "node_fields",
    "tokens_of",
]

SHARED_NODE_CLASSES = frozenset(
    kind
    for base in (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)
    for kind in base.__subclasses__()
)
"""Operators and expression contexts: :func:`ast.parse` hands out one instance of each for every tree."""


def child_nodes(node: ast.AST) -> tuple[ast.AST, ...]:
    """The direct children of ``node``, in :func:`ast.iter_child_nodes` order (without its per-field overhead),
    less the shared operator and context nodes.

    Kept on the node (trees are never mutated; the tuple lives exactly as long as the tree): the gates ask for the
    same nodes' children over and over (scope walks, the taint and sanitiser walks), and :func:`index_nodes` finds
    every node's children on its way anyway."""
    found: tuple[ast.AST, ...] | None = node.__dict__.get(CHILDREN_KEY)
    if found is None:
        found = node.__dict__[CHILDREN_KEY] = _children(node)
    return found


CHILDREN_KEY = "_codeagent_children"
"""Where :func:`child_nodes` keeps a node's children in its ``__dict__``: the walks that run once per node read them
from there directly (``node.__dict__.get(CHILDREN_KEY)``, :func:`child_nodes` when None), sparing a call per node."""
_NO_CHILDREN: tuple[ast.AST, ...] = ()


def _children(node: ast.AST) -> tuple[ast.AST, ...]:
    plan = _CHILD_PLANS.get(node.__class__, _UNPLANNED)
    if plan is _UNPLANNED:
        plan = _CHILD_PLANS[node.__class__] = _child_plan(node.__class__)
    if plan is None:
        return _checked_children(node)
    if not plan:
        return _NO_CHILDREN  # a name, a constant, ``pass``...: half of a tree's nodes
    found: list[ast.AST] = []
    for name, many in plan:
        value = getattr(node, name, None)
        if many:
            if value:
                # ``None`` holds a place in a few lists (``Dict.keys`` for ``**``, keyword-only defaults)
                found.extend(value if None not in value else [item for item in value if item is not None])
        elif value is not None:
            found.append(value)
    return tuple(found) if found else _NO_CHILDREN


def _checked_children(node: ast.AST) -> tuple[ast.AST, ...]:
    """The children of a node whose class's grammar line could not be read: every field, checked item by item."""
    found: list[ast.AST] = []
    shared = SHARED_NODE_CLASSES
    for name in node_fields(node.__class__):
        value = getattr(node, name, None)
        if value.__class__ is list:
            found.extend(
                [item for item in value if isinstance(item, ast.AST) and item.__class__ not in shared]
            )
        elif isinstance(value, ast.AST) and value.__class__ not in shared:
            found.append(value)
    return tuple(found) if found else _NO_CHILDREN


_UNPLANNED: Any = object()
_CHILD_PLANS: dict[type, tuple[tuple[str, bool], ...] | None] = {}
"""Node class -> its fields that hold nodes, each with whether it holds a list (``expr*``) or one node or None
(``expr``, ``expr?``), from its grammar line; None when that line does not name exactly the class's fields. The
grammar's node fields hold nodes of its own classes (never the shared ones, whose fields are left out), so their
items need no check."""


def _child_plan(kind: type) -> tuple[tuple[str, bool], ...] | None:
    declared = _grammar_fields(kind)
    if declared is None:
        return None
    return tuple(
        (name, type_.endswith("*")) for type_, name in declared if type_.rstrip("*?") not in _LEAF_FIELD_TYPES
    )


# The field types of the ASDL grammar that never hold a node (``identifier id``, ``constant value``, ``int level``)
# or only hold the shared operator and context nodes (``expr_context ctx``, ``cmpop* ops``).
_LEAF_FIELD_TYPES = frozenset(
    {"identifier", "constant", "int", "string", "expr_context", "boolop", "operator", "unaryop", "cmpop"}
)
NODE_FIELDS: dict[type, tuple[str, ...]] = {}
"""Node class -> :func:`node_fields`, for the walks that look it up once per node."""
_SIGNATURE = re.compile(r"(\w+)\((.*)\)")


def node_fields(kind: type) -> tuple[str, ...]:
    """The fields of node class ``kind`` that may hold child nodes other than the shared operator and context
    nodes, read from the grammar line :mod:`ast` gives each class as its docstring (``BinOp(expr left, operator
    op, expr right)``); every field when that line is missing or does not name exactly the class's fields."""
    found = NODE_FIELDS.get(kind)
    if found is None:
        found = NODE_FIELDS[kind] = _declared_node_fields(kind)
    return found


def _declared_node_fields(kind: type) -> tuple[str, ...]:
    plan = _child_plan(kind)
    if plan is None:
        return tuple(getattr(kind, "_fields", ()))
    return tuple(name for name, _ in plan)


def _grammar_fields(kind: type) -> list[tuple[str, str]] | None:
    """(type, name) of each field on the grammar line of node class ``kind``; None when the line is missing or
    does not name exactly the class's fields."""
    every: tuple[str, ...] = tuple(getattr(kind, "_fields", ()))
    match = _SIGNATURE.fullmatch((kind.__doc__ or "").split("\n", 1)[0])
    if match is None or match.group(1) != kind.__name__:
        return None
    declared = [tuple(part.split(" ")) for part in match.group(2).split(", ")] if match.group(2) else []
    if any(len(part) != 2 for part in declared) or tuple(part[1] for part in declared) != every:
        return None
    return [(type_, name) for type_, name in declared]


@dataclass
class NodeIndex:
    """Every node of a tree (but the shared operator and context nodes) grouped by exact type, each group in
    :func:`ast.walk` order."""

    by_type: dict[type[ast.AST], list[ast.AST]] = field(default_factory=dict)
    position: dict[int, int] = field(default_factory=dict)
    """``id(node)`` -> its place in the walk, to merge groups back into walk order."""

    def of(self, *kinds: type[ast.AST]) -> list[ast.AST]:
        """The nodes of any of ``kinds`` (exact types), in walk order."""
        found = [node for kind in kinds for node in self.by_type.get(kind, ())]
        if len(kinds) > 1:
            found.sort(key=lambda node: self.position[id(node)])
        return found


def index_nodes(tree: ast.AST | None) -> NodeIndex:
    """One breadth-first pass over ``tree``, visiting nodes in exactly the order :func:`ast.walk` does (less the
    shared operator and context nodes)."""
    index = NodeIndex()
    if tree is None:
        return index
    by_type, position = index.by_type, index.position
    queue = deque([tree])
    popleft, extend = queue.popleft, queue.extend
    count = 0
    while queue:
        node = popleft()
        kind = type(node)
        group = by_type.get(kind)
        if group is None:
            by_type[kind] = [node]
        else:
            group.append(node)
        position[id(node)] = count
        count += 1
        children = node.__dict__.get(CHILDREN_KEY)
        if children is None:
            children = node.__dict__[CHILDREN_KEY] = _children(node)
        extend(children)
    return index


@dataclass(frozen=True)
class Tokens:
    """The tokens of a source, as far as it tokenizes (``complete`` False: tokenizing stopped at an error)."""

    tokens: tuple[tokenize.TokenInfo, ...]
    complete: bool


def tokens_of(source: str) -> Tokens:
    """Every token of ``source`` up to the first tokenizing error, if any."""
    found: list[tokenize.TokenInfo] = []
    try:
        found.extend(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return Tokens(tuple(found), complete=False)
    return Tokens(tuple(found), complete=True)
