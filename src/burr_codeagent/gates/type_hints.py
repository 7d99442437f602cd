"""The ``type_hints`` gate: public functions and methods carry parameter and return annotations.

The rules follow ``mypy --strict``: the first parameter of a method (``self``/``cls``) needs no annotation,
and an ``__init__`` with at least one annotated parameter needs no ``-> None``.
Functions nested inside functions are implementation details and are not checked; neither is the test code.
A function with no annotation at all is one finding (``type_hints.unannotated``), not one for its parameters and
another for its return: it is one omission, and counting it twice would let it fill the warning threshold.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Mapping

from ..hookspecs import hookimpl
from ..models import Finding, Severity
from ._ast_helpers import FunctionInfo, def_span, function_returns_value, is_generator, public_functions
from .base import Gate, GateContext, finding

NAME = "type_hints"

RULES = {
    "type_hints.missing_parameter": "A parameter of a public function or method has no type annotation.",
    "type_hints.missing_return": "A public function or method has no return annotation.",
    "type_hints.unannotated": "A public function or method has no annotation at all (parameters and return).",
}


class TypeHintsGate:
    """Reports public functions and methods whose parameters or return type are not annotated.

    Options: ``include_private`` (bool, default False) also checks ``_private`` functions and methods.
    """

    name = NAME
    description = "Public functions and methods have parameter and return annotations (mypy --strict rules)."
    rules: Mapping[str, str] = RULES

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        """Yield one finding per unannotated parameter and per missing return annotation."""
        tree = ctx.code_tree
        if tree is None:
            return
        include_private = bool(ctx.options.get("include_private", False))
        for info in public_functions(tree, include_private=include_private):
            parameters = list(_missing_parameters(info))
            missing_return = _missing_return(info)
            if parameters and missing_return is not None and not _any_annotation(info):
                yield _unannotated(info, parameters[0], missing_return)
                continue
            yield from parameters
            if missing_return is not None:
                yield missing_return


def _any_annotation(info: FunctionInfo) -> bool:
    return info.node.returns is not None or any(arg.annotation for arg in info.parameters())


def _unannotated(info: FunctionInfo, parameters: Finding, missing_return: Finding) -> Finding:
    """One finding for a function without any annotation, saying what both halves would say."""
    names = parameters.message.split(" of `", 1)[0].split(" ", 1)[1]
    return missing_return.model_copy(
        update={
            "rule": "type_hints.unannotated",
            "message": f"`{info.qualname}` has no type annotations: parameter{'s' if ', ' in names else ''} "
            f"{names} and the return type.",
            "suggestion": f"{parameters.suggestion} {missing_return.suggestion}",
        }
    )


def _missing_parameters(info: FunctionInfo) -> Iterator[Finding]:
    """One finding per function, spanning the first to the last unannotated parameter."""
    args = info.node.args
    missing = [arg for arg in info.parameters() if arg.annotation is None]
    if not missing:
        return
    names = ", ".join(f"`{_star(arg, args)}{arg.arg}`" for arg in missing)
    plural = "s" if len(missing) > 1 else ""
    span = ast.arg(arg=missing[0].arg)
    span.lineno, span.col_offset = missing[0].lineno, missing[0].col_offset
    span.end_lineno, span.end_col_offset = missing[-1].end_lineno, missing[-1].end_col_offset
    example = missing[0]
    yield finding(
        NAME,
        "type_hints.missing_parameter",
        Severity.WARNING,
        f"Parameter{plural} {names} of `{info.qualname}` {'have' if plural else 'has'} no type annotation.",
        span,
        suggestion=f"Annotate every parameter, e.g. `{_star(example, args)}{example.arg}: int` "
        "(with the type the function really accepts).",
    )


def _star(arg: ast.arg, args: ast.arguments) -> str:
    return "*" if arg is args.vararg else "**" if arg is args.kwarg else ""


def _missing_return(info: FunctionInfo) -> Finding | None:
    node = info.node
    if node.returns is not None:
        return None
    if info.is_method and node.name == "__init__" and any(a.annotation for a in info.parameters()):
        return None  # mypy treats such an __init__ as annotated
    if is_generator(node):
        hint = "`-> Iterator[...]` (it yields)"
    elif function_returns_value(node):
        hint = "the type of the value it returns, e.g. `-> int`"
    else:
        hint = "`-> None` (it returns nothing)"
    return finding(
        NAME,
        "type_hints.missing_return",
        Severity.WARNING,
        f"`{info.qualname}` has no return annotation.",
        def_span(node),
        suggestion=f"Add {hint}.",
    )


@hookimpl
def register_gates(register: Callable[[Gate], None]) -> None:
    """Register the ``type_hints`` gate."""
    register(TypeHintsGate())
