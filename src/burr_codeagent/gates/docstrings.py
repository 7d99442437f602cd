"""The ``docstrings`` gate: the module and its public API are documented, completely.

Google (``Args:``), Sphinx (``:param x:``) and NumPy (``Parameters`` + dashes) styles are all understood. A missing
docstring is a warning -- except the module docstring of a module whose one public definition is a documented function
or class, which is an ``info`` hint (the definition's docstring documents the module). A structured docstring (one with any Args/Returns/Raises section) that leaves out a
parameter, the return value or an exception the function raises is a warning too: it claims to be complete. A
summary-only docstring on a function that takes parameters gets a single ``info`` hint instead. Test code is not
checked.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Mapping

from ..hookspecs import hookimpl
from ..models import Finding, Severity
from . import _docstyle
from ._ast_helpers import (
    FunctionInfo,
    decorator_names,
    def_span,
    function_returns_value,
    is_dunder,
    is_generator,
    public_classes,
    public_functions,
    walk_scope,
)
from .base import Gate, GateContext, finding

NAME = "docstrings"
CONVENTION_CHOICES = ("auto", *_docstyle.CONVENTIONS)

RULES = {
    "docstrings.missing_module": "The module has no docstring.",
    "docstrings.missing_class": "A public class has no docstring.",
    "docstrings.missing_function": "A public function or method has no docstring.",
    "docstrings.undocumented_parameter": "A structured docstring does not document every parameter.",
    "docstrings.unknown_parameter": "A docstring documents a parameter the function does not have.",
    "docstrings.undocumented_return": "A structured docstring does not document the value the function returns.",
    "docstrings.undocumented_raise": "A structured docstring does not document an exception the function raises.",
    "docstrings.no_sections": "A summary-only docstring on a function with parameters, a result or exceptions.",
    "docstrings.convention": "The docstring is written in another style than the configured convention.",
}

# Decorators whose functions inherit or need no docstring of their own.
_EXEMPT_DECORATORS = {"overload", "override", "setter", "deleter"}
# Exceptions that say "not done here" rather than document behaviour.
_UNDOCUMENTED_EXCEPTIONS = {"NotImplementedError", "AssertionError"}


class DocstringsGate:
    """Checks module, class and function docstrings and that they document parameters, returns and raises.

    Options: ``convention`` is ``auto`` (default: any of the three styles), ``google``, ``sphinx`` or ``numpy``.
    """

    name = NAME
    description = "Module, class and function docstrings document parameters, returns and raises (ast)."
    rules: Mapping[str, str] = RULES

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        """Yield a finding per missing docstring and per incomplete one."""
        convention = str(ctx.options.get("convention", "auto")).lower()
        if convention not in CONVENTION_CHOICES:
            raise ValueError(
                f"docstrings option 'convention' must be one of {', '.join(CONVENTION_CHOICES)}, "
                f"not {ctx.options.get('convention')!r}"
            )
        tree = ctx.code_tree
        if tree is None:
            return
        if not ast.get_docstring(tree) and tree.body:
            single = _single_documented_definition(tree)
            yield finding(
                NAME,
                "docstrings.missing_module",
                Severity.INFO if single else Severity.WARNING,
                "The module has no docstring"
                + (
                    f" (the docstring of `{single}`, its one public definition, documents it)."
                    if single
                    else "."
                ),
                tree.body[0],
                suggestion='Start the module with a one-line docstring saying what it provides, e.g. """Binary search."""',
            )
        for cls in public_classes(tree):
            if not ast.get_docstring(cls):
                yield finding(
                    NAME,
                    "docstrings.missing_class",
                    Severity.WARNING,
                    f"Class `{cls.name}` has no docstring.",
                    def_span(cls),
                    suggestion=f"Add a docstring to `{cls.name}` saying what an instance represents.",
                )
        for info in public_functions(tree):
            yield from _check_function(info, convention)


def _single_documented_definition(tree: ast.Module) -> str | None:
    """The name of the module's one public top-level function or class when it has a docstring, else None.

    A module that is one documented function (what a task asks for) is documented by that docstring; a module
    docstring would repeat it, so its absence is only a hint there.
    """
    public = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and not node.name.startswith("_")
    ]
    if len(public) == 1 and ast.get_docstring(public[0]):
        return public[0].name
    return None


def _check_function(info: FunctionInfo, convention: str) -> Iterator[Finding]:
    node = info.node
    decorators = decorator_names(node)
    if decorators & _EXEMPT_DECORATORS:
        return
    is_init = info.is_method and node.name == "__init__"
    if is_dunder(node.name) and not is_init:
        return  # __eq__, __len__ ... are documented by the data model
    docstring = ast.get_docstring(node)
    if docstring is None and not is_init:
        yield finding(
            NAME,
            "docstrings.missing_function",
            Severity.WARNING,
            f"`{info.qualname}` has no docstring.",
            def_span(node),
            suggestion=f"Add a docstring to `{info.qualname}`: a summary line, then its parameters, "
            "return value and the exceptions it raises.",
        )
        return
    documented = _docstyle.parse(docstring)
    if is_init and info.owner is not None:
        documented = documented.merge(_docstyle.parse(ast.get_docstring(info.owner)))
    if convention != "auto" and documented.styles - {convention}:
        others = ", ".join(sorted(documented.styles - {convention}))
        yield finding(
            NAME,
            "docstrings.convention",
            Severity.WARNING,
            f"The docstring of `{info.qualname}` uses {others} style; the project uses {convention}.",
            def_span(node),
            suggestion=f"Rewrite its sections in {convention} style.",
        )
    yield from _completeness(info, documented, property_like="property" in decorators or is_init)


def _completeness(
    info: FunctionInfo, documented: _docstyle.Documented, *, property_like: bool
) -> Iterator[Finding]:
    node = info.node
    params = [a.arg for a in info.parameters()]
    missing_params = [p for p in params if p not in documented.params]
    unknown = sorted(documented.params - set(params))
    needs_return = not property_like and (function_returns_value(node) or is_generator(node))
    missing_raises = [r for r in _raised(node) if r not in documented.raises]
    span = def_span(node)
    # With ``**kwargs`` the documented extra names may be the keyword arguments it accepts.
    if unknown and documented.param_section and node.args.kwarg is None:
        yield finding(
            NAME,
            "docstrings.unknown_parameter",
            Severity.WARNING,
            f"The docstring of `{info.qualname}` documents {_names(unknown)}, which it does not take.",
            span,
            suggestion="Remove or rename the stale entries so they match the signature.",
        )
    if not documented.has_sections:
        wanted = (
            [f"parameter{'s' if len(missing_params) > 1 else ''} {_names(missing_params)}"]
            if missing_params
            else []
        ) + (["the return value"] if needs_return else [])
        wanted += [f"the {_names(missing_raises)} it raises"] if missing_raises else []
        if wanted:
            yield finding(
                NAME,
                "docstrings.no_sections",
                Severity.INFO,
                f"The docstring of `{info.qualname}` is a summary only; it does not document "
                f"{', '.join(wanted)}.",
                span,
                suggestion="Add Args/Returns/Raises sections (or the Sphinx or NumPy equivalents).",
            )
        return
    if missing_params:
        yield finding(
            NAME,
            "docstrings.undocumented_parameter",
            Severity.WARNING,
            f"The docstring of `{info.qualname}` does not document {_names(missing_params)}.",
            span,
            suggestion=f"Add {_names(missing_params)} to its parameters section.",
        )
    if needs_return and not documented.returns:
        yield finding(
            NAME,
            "docstrings.undocumented_return",
            Severity.WARNING,
            f"The docstring of `{info.qualname}` does not document what it returns.",
            span,
            suggestion="Add a Returns (or Yields) section describing the result.",
        )
    if missing_raises:
        yield finding(
            NAME,
            "docstrings.undocumented_raise",
            Severity.WARNING,
            f"The docstring of `{info.qualname}` does not document that it raises {_names(missing_raises)}.",
            span,
            suggestion=f"Add {_names(missing_raises)} to a Raises section, with the condition that raises it.",
        )


def _raised(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """Exception class names of the explicit ``raise X`` statements in the function's own body, in order."""
    names: list[str] = []
    for child in sorted(
        (c for c in walk_scope(node) if isinstance(c, ast.Raise)), key=lambda r: (r.lineno, r.col_offset)
    ):
        exc = child.exc
        target = exc.func if isinstance(exc, ast.Call) else exc
        name = (
            target.id
            if isinstance(target, ast.Name)
            else target.attr
            if isinstance(target, ast.Attribute)
            else None
        )
        # Lower-case names are usually a caught exception being re-raised (``raise err``), not a documented type.
        if name and name[0].isupper() and name not in _UNDOCUMENTED_EXCEPTIONS and name not in names:
            names.append(name)
    return names


def _names(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


@hookimpl
def register_gates(register: Callable[[Gate], None]) -> None:
    """Register the ``docstrings`` gate."""
    register(DocstringsGate())
