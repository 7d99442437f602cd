"""A burr-codeagent gate: library code should log, not print."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator

from burr_codeagent import Finding, Severity, hookimpl
from burr_codeagent.gates import Gate, GateContext, finding


class NoPrintGate:
    """Flags calls to the built-in ``print`` in the generated module (tests may print)."""

    name = "no_print"
    description = "Library code logs instead of printing."
    rules = {"no_print.call": "A call to print() in library code."}

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        if ctx.code_tree is None:
            return
        for node in ast.walk(ctx.code_tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                yield finding(
                    self.name,
                    "no_print.call",
                    Severity.WARNING,
                    "print() in library code",
                    node,
                    suggestion="Use logging.getLogger(__name__) and log at the right level.",
                )


@hookimpl
def register_gates(register: Callable[[Gate], None]) -> None:
    """Register the ``no_print`` gate."""
    register(NoPrintGate())
