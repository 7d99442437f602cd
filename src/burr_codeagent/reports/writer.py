"""Writing reports to disk under collision-free names."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..models import AgentResult
from ._redaction import redact, secret_values
from .base import Renderable, RenderContext, Renderer, renderer_options

if TYPE_CHECKING:
    from ..gates.base import Gate
    from ..plugins import PluginManager

__all__ = [
    "CHECK_SETTINGS",
    "REPORT_STEM",
    "check_settings",
    "gates_of",
    "render_report",
    "reserve_path",
    "write_reports",
]

log = logging.getLogger(__name__)

REPORT_STEM = "ai_coding_workflow_report"


def reserve_path(directory: Path, stem: str, extension: str) -> Path:
    """Create and return a new file ``stem.ext`` (or ``stem_2.ext`` ...) atomically, so concurrent runs never collide."""
    directory.mkdir(parents=True, exist_ok=True)
    path, handle = _reserve(directory, stem, extension)
    handle.close()
    return path


def _reserve(directory: Path, stem: str, extension: str) -> tuple[Path, IO[str]]:
    """:func:`reserve_path` in an existing ``directory``, the new file left open for writing."""
    for n in range(1, 10_000):
        candidate = directory / (f"{stem}.{extension}" if n == 1 else f"{stem}_{n}.{extension}")
        try:
            return candidate, candidate.open("x", encoding="utf-8")
        except FileExistsError:
            continue
    raise FileExistsError(f"no free report name for {stem}.{extension} in {directory}")


CHECK_SETTINGS = (
    "warning_threshold",
    "enable_code_execution",
    "execution_timeout",
    "sandbox",
    "dependency_env",
    "gates",
    "report_options",
    "exclude",
    "extend_exclude",
)
"""The settings ``codeagent check`` uses; its reports show these and nothing about models, keys or the agent loop."""


def check_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a (redacted) settings dict that a check used: see :data:`CHECK_SETTINGS`."""
    return {key: settings[key] for key in CHECK_SETTINGS if key in settings}


def gates_of(manager: PluginManager) -> dict[str, Gate]:
    """The gates of ``manager`` by name, for :attr:`RenderContext.gates`."""
    return {name: registered.item for name, registered in manager.gates().items()}


def render_report(
    renderer: Renderer, obj: Renderable, context: RenderContext, *, secrets: Iterable[str | None] = ()
) -> str:
    """Render ``obj`` and mask every secret-looking environment value (and ``secrets``) in the text."""
    return redact(renderer.render(obj, context), secret_values(extra=secrets))


def _render_masked(renderer: Renderer, obj: Renderable, context: RenderContext, masks: Iterable[str]) -> str:
    """:func:`render_report` with the values to mask found already (once per call of :func:`write_reports`)."""
    return redact(renderer.render(obj, context), masks)


def write_reports(
    obj: Renderable,
    formats: Iterable[str],
    output_dir: Path,
    manager: PluginManager,
    context: RenderContext,
    *,
    when: datetime | None = None,
) -> dict[str, Path]:
    """Render ``obj`` in each format and write it as ``ai_coding_workflow_report_YYYYMMDD_HHMMSS.<ext>``.

    A renderer that fails is logged and skipped; the other reports are still written. Renderers see the gates of
    ``manager`` in ``context.gates`` unless the context carries them already.
    """
    if not context.gates:
        context = dataclasses.replace(context, gates=gates_of(manager))
    renderers = manager.renderers()
    stem = f"{REPORT_STEM}_{(when or datetime.now()).strftime('%Y%m%d_%H%M%S')}"
    usable: dict[str, Renderer] = {}
    for name in formats:
        registered = renderers.get(name)
        if registered is None or not registered.item.can_render(obj):
            log.warning("report format %r cannot render %s; skipped", name, type(obj).__name__)
            continue
        usable[name] = registered.item
    # Names first, so a run's reports can list each other (the json report's ``report_paths``); each file is
    # written through the handle that created it (opening it again cost a batch's end step ~10 % of its CPU).
    output_dir.mkdir(parents=True, exist_ok=True)
    handles: dict[str, IO[str]] = {}
    try:
        written: dict[str, Path] = {}
        for name, renderer in usable.items():
            written[name], handles[name] = _reserve(output_dir, stem, renderer.extension)
        texts = _render_all(obj, usable, written, context)
        if len(texts) < len(written):  # a renderer failed: drop its file, and its name from the others' lists
            for name in set(written) - set(texts):
                handles.pop(name).close()
                written.pop(name).unlink(missing_ok=True)
            texts = _render_all(obj, {name: usable[name] for name in written}, written, context)
        for name, text in texts.items():
            handles[name].write(text)
    finally:
        for handle in handles.values():
            handle.close()
    return {name: written[name] for name in texts}


def _render_all(
    obj: Renderable, renderers: Mapping[str, Renderer], paths: dict[str, Path], context: RenderContext
) -> dict[str, str]:
    """Each renderer's text of ``obj`` (a run carrying ``paths`` as its report paths); failures logged, left out."""
    if isinstance(obj, AgentResult):
        obj = obj.model_copy(update={"report_paths": dict(paths)})
    texts: dict[str, str] = {}
    masks = secret_values()
    for name, renderer in renderers.items():
        try:
            options = renderer_options(renderer, context.config)
            texts[name] = _render_masked(renderer, obj, dataclasses.replace(context, options=options), masks)
        except Exception:
            log.exception("the %s renderer failed; other reports are still written", name)
    return texts
