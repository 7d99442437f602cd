"""The ``markdown`` report: the original design's sections, filled from real data, rendered with jinja2."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import jinja2

from ..hookspecs import hookimpl
from ..models import AgentResult
from .base import RenderContext, Renderable, Renderer
from .summary import gate_success_rate, gates_clean


def md_cell(value: object) -> str:
    """Make any value safe inside a Markdown table cell."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("burr_codeagent.reports", "templates"),
        autoescape=False,  # noqa: S701 - Markdown, not HTML
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    env.filters["mdcell"] = md_cell
    return env


class MarkdownRenderer:
    """Human-readable report that GitHub renders, pictures included (mermaid)."""

    name = "markdown"
    extension = "md"
    description = "Markdown report with the original design's sections and mermaid diagrams."

    def __init__(self) -> None:
        self._env = _environment()

    def can_render(self, obj: Renderable) -> bool:
        return True

    def render(self, obj: Renderable, context: RenderContext) -> str:
        if isinstance(obj, AgentResult):
            best = obj.best
            variables: dict[str, Any] = {
                "result": obj,
                "best": best,
                "m": obj.metrics,
                "context": context,
                "clean": gates_clean(best.report) if best else [],
                "ran": len([g for g in best.report.gates if g.status != "skipped"]) if best else 0,
                "rate": gate_success_rate(best.report) if best else None,
                "config_items": sorted((context.config or obj.config).items()),
            }
            return self._env.get_template("report.md.j2").render(**variables)
        return self._env.get_template("check.md.j2").render(report=obj, context=context)


@hookimpl
def register_renderers(register: Callable[[Renderer], None]) -> None:
    """Register the ``markdown`` renderer."""
    register(MarkdownRenderer())
