"""Report renderers. Every public module in this package that defines ``register_renderers`` is a built-in plugin."""

from .base import Renderable, RenderContext, Renderer
from .writer import REPORT_STEM, write_reports

__all__ = ["REPORT_STEM", "RenderContext", "Renderable", "Renderer", "write_reports"]
