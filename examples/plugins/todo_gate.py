"""A gate plugin with one setting: ``todo`` reports TODO/FIXME comments beyond the number allowed.

    codeagent --plugin examples/plugins/todo_gate.py check module.py

Configure it like any gate (``[tool.codeagent.gates.options.todo]`` / ``gates={"options": {"todo": ...}}``)::

    [tool.codeagent.gates.options.todo]
    allowed = 2
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Callable, Iterator

from burr_codeagent import Finding, Severity, hookimpl
from burr_codeagent.gates import Gate, GateBase, GateContext
from burr_codeagent.plugin_settings import Setting

MARKERS = ("TODO", "FIXME")


class TodoGate(GateBase):
    """Leftover TODO/FIXME comments in the code (the tests may have them)."""

    name = "todo"
    description = "TODO and FIXME comments left in the code."
    rules = {"todo.found": "A TODO or FIXME comment is left in the code."}
    settings = (Setting("allowed", int, 0, "How many TODO/FIXME comments the code may keep."),)

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        """One warning per TODO/FIXME comment after the first ``allowed`` ones."""
        comments = []
        try:
            for token in tokenize.generate_tokens(io.StringIO(ctx.code).readline):
                if token.type == tokenize.COMMENT and any(m in token.string for m in MARKERS):
                    comments.append(token)
        except (tokenize.TokenError, SyntaxError):
            return  # the syntax gate reports code that does not tokenize
        for token in comments[ctx.options["allowed"] :]:
            yield Finding(
                gate=self.name,
                rule="todo.found",
                severity=Severity.WARNING,
                message=f"Leftover comment: {token.string.strip()}",
                line=token.start[0],
                column=token.start[1] + 1,
                suggestion="Do it now, or track it in an issue instead of the code.",
            )


@hookimpl
def register_gates(register: Callable[[Gate], None]) -> None:
    """Register the ``todo`` gate."""
    register(TodoGate())
