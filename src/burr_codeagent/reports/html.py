"""The ``html`` report: one self-contained file (inline CSS and SVG, pygments-highlighted code, no scripts or fonts).

It has the Markdown report's sections. Every value is autoescaped; only markup this module builds itself (pygments
output, SVG charts, graphviz's SVG) is marked safe.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

import jinja2
from markupsafe import Markup
from pygments import highlight  # type: ignore[import-untyped]
from pygments.formatters import HtmlFormatter  # type: ignore[import-untyped]
from pygments.lexers import PythonLexer  # type: ignore[import-untyped]

from ..hookspecs import hookimpl
from ..models import AgentResult, CheckReport
from ._charts import findings_chart_svg, graph_svg, mermaid_to_dot
from ._view import add_report_helpers, check_variables, result_variables
from .base import Renderable, RenderContext, Renderer

__all__ = ["HtmlRenderer", "highlight_python", "join_html"]

_FORMATTER = HtmlFormatter(cssclass="highlight", linenos="table", wrapcode=True)


def highlight_python(code: str) -> Markup:
    """Python source as highlighted HTML (pygments escapes the text itself)."""
    return Markup(highlight(code.strip("\n") + "\n", PythonLexer(), _FORMATTER))


@cache
def _pygments_css() -> str:
    return str(_FORMATTER.get_style_defs(".highlight"))


@cache
def _environment() -> jinja2.Environment:
    """The HTML templates' environment, one per process: it keeps the compiled templates, and compiling
    them costs ~0.15 s of CPU, which every new agent (a plugin manager, so a renderer, of its own) paid
    again on its first report."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("burr_codeagent.reports", "templates"),
        autoescape=True,
        keep_trailing_newline=True,
    )
    env.filters["python"] = highlight_python
    add_report_helpers(env)
    return env


def graph_picture(mermaid: str | None, dot: str | None) -> Markup | None:
    """The graph as inline SVG when graphviz's ``dot`` is installed; None otherwise (the template shows text)."""
    source = dot or (mermaid_to_dot(mermaid) if mermaid else None)
    svg = graph_svg(source) if source else None
    return Markup(svg) if svg else None


class HtmlRenderer:
    """A report to open in any browser, offline: no external scripts, stylesheets or fonts."""

    name = "html"
    extension = "html"
    description = (
        "Self-contained HTML report (inline CSS and SVG, highlighted code) with the Markdown sections."
    )

    def __init__(self) -> None:
        self._env = _environment()

    def can_render(self, obj: Renderable) -> bool:
        return isinstance(obj, AgentResult | CheckReport)

    def render(self, obj: Renderable, context: RenderContext) -> str:
        common = {"pygments_css": Markup(_pygments_css())}
        if isinstance(obj, AgentResult):
            variables = result_variables(obj, context)
            variables["chart_svg"] = Markup(findings_chart_svg(obj.attempts))
            variables["graph_svg"] = graph_picture(context.graph_mermaid, context.graph_dot)
            return self._env.get_template("report.html.j2").render(**variables, **common)
        return self._env.get_template("check.html.j2").render(**check_variables(obj, context), **common)

    def join(self, rendered: Sequence[str], context: RenderContext) -> str:
        """Several files' reports as one page (see :func:`join_html`)."""
        return join_html(rendered)


def join_html(documents: Sequence[str]) -> str:
    """Several reports of this renderer as one page: the first document's head, every document's body."""
    if not documents:
        raise ValueError("nothing to join")
    head = documents[0].partition("<body>")[0]
    bodies = []
    for document in documents:
        body = document.partition("<body>")[2].rpartition("</body>")[0]
        bodies.append(
            body.rpartition("<footer")[0] if len(documents) > 1 and document is not documents[-1] else body
        )
    return head + "<body>" + "\n<hr>\n".join(bodies) + "</body>\n</html>\n"


@hookimpl
def register_renderers(register: Callable[[Renderer], None]) -> None:
    """Register the ``html`` renderer."""
    register(HtmlRenderer())
