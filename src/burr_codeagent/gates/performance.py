"""The ``performance`` gate: patterns whose cost grows faster than the input, found on the syntax tree.

``x in items`` / ``items.index(x)`` inside a loop over a list built in the function is quadratic (warning).
Recursion whose recursive call is reached before any ``return``/``raise`` can end it never stops (warning);
recursion with a base case, as a recursive factorial has, is fine. Building a string with ``+=`` in a loop,
nested loops over the same sequence and ``time.sleep`` in a loop are ``info`` hints: often fine, sometimes not.
Only the generated code is checked.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from ..hookspecs import hookimpl
from ..models import Finding, Severity
from ._ast_helpers import FunctionNode, dotted_name, import_aliases, may_hold_line, resolve_call, walk_scope
from ._shared import child_nodes
from .base import Gate, GateContext, finding

NAME = "performance"

RULES = {
    "performance.string_concat_in_loop": "A string is built with `+=` inside a loop.",
    "performance.list_lookup_in_loop": "`in`/`.index()`/`.count()` on a list inside a loop (quadratic).",
    "performance.nested_loop_same_sequence": "Nested loops over the same sequence (quadratic).",
    "performance.unbounded_recursion": "A recursive call is reached before any base case can return.",
    "performance.sleep_in_loop": "`time.sleep`/`asyncio.sleep` inside a loop.",
}

_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_LIST_BUILDERS = {"list", "sorted"}
_LIST_GROWERS = {"append", "extend", "insert"}
_SLEEPS = {"time.sleep", "asyncio.sleep"}


@dataclass
class _Scope:
    """A module or function body and what its assignments say about its variables."""

    node: ast.AST
    str_vars: set[str] = field(default_factory=set)
    list_vars: set[str] = field(default_factory=set)


class PerformanceGate:
    """Reports quadratic lookups, unbounded recursion, string building, nested loops and sleeps in loops."""

    name = NAME
    description = "Quadratic list lookups, unbounded recursion, string += in loops, sleeps in loops (ast)."
    rules: Mapping[str, str] = RULES

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        """Yield findings for each function and for the module's own statements."""
        tree = ctx.code_tree
        if tree is None:
            return
        aliases = import_aliases(ctx.node_index("code").of(ast.Import, ast.ImportFrom))
        scopes: list[ast.AST] = [tree]
        index = ctx.nodes_by_type("code")
        scopes += [*index.get(ast.FunctionDef, []), *index.get(ast.AsyncFunctionDef, [])]
        loops = [node for kind in (*_LOOPS, *_COMPREHENSIONS) for node in index.get(kind, [])]
        loop_lines = sorted(node.lineno for node in loops if isinstance(node, ast.stmt | ast.expr))
        for node in scopes:
            if node is not tree and not may_hold_line(loop_lines, node):
                continue  # no loop: nothing of the scope is evaluated over and over
            scope = _facts(node)
            yield from _loop_findings(scope, aliases)
        exits = [node for kind in (ast.Return, ast.Raise) for node in index.get(kind, [])]
        exit_lines = sorted(node.lineno for node in exits if isinstance(node, ast.stmt))
        called = _called_names(index.get(ast.Call, []))
        for cls_name, func in _functions_with_owner(index):
            if func.name not in called:
                continue  # no call of the module could be it calling itself
            call = _unbounded_recursive_call(func, cls_name, exit_lines)
            if call is not None:
                yield finding(
                    NAME,
                    "performance.unbounded_recursion",
                    Severity.WARNING,
                    f"`{func.name}` calls itself before any `return` or `raise` can stop it: it never terminates.",
                    call,
                    suggestion="Add a base case first, e.g. `if n <= 1: return 1`, or make the call conditional.",
                )


def _functions_with_owner(
    index: Mapping[type[ast.AST], list[ast.AST]],
) -> Iterator[tuple[str | None, FunctionNode]]:
    """Every function with the class it is a method of (None for the others), from the check's node index: only
    class bodies are walked, down to the functions they define (expressions hold no ``def``)."""
    owners: dict[int, str] = {}
    for cls in index.get(ast.ClassDef, []):
        if not isinstance(cls, ast.ClassDef):
            continue
        stack: list[ast.AST] = list(cls.body)
        while stack:
            node = stack.pop()
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                owners[id(node)] = cls.name
            elif not isinstance(node, ast.ClassDef) and isinstance(node, _STATEMENT_HOLDERS):
                stack.extend(child for child in child_nodes(node) if isinstance(child, _STATEMENT_HOLDERS))
    for kind in (ast.FunctionDef, ast.AsyncFunctionDef):
        for func in index.get(kind, []):
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                yield owners.get(id(func)), func


# Nodes that hold statements (a class body's ``if``/``try``/``with`` blocks may define methods).
_STATEMENT_HOLDERS = (ast.stmt, ast.excepthandler, ast.match_case)


# --- facts about a scope's variables -------------------------------------------------------------------------


def _facts(node: ast.AST) -> _Scope:
    scope = _Scope(node)
    values: dict[str, list[ast.expr | None]] = {}
    annotations: dict[str, ast.expr] = {}
    grown: set[str] = set()
    typed_targets: set[int] = set()
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        args = node.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
            if arg.annotation is not None:
                annotations[arg.arg] = arg.annotation
            else:
                values.setdefault(arg.arg, []).append(None)  # a parameter of unknown type
    for child in walk_scope(node):
        if isinstance(child, ast.Assign):
            for target in child.targets:
                if isinstance(target, ast.Name):
                    typed_targets.add(id(target))
                    values.setdefault(target.id, []).append(child.value)
        elif isinstance(child, ast.AnnAssign) and isinstance(child.target, ast.Name):
            typed_targets.add(id(child.target))
            annotations[child.target.id] = child.annotation
            values.setdefault(child.target.id, []).append(child.value)
        elif isinstance(child, ast.AugAssign) and isinstance(child.target, ast.Name):
            typed_targets.add(id(child.target))
            grown.add(child.target.id)
        elif isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute):
            if child.func.attr in _LIST_GROWERS and isinstance(child.func.value, ast.Name):
                grown.add(child.func.value.id)
        elif (
            isinstance(child, ast.Name)
            and isinstance(child.ctx, ast.Store)
            and id(child) not in typed_targets
        ):
            values.setdefault(child.id, []).append(None)  # bound by for/with/walrus/unpacking: type unknown
    for name, annotation in annotations.items():
        base = annotation.value if isinstance(annotation, ast.Subscript) else annotation
        base_name = dotted_name(base)
        if base_name in {"str"}:
            scope.str_vars.add(name)
        elif base_name in {"list", "List", "typing.List"}:
            scope.list_vars.add(name)
    for name, assigned in values.items():
        if name in annotations:
            continue
        if all(v is not None and _is_str_value(v) for v in assigned):
            scope.str_vars.add(name)
        if all(v is not None and _is_growing_list(v, name in grown) for v in assigned):
            scope.list_vars.add(name)
    return scope


def _is_str_value(node: ast.expr) -> bool:
    if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return True
    if isinstance(node, ast.Call):
        func = node.func
        return (isinstance(func, ast.Name) and func.id == "str") or (
            isinstance(func, ast.Attribute) and func.attr == "join" and _is_str_value(func.value)
        )
    return False


def _is_growing_list(node: ast.expr, grown: bool) -> bool:
    """A list that can be long: a comprehension, ``list(...)``/``sorted(...)``, or a literal that is appended to."""
    if isinstance(node, ast.ListComp):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in _LIST_BUILDERS
    if isinstance(node, ast.List):
        return grown or any(not isinstance(e, ast.Constant) for e in node.elts)
    return False


# --- loops ----------------------------------------------------------------------------------------------------


def _loop_findings(scope: _Scope, aliases: dict[str, str]) -> Iterator[Finding]:
    reported: set[int] = set()
    concat_reported: set[tuple[str, int]] = set()
    nested_reported: set[tuple[int | None, int | None]] = set()
    for loop in (n for n in walk_scope(scope.node) if isinstance(n, (*_LOOPS, *_COMPREHENSIONS))):
        for nested in _nested_same_sequence(loop):
            if (nested.line, nested.column) not in nested_reported:
                nested_reported.add((nested.line, nested.column))
                yield nested
        # A list rebuilt on every iteration is not looked up repeatedly across iterations.
        rebuilt = {n.id for n in _inside(loop) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        for node in _inside(loop):
            if id(node) in reported:
                continue
            found = _in_loop_finding(node, scope, aliases, loop, concat_reported, rebuilt)
            if found is not None:
                reported.add(id(node))
                yield found


def _inside(loop: ast.AST) -> Iterator[ast.AST]:
    """The nodes evaluated once per iteration (not the iterable of a ``for``, evaluated once)."""
    parts: list[ast.AST]
    if isinstance(loop, ast.DictComp):
        parts = [loop.key, loop.value]
    elif isinstance(loop, ast.ListComp | ast.SetComp | ast.GeneratorExp):
        parts = [loop.elt]
    if isinstance(loop, _COMPREHENSIONS):
        for i, gen in enumerate(loop.generators):
            parts += gen.ifs
            if i:
                parts.append(gen.iter)
    elif isinstance(loop, ast.While):
        parts = [loop.test, *loop.body]
    else:
        assert isinstance(loop, ast.For | ast.AsyncFor)
        parts = list(loop.body)
    for part in parts:
        yield part
        yield from walk_scope(part)


def _in_loop_finding(
    node: ast.AST,
    scope: _Scope,
    aliases: dict[str, str],
    loop: ast.AST,
    concat_reported: set[tuple[str, int]],
    rebuilt: set[str],
) -> Finding | None:
    lists = scope.list_vars - rebuilt
    if isinstance(node, ast.Compare):
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn) and isinstance(right, ast.Name) and right.id in lists:
                return _list_lookup(node, right.id, "in")
    elif isinstance(node, ast.Call):
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in {"index", "count"}
            and isinstance(func.value, ast.Name)
            and func.value.id in lists
        ):
            return _list_lookup(node, func.value.id, f".{func.attr}()")
        if resolve_call(node, aliases) in _SLEEPS:
            return finding(
                NAME,
                "performance.sleep_in_loop",
                Severity.INFO,
                f"`{dotted_name(func)}` inside a loop: every iteration waits.",
                node,
                suggestion="Sleep only where needed (e.g. between retries with backoff), or wait on an event.",
            )
    elif isinstance(node, ast.AugAssign | ast.Assign):
        name = _concatenated_string(node, scope)
        if name is not None and (name, id(loop)) not in concat_reported:
            concat_reported.add((name, id(loop)))
            return finding(
                NAME,
                "performance.string_concat_in_loop",
                Severity.INFO,
                f"String `{name}` is built with `+` inside a loop, copying it on every iteration.",
                node,
                suggestion=f"Collect the pieces in a list and `''.join(...)` them after the loop instead of `{name} +=`.",
            )
    return None


def _list_lookup(node: ast.AST, name: str, how: str) -> Finding:
    return finding(
        NAME,
        "performance.list_lookup_in_loop",
        Severity.WARNING,
        f"`{how}` on list `{name}` inside a loop scans the list every iteration (quadratic).",
        node,
        suggestion=f"Build a set (or a dict of positions) from `{name}` once before the loop and look up in that.",
    )


def _concatenated_string(node: ast.AugAssign | ast.Assign, scope: _Scope) -> str | None:
    if isinstance(node, ast.AugAssign):
        target = node.target
        is_str = isinstance(target, ast.Name) and (target.id in scope.str_vars or _is_str_value(node.value))
        return target.id if is_str and isinstance(node.op, ast.Add) and isinstance(target, ast.Name) else None
    if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        name = node.targets[0].id
        value = node.value
        if (
            name in scope.str_vars
            and isinstance(value, ast.BinOp)
            and isinstance(value.op, ast.Add)
            and isinstance(value.left, ast.Name)
            and value.left.id == name
        ):
            return name
    return None


def _nested_same_sequence(loop: ast.AST) -> Iterator[Finding]:
    if isinstance(loop, _COMPREHENSIONS):
        keys = [_sequence_key(g.iter) for g in loop.generators]
        for i, key in enumerate(keys):
            if key is not None and key in keys[:i]:
                yield _nested(loop.generators[i].iter, key)
        return
    if not isinstance(loop, ast.For | ast.AsyncFor):
        return
    outer = _sequence_key(loop.iter)
    if outer is None:
        return
    for node in (n for stmt in loop.body for n in [stmt, *walk_scope(stmt)]):
        if isinstance(node, ast.For | ast.AsyncFor) and _sequence_key(node.iter) == outer:
            yield _nested(node.iter, outer)


def _nested(node: ast.expr, key: str) -> Finding:
    return finding(
        NAME,
        "performance.nested_loop_same_sequence",
        Severity.INFO,
        f"Nested loop over `{key}` inside a loop over `{key}`: quadratic in its length.",
        node,
        suggestion="If this looks for pairs or duplicates, a set, dict or sort usually does it in one pass.",
    )


def _sequence_key(node: ast.expr) -> str | None:
    """The collection a loop walks: ``xs`` for ``xs``, ``enumerate(xs)``, ``range(len(xs))``; None for ``range(n)``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1:
        if node.func.id in {"enumerate", "reversed", "iter", "list", "sorted"}:
            return _sequence_key(node.args[0])
        if node.func.id == "range" and isinstance(node.args[0], ast.Call):
            inner = node.args[0]
            if isinstance(inner.func, ast.Name) and inner.func.id == "len" and len(inner.args) == 1:
                return _sequence_key(inner.args[0])
        return None
    return dotted_name(node)


# --- recursion ------------------------------------------------------------------------------------------------


def _called_names(calls: list[ast.AST]) -> set[str]:
    """The last name of what each call calls (``f`` for ``f()``, ``self.f()`` and ``K.f()``): a function calls itself
    only by a call among these."""
    names: set[str] = set()
    for call in calls:
        func = getattr(call, "func", None)
        if isinstance(func, ast.Name):
            names.add(func.id)
        elif isinstance(func, ast.Attribute):
            names.add(func.attr)
    return names


def _unbounded_recursive_call(
    func: FunctionNode, owner: str | None, exit_lines: Sequence[int] | None = None
) -> ast.Call | None:
    """The call by which ``func`` surely recurses before it can return or raise, if any. ``exit_lines`` are the
    sorted lines of every ``return`` and ``raise`` of the module, when known: a statement whose lines hold none
    surely holds none, and need not be walked."""

    def is_self_call(call: ast.Call) -> bool:
        name = dotted_name(call.func)
        if owner is None:
            return name == func.name
        return name in {f"self.{func.name}", f"cls.{func.name}", f"{owner}.{func.name}"}

    call = _first_unconditional(func.body, is_self_call, exit_lines)
    if call is not None and owner is None and func.name in _rebound_names(func):
        return None  # ``from x import f`` or ``global f; f = ...`` inside f: the call goes elsewhere
    return call


def _rebound_names(func: FunctionNode) -> set[str]:
    names: set[str] = set()
    for node in walk_scope(func):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            names.update(node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _first_unconditional(
    body: list[ast.stmt], is_self_call: Callable[[ast.Call], bool], exit_lines: Sequence[int] | None = None
) -> ast.Call | None:
    """The recursive call reached on every path before any statement that could return or raise, if any."""
    for stmt in body:
        if isinstance(stmt, ast.With | ast.AsyncWith):
            call = _first_unconditional(stmt.body, is_self_call, exit_lines)
            if call is not None:
                return call
        elif isinstance(stmt, ast.Expr | ast.Return | ast.Assign | ast.AugAssign | ast.AnnAssign):
            for call in _unconditional_calls(stmt):
                if is_self_call(call):
                    return call
        if isinstance(stmt, ast.Return | ast.Raise) or (
            may_hold_line(exit_lines, stmt)
            and any(isinstance(n, ast.Return | ast.Raise) for n in walk_scope(stmt))
        ):
            return None
    return None


def _unconditional_calls(node: ast.AST) -> Iterator[ast.Call]:
    """Calls evaluated whenever ``node`` is: not in a branch of ``a if c else b``, after ``and``/``or``, or in a
    comprehension or lambda."""
    if isinstance(node, ast.Call):
        yield node
    if isinstance(node, ast.IfExp):
        yield from _unconditional_calls(node.test)
        return
    if isinstance(node, ast.BoolOp):
        yield from _unconditional_calls(node.values[0])
        return
    if isinstance(node, (*_COMPREHENSIONS, ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return
    for child in child_nodes(node):  # the operator and context nodes left out hold no call
        yield from _unconditional_calls(child)


@hookimpl
def register_gates(register: Callable[[Gate], None]) -> None:
    """Register the ``performance`` gate."""
    register(PerformanceGate())
