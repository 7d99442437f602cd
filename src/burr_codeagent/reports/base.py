"""What a report renderer is: the :class:`Renderer` protocol and the :class:`RenderContext` it is given."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .._version import package_version
from ..models import AgentResult, CheckReport
from ..plugin_settings import resolve_settings, validate_setting_declarations

if TYPE_CHECKING:
    from ..gates.base import Gate

__all__ = [
    "RenderContext",
    "Renderable",
    "Renderer",
    "join_rendered",
    "renderer_options",
    "validate_renderer",
]

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
    options: Mapping[str, Any] = field(default_factory=dict)  # this renderer's validated settings

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
    """A report format, registered through ``register_renderers`` (datasette's output-renderer shape).

    Optional: ``settings`` (a tuple of :class:`~burr_codeagent.plugin_settings.Setting`, read from
    ``report_options.<name>`` into ``context.options``) and ``join(rendered, context)``, which makes one document
    of several files' reports (``codeagent check a.py b.py``); see :func:`join_rendered` for the default.
    """

    name: str
    extension: str
    description: str

    def can_render(self, obj: Renderable) -> bool:
        """Whether this renderer handles ``obj`` (an :class:`AgentResult` or a :class:`CheckReport`)."""
        ...

    def render(self, obj: Renderable, context: RenderContext) -> str:
        """The text of the report."""
        ...


def join_rendered(renderer: object, rendered: Sequence[str], context: RenderContext) -> str:
    """One document from the reports of several files: the renderer's ``join``, else the texts one after another."""
    if len(rendered) == 1:
        return rendered[0]
    join = getattr(renderer, "join", None)
    if callable(join):
        return str(join(list(rendered), context))
    return "\n".join(text.rstrip("\n") for text in rendered) + "\n"


def renderer_options(renderer: object, context_config: Mapping[str, Any]) -> dict[str, Any]:
    """The validated settings ``renderer`` declares, from ``report_options.<name>`` of a (redacted) config dict.

    Raises:
        ConfigurationError: an unknown setting or a value of the wrong type.
    """
    name = str(getattr(renderer, "name", ""))
    settings = validate_setting_declarations(f"renderer {name!r}", getattr(renderer, "settings", ()))
    given = (context_config.get("report_options") or {}).get(name) or {}
    return resolve_settings(settings, given, where=f"report_options.{name}")


def validate_renderer(renderer: object) -> None:
    """Check that ``renderer`` fulfils the :class:`Renderer` contract (raises :class:`TypeError`)."""
    name = getattr(renderer, "name", None)
    for attribute in ("extension", "description"):
        if not isinstance(getattr(renderer, attribute, None), str):
            raise TypeError(f"renderer {name!r} has no {attribute} (a str)")
    for method in ("can_render", "render"):
        if not callable(getattr(renderer, method, None)):
            raise TypeError(f"renderer {name!r} has no {method}() method")
    if getattr(renderer, "join", None) is not None and not callable(renderer.join):  # type: ignore[attr-defined]
        raise TypeError(f"renderer {name!r}: join must be a method join(rendered, context)")
    validate_setting_declarations(f"renderer {name!r}", getattr(renderer, "settings", ()))
