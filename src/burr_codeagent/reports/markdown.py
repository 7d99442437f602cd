"""The ``markdown`` report: the original design's sections, filled from real data, rendered with jinja2."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache

import jinja2

from ..hookspecs import hookimpl
from ..models import AgentResult
from ._view import add_report_helpers, check_variables, result_variables
from .base import Renderable, RenderContext, Renderer

_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)


def _escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def md_cell(value: object) -> str:
    """Make any value safe inside a Markdown table cell.

    HTML is escaped in the prose but not inside `code spans`, where Markdown shows ``&lt;`` literally.
    """
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    if "`" not in text:  # no code span: the common case, without the regex
        return _escape_html(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()
    parts = []
    position = 0
    for match in _CODE_SPAN.finditer(text):
        parts.append(_escape_html(text[position : match.start()]).replace("\\", "\\\\"))
        parts.append(match.group(0))
        position = match.end()
    parts.append(_escape_html(text[position:]).replace("\\", "\\\\"))
    return "".join(parts).replace("|", "\\|").replace("\n", " ").strip()


def md_code(value: object) -> str:
    """``value`` as a code span for a table cell: shown exactly as it is (no HTML escaping), pipes escaped."""
    text = (value if isinstance(value, str) else str(value)).replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|")


def md_text(value: str) -> str:
    """Model-written prose for a Markdown paragraph: HTML tags are shown as text, never rendered."""
    return _escape_html(value)


def fenced(text: str, language: str = "python") -> str:
    """``text`` in a code fence longer than any run of backticks inside it, so nothing can close it early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text.strip(chr(10))}\n{fence}"


@cache
def _environment() -> jinja2.Environment:
    """The Markdown templates' environment, one per process: it keeps the compiled templates, and compiling
    them costs ~0.15 s of CPU, which every new agent (a plugin manager, so a renderer, of its own) paid
    again on its first report."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("burr_codeagent.reports", "templates"),
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    env.filters["mdcell"] = md_cell
    env.filters["fenced"] = fenced
    env.filters["mdtext"] = md_text
    env.filters["mdcode"] = md_code
    add_report_helpers(env)
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
            return self._env.get_template("report.md.j2").render(**result_variables(obj, context))
        return self._env.get_template("check.md.j2").render(**check_variables(obj, context))


@hookimpl
def register_renderers(register: Callable[[Renderer], None]) -> None:
    """Register the ``markdown`` renderer."""
    register(MarkdownRenderer())
