"""The ``error_handling`` gate: exceptions are caught narrowly and never silently discarded.

Only the generated code is checked (tests may catch broadly on purpose). Nothing here is critical: a bare
``except:`` or a swallowed error is a real defect but never stops code from working, so they are warnings; raising
a bare ``Exception`` and a public function that never checks its input are ``info`` hints.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Mapping

from ..hookspecs import hookimpl
from ..models import Finding, Severity
from ._ast_helpers import (
    FunctionInfo,
    decorator_names,
    def_span,
    dotted_name,
    is_constant_expr,
    is_dunder,
    is_stub,
    public_functions,
    walk_scope,
)
from .base import Gate, GateContext, finding

NAME = "error_handling"

RULES = {
    "error_handling.bare_except": "A bare `except:` catches everything, including KeyboardInterrupt and SystemExit.",
    "error_handling.base_exception": "`except BaseException` without re-raising swallows interpreter exits.",
    "error_handling.swallowed": "A broad handler discards the error: it neither re-raises, logs, returns nor uses it.",
    "error_handling.broad_fallback": "A broad handler replaces any error with a fallback value without logging it.",
    "error_handling.generic_raise": "Raising `Exception`/`BaseException` itself instead of a specific exception.",
    "error_handling.unvalidated_input": "A public function takes parameters but never checks them or raises.",
}

_BROAD = {"Exception", "BaseException"}
# Calls that report an error: logging methods, traceback printing, warnings, print, exiting.
_REPORTING_CALLS = {
    "exception",
    "error",
    "warning",
    "warn",
    "critical",
    "fatal",
    "info",
    "debug",
    "log",
    "print_exc",
    "print_exception",
    "format_exc",
    "print",
    "exit",
    "abort",
}


class ErrorHandlingGate:
    """Reports bare and broad handlers that hide errors, generic raises, and public functions that never validate.

    Options: ``validate_input`` (bool, default True) turns the ``unvalidated_input`` hint on or off.
    """

    name = NAME
    description = (
        "Bare except, swallowed errors, broad raises and unvalidated input in public functions (ast)."
    )
    rules: Mapping[str, str] = RULES
    supersedes = ("style.E722",)  # ruff's bare-except rule; this gate's bare_except says more

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        """Yield findings for exception handlers, raises and public functions of the code."""
        tree = ctx.code_tree
        if tree is None:
            return
        index = ctx.nodes_by_type("code")
        for node in [*index.get(ast.ExceptHandler, []), *index.get(ast.Raise, [])]:
            if isinstance(node, ast.ExceptHandler):
                handler_finding = _check_handler(node)
                if handler_finding is not None:
                    yield handler_finding
            elif isinstance(node, ast.Raise) and node.exc is not None and _raised_name(node.exc) in _BROAD:
                yield finding(
                    NAME,
                    "error_handling.generic_raise",
                    Severity.INFO,
                    f"Raises `{_raised_name(node.exc)}` itself; callers cannot catch it selectively.",
                    node,
                    suggestion="Raise a specific built-in (ValueError, TypeError, KeyError ...) or your own "
                    "exception class.",
                )
        if ctx.options.get("validate_input", True):
            for info in public_functions(tree):
                hint = _unvalidated(info)
                if hint is not None:
                    yield hint


def _check_handler(handler: ast.ExceptHandler) -> Finding | None:
    caught = _caught_names(handler.type)
    reraises = any(isinstance(n, ast.Raise) for n in _walk_body(handler))
    only_pass = all(isinstance(s, ast.Pass | ast.Continue) or is_constant_expr(s) for s in handler.body)
    span = _handler_span(handler)
    if handler.type is None:
        if reraises:
            return None  # ``except: cleanup(); raise`` is the idiom for cleanup on any error
        ignored = "; this one also ignores it silently" if only_pass else ""
        return finding(
            NAME,
            "error_handling.bare_except",
            Severity.WARNING,
            f"Bare `except:` catches every exception, including KeyboardInterrupt and SystemExit{ignored}.",
            span,
            suggestion="Catch the specific exceptions you expect, e.g. `except (ValueError, KeyError) as exc:`.",
        )
    if "BaseException" in caught and not reraises:
        return finding(
            NAME,
            "error_handling.base_exception",
            Severity.WARNING,
            "`except BaseException` without re-raising also swallows KeyboardInterrupt and SystemExit.",
            span,
            suggestion="Catch `Exception` (or narrower), or re-raise with a bare `raise` after cleaning up.",
        )
    broad = "/".join(sorted(caught & _BROAD))
    if broad and not only_pass and not _handles(handler) and _falls_back(handler):
        return finding(
            NAME,
            "error_handling.broad_fallback",
            Severity.INFO,
            f"`except {broad}` replaces any error with a fallback value without logging it.",
            span,
            suggestion="Catch the exceptions you expect, or log the error (`logger.debug(..., exc_info=True)`) "
            "so unexpected failures stay visible.",
        )
    if broad and (only_pass or not _handles(handler)):
        return finding(
            NAME,
            "error_handling.swallowed",
            Severity.WARNING,
            f"`except {broad}` discards the error: it is not re-raised, logged, returned or used.",
            span,
            suggestion="Catch only the exceptions you expect and handle them, or log with "
            "`logger.exception(...)` and re-raise.",
        )
    return None


def _handles(handler: ast.ExceptHandler) -> bool:
    """The handler does something with the error: re-raises, reports it, returns, or uses the bound exception."""
    for node in _walk_body(handler):
        if isinstance(node, ast.Raise | ast.Return):
            return True
        if isinstance(node, ast.Name) and handler.name and node.id == handler.name:
            return True
        if isinstance(node, ast.Call):
            name = dotted_name(node.func)
            if name and name.rsplit(".", 1)[-1] in _REPORTING_CALLS:
                return True
    return False


def _falls_back(handler: ast.ExceptHandler) -> bool:
    """The handler assigns a substitute value (``value = default``): deliberate degradation, not silence."""
    return any(isinstance(s, ast.Assign | ast.AnnAssign | ast.AugAssign) for s in handler.body)


def _walk_body(handler: ast.ExceptHandler) -> Iterator[ast.AST]:
    for stmt in handler.body:
        yield stmt
        yield from walk_scope(stmt)


def _caught_names(node: ast.expr | None) -> set[str]:
    if node is None:
        return set()
    elements = node.elts if isinstance(node, ast.Tuple) else [node]
    names = set()
    for element in elements:
        name = dotted_name(element)
        if name:
            names.add(name.rsplit(".", 1)[-1])
    return names


def _handler_span(handler: ast.ExceptHandler) -> ast.AST:
    """``except`` and the caught type (and its ``as`` name on the same line), not the handler body."""
    span = ast.Pass()
    span.lineno, span.col_offset = handler.lineno, handler.col_offset
    if handler.type is None:
        span.end_lineno, span.end_col_offset = handler.lineno, handler.col_offset + len("except")
    else:
        span.end_lineno, span.end_col_offset = handler.type.end_lineno, handler.type.end_col_offset
    return span


def _raised_name(exc: ast.expr) -> str | None:
    target = exc.func if isinstance(exc, ast.Call) else exc
    return target.id if isinstance(target, ast.Name) else None


def _unvalidated(info: FunctionInfo) -> Finding | None:
    node = info.node
    if (is_dunder(node.name) and node.name != "__init__") or is_stub(node):
        return None
    if decorator_names(node) & {"property", "setter", "overload", "abstractmethod"}:
        return None
    if info.owner is not None and _is_exception_class(info.owner):
        return None  # an exception's constructor stores what it is given; it is raised, not called with input
    # An annotated parameter is checked by the type checker; `Any` and `object` promise nothing.
    params = {a.arg for a in info.parameters() if a.annotation is None or _says_nothing(a.annotation)}
    params -= _checked_by_helpers(node, params)
    if not params or _validates(node, params):
        return None
    names = ", ".join(f"`{p}`" for p in sorted(params))
    return finding(
        NAME,
        "error_handling.unvalidated_input",
        Severity.INFO,
        f"`{info.qualname}` never checks {names} before using {'them' if len(params) > 1 else 'it'}.",
        def_span(node),
        suggestion="If callers can pass bad values, check them and raise ValueError/TypeError with a clear "
        "message (and document it).",
    )


_VALIDATOR_WORDS = (
    "valid",
    "check",
    "ensure",
    "require",
    "verify",
    "assert",
    "sanitize",
    "sanitise",
    "clean",
)


def _is_exception_class(owner: ast.ClassDef) -> bool:
    names = [b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in owner.bases]
    return any(name.endswith(("Error", "Exception", "Warning")) for name in [*names, owner.name])


def _says_nothing(annotation: ast.expr) -> bool:
    name = annotation.attr if isinstance(annotation, ast.Attribute) else getattr(annotation, "id", None)
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        name = annotation.value.rsplit(".", 1)[-1]
    return name in ("Any", "object")


def _checked_by_helpers(node: ast.FunctionDef | ast.AsyncFunctionDef, params: set[str]) -> set[str]:
    """Parameters handed to a validation helper (``validate_email(address)``, ``isinstance(x, int)``)."""
    checked: set[str] = set()
    for child in walk_scope(node):
        if not isinstance(child, ast.Call):
            continue
        func = child.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        lowered = called.lower()
        if called in ("isinstance", "issubclass", "callable") or any(w in lowered for w in _VALIDATOR_WORDS):
            arguments = [*child.args, *(k.value for k in child.keywords)]
            checked.update(
                n.id for a in arguments for n in ast.walk(a) if isinstance(n, ast.Name) and n.id in params
            )
    return checked


def _validates(node: ast.FunctionDef | ast.AsyncFunctionDef, params: set[str]) -> bool:
    """The body raises, asserts, handles errors, or branches on a parameter (``if``/``while``/``match``)."""
    for child in walk_scope(node):
        if isinstance(child, ast.Raise | ast.Assert) or (isinstance(child, ast.Try) and child.handlers):
            return True  # a try/except around the use is EAFP-style validation
        tested: ast.AST | None = None
        if isinstance(child, ast.If | ast.While | ast.IfExp):
            tested = child.test
        elif isinstance(child, ast.Match):
            tested = child.subject
        elif isinstance(child, ast.comprehension) and child.ifs:
            tested = ast.BoolOp(op=ast.And(), values=child.ifs)
        if tested is not None and any(isinstance(n, ast.Name) and n.id in params for n in ast.walk(tested)):
            return True
    return False


@hookimpl
def register_gates(register: Callable[[Gate], None]) -> None:
    """Register the ``error_handling`` gate."""
    register(ErrorHandlingGate())
