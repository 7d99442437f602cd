"""What a report renderer is: the :class:`Renderer` protocol and the :class:`RenderContext` it is given."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from ..models import AgentResult, CheckReport

__all__ = ["RenderContext", "Renderable", "Renderer"]

Renderable = AgentResult | CheckReport


@dataclass(frozen=True)
class RenderContext:
    """Extra facts a renderer may use: settings (secrets redacted), the graph, checked file names."""

    config: Mapping[str, Any] = field(default_factory=dict)
    graph_mermaid: str | None = None
    graph_dot: str | None = None
    source_paths: Mapping[str, str] = field(default_factory=dict)  # "code"/"tests" -> path shown in reports
    sources: Mapping[str, str] = field(
        default_factory=dict
    )  # "code"/"tests" -> text (SARIF fingerprints, regions)
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    tool_version: str = field(default_factory=lambda: _installed_version())


def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("burr-codeagent")
    except PackageNotFoundError:
        return ""


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
