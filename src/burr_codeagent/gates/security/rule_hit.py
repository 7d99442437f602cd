"""What a syntax-tree rule reports: a finding and the lines it covers."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Protocol

from ...models import Finding, Severity
from .taint import ScopeTaint, Taint

__all__ = ["RuleHit", "SinkContext"]


@dataclass
class RuleHit:
    """A finding and the lines it covers, so bandit's finding of the same problem can be dropped."""

    finding: Finding
    lines: set[int] = field(default_factory=set)


class SinkContext(Protocol):
    """What a family of sink rules needs from the scope's rules (:class:`.sinks.SinkRules`)."""

    taint: ScopeTaint

    def hit(self, rule: str, severity: Severity, message: str, node: ast.AST, suggestion: str) -> RuleHit: ...

    def critical_taint(self, node: ast.expr, sink: str | None = None) -> Taint | None: ...

    def built_string(self, node: ast.expr, seen: frozenset[str] = ...) -> list[ast.expr]: ...

    def literal_text(self, node: ast.expr, seen: frozenset[str] = ...) -> list[str]: ...
