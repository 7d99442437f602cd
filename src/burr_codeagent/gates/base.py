"""What a gate is and what it is given: the :class:`Gate` protocol and the :class:`GateContext`."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from ..models import Finding, Severity, TestOutcome

if TYPE_CHECKING:
    from ..config import AgentConfig

__all__ = ["Gate", "GateContext", "GateSkipped", "finding"]


class GateSkipped(Exception):  # noqa: N818 - it is a signal, not an error
    """Raise from :meth:`Gate.check` when the gate does not apply; the report shows the gate as ``skipped``."""


@runtime_checkable
class Gate(Protocol):
    """A quality gate. Register instances through the ``register_gates`` hook.

    Optional attributes read with ``getattr``: ``enabled_by_default`` (bool, default True) and ``needs_tests``
    (bool: skipped when there is no test code, default False).
    """

    name: str
    description: str

    @property
    def rules(self) -> Mapping[str, str]:
        """Rule id -> one-line description, for reports and SARIF."""
        ...

    def check(self, ctx: GateContext) -> Iterable[Finding]:
        """Inspect ``ctx`` and yield findings. Raising :class:`GateSkipped` marks the gate skipped."""
        ...


@dataclass(frozen=True)
class GateContext:
    """Everything a gate may look at. Syntax trees are parsed once and shared by all gates."""

    code: str
    test_code: str | None
    config: AgentConfig
    function_name: str | None = None
    dependencies: tuple[str, ...] = ()
    code_tree: ast.Module | None = None
    test_tree: ast.Module | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    acceptance_tests: str | None = None
    # Results other gates publish for later ones (the execution gate's TestOutcome, coverage data ...).
    shared: dict[str, Any] = field(default_factory=dict, compare=False)

    def source(self, target: Literal["code", "tests"]) -> str:
        """The text of the code or of the tests."""
        return self.code if target == "code" else (self.test_code or "")

    def tree(self, target: Literal["code", "tests"]) -> ast.Module | None:
        """The parsed tree of the code or of the tests (None when it does not parse)."""
        return self.code_tree if target == "code" else self.test_tree

    def with_options(self, options: Mapping[str, Any]) -> GateContext:
        """A copy carrying one gate's options."""
        return GateContext(
            code=self.code,
            test_code=self.test_code,
            config=self.config,
            function_name=self.function_name,
            dependencies=self.dependencies,
            code_tree=self.code_tree,
            test_tree=self.test_tree,
            options=options,
            acceptance_tests=self.acceptance_tests,
            shared=self.shared,
        )

    @property
    def test_outcome(self) -> TestOutcome | None:
        """The execution gate's outcome, once it has run."""
        outcome = self.shared.get("test_outcome")
        return outcome if isinstance(outcome, TestOutcome) else None


def finding(
    gate: str,
    rule: str,
    severity: Severity,
    message: str,
    node: ast.AST | None = None,
    *,
    target: Literal["code", "tests"] = "code",
    suggestion: str | None = None,
    fixable: bool = False,
) -> Finding:
    """Build a finding whose span is taken from an ``ast`` node (1-based columns, as editors and SARIF count)."""
    line = getattr(node, "lineno", None)
    col = getattr(node, "col_offset", None)
    end_line = getattr(node, "end_lineno", None)
    end_col = getattr(node, "end_col_offset", None)
    return Finding(
        gate=gate,
        rule=rule,
        severity=severity,
        message=message,
        line=line,
        column=col + 1 if col is not None else None,
        end_line=end_line,
        end_column=end_col + 1 if end_col is not None else None,
        target=target,
        suggestion=suggestion,
        fixable=fixable,
    )
