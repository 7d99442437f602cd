"""The ``naming`` gate: PEP 8 names, read from the syntax tree.

Functions, methods and arguments are ``snake_case``, classes ``CapWords``, module-level constants ``UPPER_CASE``.
Only the generated code is checked. Names a framework imposes are not flagged: ``setUp``/``tearDown`` and the other
unittest hooks, ``visit_Name`` on ``ast.NodeVisitor`` subclasses, ``do_GET`` on HTTP handlers, and methods marked
``@override``. A constant is a name bound exactly once, at module level, to a literal (number, string, bytes, bool,
or a tuple/frozenset of them); ``__all__``, dunders, ``TypeVar``s and ``logger = logging.getLogger(...)`` are not
literals and are never flagged.

Names the task imposes are not flagged either: names the task text asks for ("write `minSubArraySum(nums)`", a
``def`` line in the prompt; see :mod:`._task_names`), the requested ``function_name`` and every name the acceptance
tests use (``from solution import minSubArraySum``, ``solution.parseHTML``, keyword arguments such as ``maxLen=3``) --
renaming them would break the contract the code is judged by.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping

from ..hookspecs import hookimpl
from ..models import Finding, Severity
from ._ast_helpers import FunctionNode, decorator_names, def_span, is_dunder, walk_scope
from ._task_names import task_names
from .base import Gate, GateContext, finding

NAME = "naming"

RULES = {
    "naming.function": "Function and method names are snake_case.",
    "naming.class": "Class names are CapWords.",
    "naming.argument": "Argument names are snake_case.",
    "naming.variable": "Variable names are snake_case, not mixedCase.",
    "naming.constant": "Module-level constants (bound once to a literal) are UPPER_CASE.",
}

_SNAKE = re.compile(r"^_*[a-z][a-z0-9_]*$|^_+$")
_CAPWORDS = re.compile(r"^_*[A-Z][A-Za-z0-9]*$")
_UPPER = re.compile(r"^_*[A-Z][A-Z0-9_]*$")
_MIXED = re.compile(r"^_*[a-z][a-z0-9]*[A-Z]")
# Framework hooks whose camelCase names cannot be changed (the list pep8-naming and ruff ignore by default).
_FRAMEWORK_NAMES = {
    "setUp",
    "tearDown",
    "setUpClass",
    "tearDownClass",
    "setUpModule",
    "tearDownModule",
    "asyncSetUp",
    "asyncTearDown",
    "setUpTestData",
    "failureException",
    "longMessage",
    "maxDiff",
}
_FRAMEWORK_PREFIXES = ("visit_", "depart_", "do_", "generic_visit")


class NamingGate:
    """Reports names that break PEP 8's naming conventions."""

    name = NAME
    description = (
        "PEP 8 names: snake_case functions and variables, CapWords classes, UPPER_CASE constants (ast)."
    )
    rules: Mapping[str, str] = RULES
    supersedes = ("style.N*",)  # ruff's pep8-naming rules report the same names with less advice

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        """Yield one finding per badly named definition (variables once per scope, not per use)."""
        tree = ctx.code_tree
        if tree is None:
            return
        imposed = imposed_names(ctx)
        index = ctx.nodes_by_type("code")
        definitions = [
            *index.get(ast.ClassDef, []),
            *index.get(ast.FunctionDef, []),
            *index.get(ast.AsyncFunctionDef, []),
        ]
        for node in definitions:
            if (
                isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                and node.name in imposed
            ):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield from _check_variables(walk_scope(node), imposed)
                continue
            if isinstance(node, ast.ClassDef) and not _CAPWORDS.match(node.name):
                yield finding(
                    NAME,
                    "naming.class",
                    Severity.WARNING,
                    f"Class `{node.name}` is not CapWords.",
                    def_span(node),
                    suggestion=f"Rename it to `{_capwords(node.name)}`.",
                )
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not _framework_imposed(node):
                yield from _check_function(node, imposed)
        yield from _check_variables(_module_scope(tree), imposed)
        global_names = {
            name for n in index.get(ast.Global, []) if isinstance(n, ast.Global) for name in n.names
        }
        yield from _check_constants(tree, imposed, global_names)


def imposed_names(ctx: GateContext) -> frozenset[str]:
    """The names the task fixes: the names its text imposes (see :func:`task_names`), the requested function and
    every identifier the acceptance tests use."""
    names = set(task_names(ctx.task))
    if ctx.function_name:
        names.add(ctx.function_name)
    if ctx.acceptance_tests:
        try:
            tree = ast.parse(ctx.acceptance_tests)
        except (SyntaxError, ValueError):
            tree = None
        for node in ast.walk(tree) if tree is not None else ():
            if isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.Attribute):
                names.add(node.attr)
            elif isinstance(node, ast.alias):
                names.add(node.asname or node.name)
                names.add(node.name)
            elif isinstance(node, ast.keyword) and node.arg:
                names.add(node.arg)
    return frozenset(names)


def _framework_imposed(node: FunctionNode) -> bool:
    return (
        node.name in _FRAMEWORK_NAMES
        or node.name.startswith(_FRAMEWORK_PREFIXES)
        or "override" in decorator_names(node)
    )


def _check_function(node: FunctionNode, imposed: frozenset[str]) -> Iterator[Finding]:
    if not (_SNAKE.match(node.name) or is_dunder(node.name)):
        yield finding(
            NAME,
            "naming.function",
            Severity.WARNING,
            f"Function `{node.name}` is not snake_case.",
            def_span(node),
            suggestion=f"Rename it to `{_snake(node.name)}` (and its callers).",
        )
    args = node.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, *(a for a in (args.vararg, args.kwarg) if a)]
    bad = [a for a in every if not _SNAKE.match(a.arg) and a.arg not in imposed]
    if bad:
        span = ast.arg(arg=bad[0].arg)
        span.lineno, span.col_offset = bad[0].lineno, bad[0].col_offset
        span.end_lineno, span.end_col_offset = bad[-1].end_lineno, bad[-1].end_col_offset
        names = ", ".join(f"`{a.arg}`" for a in bad)
        renames = ", ".join(f"`{a.arg}` -> `{_snake(a.arg)}`" for a in bad)
        yield finding(
            NAME,
            "naming.argument",
            Severity.WARNING,
            f"Argument{'s' if len(bad) > 1 else ''} {names} of `{node.name}` {'are' if len(bad) > 1 else 'is'} "
            "not snake_case.",
            span,
            suggestion=f"Rename {renames}.",
        )
    yield from _check_variables(walk_scope(node), imposed)


def _module_scope(tree: ast.Module) -> Iterator[ast.AST]:
    """The nodes of the module's own scope: not inside function or class bodies."""
    for stmt in tree.body:
        if not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield stmt
            yield from walk_scope(stmt)


def _check_variables(scope: Iterator[ast.AST], imposed: frozenset[str]) -> Iterator[Finding]:
    """mixedCase variables bound in one scope (the module or one function), once per name."""
    seen: set[str] = set()
    for node in scope:
        if not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)):
            continue
        if node.id not in seen and node.id not in imposed and _MIXED.match(node.id):
            seen.add(node.id)
            yield finding(
                NAME,
                "naming.variable",
                Severity.WARNING,
                f"Variable `{node.id}` is mixedCase.",
                node,
                suggestion=f"Rename it to `{_snake(node.id)}` everywhere it is used.",
            )


def _check_constants(tree: ast.Module, imposed: frozenset[str], global_names: set[str]) -> Iterator[Finding]:
    bindings = Counter(n.id for n in _module_scope(tree) if isinstance(n, ast.Name) and _stores(n))
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value = stmt.target, stmt.value
        else:
            continue
        if not isinstance(target, ast.Name) or not _is_literal(value):
            continue
        name = target.id
        if (
            is_dunder(name)
            or _UPPER.match(name)
            or bindings[name] != 1
            or name in global_names
            or name == "_"
            or name in imposed
        ):
            continue
        yield finding(
            NAME,
            "naming.constant",
            Severity.WARNING,
            f"`{name}` is bound once to a literal at module level, so it is a constant, but it is not UPPER_CASE.",
            target,
            suggestion=f"Rename it to `{_upper(name)}` everywhere it is used.",
        )


def _stores(node: ast.Name) -> bool:
    return isinstance(node.ctx, ast.Store | ast.Del)


def _is_literal(node: ast.expr) -> bool:
    """A number, string, bytes or bool (not None: that is a placeholder), or a tuple/frozenset of literals."""
    if isinstance(node, ast.Constant):
        return node.value is not None and node.value is not Ellipsis
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        return isinstance(node.operand, ast.Constant) and isinstance(
            node.operand.value, int | float | complex
        )
    if isinstance(node, ast.Tuple):
        return bool(node.elts) and all(_is_literal(e) for e in node.elts)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "frozenset":
        return len(node.args) == 1 and not node.keywords and isinstance(node.args[0], ast.Set | ast.Tuple)
    return False


def _snake(name: str) -> str:
    prefix = name[: len(name) - len(name.lstrip("_"))]
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name.lstrip("_"))
    words = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", words)
    return prefix + words.lower()


def _upper(name: str) -> str:
    return _snake(name).upper()


def _capwords(name: str) -> str:
    prefix = name[: len(name) - len(name.lstrip("_"))]
    parts = re.split(r"_+", name.lstrip("_"))
    return prefix + "".join(p[:1].upper() + p[1:] for p in parts if p)


@hookimpl
def register_gates(register: Callable[[Gate], None]) -> None:
    """Register the ``naming`` gate."""
    register(NamingGate())
