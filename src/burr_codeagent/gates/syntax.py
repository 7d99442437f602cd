"""The ``syntax`` gate: code and tests must compile."""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Iterator

from ..hookspecs import hookimpl
from ..models import SOURCE_FILES, Finding, Severity, Target
from ._warnings import caught_warnings
from .base import Gate, GateContext

RULES = {
    "syntax.error": "The source does not compile.",
    "syntax.empty": "The generated code is empty.",
    "syntax.warning": "The compiler warns about the source (a SyntaxWarning, e.g. `is` with a literal).",
}


class SyntaxGate:
    """Compiles the code and the tests and reports the first syntax error of each with its position, and what the
    compiler warns about (as info: ruff's rules report most of these problems with their own severity)."""

    name = "syntax"
    description = "Code and tests compile (compile + ast)."
    rules = RULES

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        if not ctx.code.strip():
            yield Finding(
                gate=self.name,
                rule="syntax.empty",
                severity=Severity.CRITICAL,
                message="The generated code is empty.",
                suggestion="Return the complete module in the `code` field.",
            )
            return
        targets: list[Target] = ["code", "tests"] if ctx.test_code else ["code"]
        for target in targets:
            yield from _compile_findings(ctx.source(target), target, ctx.tree(target))


def _compile_findings(source: str, target: Target, tree: ast.Module | None = None) -> list[Finding]:
    """The first error compiling ``source`` and the compiler's warnings, captured: printed on stderr they would
    land in the middle of ``codeagent check``'s output and tell the model nothing."""
    with caught_warnings(record=True) as caught:
        warnings.simplefilter("always", SyntaxWarning)
        error = _compile_error(source, target, tree)
    found = [_warning_finding(w, target) for w in caught if issubclass(w.category, SyntaxWarning)]
    return found + ([error] if error is not None else [])


def _warning_finding(caught: warnings.WarningMessage, target: Target) -> Finding:
    return Finding(
        gate="syntax",
        rule="syntax.warning",
        severity=Severity.INFO,
        message=f"{caught.message} (SyntaxWarning in the {'code' if target == 'code' else 'tests'})",
        line=caught.lineno or None,
        target=target,
        suggestion="Change the construct the compiler warns about; it is almost always a bug.",
    )


def _compile_error(source: str, target: Target, tree: ast.Module | None = None) -> Finding | None:
    """The first error compiling ``source``; from the shared ``tree`` when it parsed (the compiler's own checks,
    such as ``return`` outside a function, run on the tree: parsing again would find nothing more)."""
    filename = SOURCE_FILES[target]
    try:
        compile(source if tree is None else tree, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        column = exc.offset if exc.offset and exc.offset > 0 else None
        return Finding(
            gate="syntax",
            rule="syntax.error",
            severity=Severity.CRITICAL,
            message=f"{exc.msg} (in the {'code' if target == 'code' else 'tests'})",
            line=exc.lineno,
            column=column,
            end_line=exc.end_lineno,
            end_column=exc.end_offset if exc.end_offset and exc.end_offset > 0 else None,
            target=target,
            suggestion="Fix the syntax so the module compiles with Python 3.11.",
        )
    except ValueError as exc:  # null bytes
        return Finding(
            gate="syntax",
            rule="syntax.error",
            severity=Severity.CRITICAL,
            message=str(exc),
            target=target,
            suggestion="Remove null bytes from the source.",
        )
    return None


@hookimpl
def register_gates(register: Callable[[Gate], None]) -> None:
    """Register the ``syntax`` gate."""
    register(SyntaxGate())
