"""What a report renderer is: the :class:`Renderer` protocol and the :class:`RenderContext` it is given."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .._version import package_version
from ..models import AgentResult, CheckReport

if TYPE_CHECKING:
    from ..gates.base import Gate

__all__ = ["RenderContext", "Renderable", "Renderer"]

Renderable = AgentResult | CheckReport


@dataclass(frozen=True)
class RenderContext:
    """Extra facts a renderer may use: settings (secrets redacted), the graph, checked file names, and the gates
    that ran (their descriptions and rule texts, for SARIF rules and report legends)."""

    config: Mapping[str, Any] = field(default_factory=dict)
    graph_mermaid: str | None = None
    graph_dot: str | None = None
    source_paths: Mapping[str, str] = field(default_factory=dict)  # "code"/"tests" -> path shown in reports
    sources: Mapping[str, str] = field(
        default_factory=dict
    )  # "code"/"tests" -> text (SARIF fingerprints, regions)
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    tool_version: str = field(default_factory=package_version)
    gates: Mapping[str, Gate] = field(default_factory=dict)  # name -> the gate of the manager that checked

    def rule_text(self, rule_id: str) -> tuple[str | None, str | None]:
        """``(rule description, gate description)`` of ``rule_id`` from :attr:`gates` (``None`` when unknown)."""
        gate = self.gates.get(rule_id.split(".", 1)[0])
        if gate is None:
            return None, None
        try:
            text = gate.rules.get(rule_id)
        except Exception:  # a plugin's rules mapping must not take the report down
            text = None
        return (str(text) if text else None), gate.description


@runtime_checkable
class Renderer(Protocol):
    """A report format, registered through ``register_renderers`` (datasette's output-renderer shape)."""

    name: str
    extension: str
    description: str

    def can_render(self, obj: Renderable) -> bool:
        """Whether this renderer handles ``obj`` (an :class:`AgentResult` or a :class:`CheckReport`)."""
        ...

    def render(self, obj: Renderable, context: RenderContext) -> str:
        """The text of the report."""
        ...
