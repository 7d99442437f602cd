"""The ``json`` report: ``model_dump(mode="json")`` of the :class:`AgentResult` or :class:`CheckReport`.

Floats are rounded for readers (seconds to 0.1 ms, dollars to 6 places); the shape is the models' JSON Schema.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import TypeAdapter

from ..formatting import round_floats
from ..hookspecs import hookimpl
from .base import Renderable, RenderContext, Renderer

_JSON: TypeAdapter[Any] = TypeAdapter(Any)


class JsonRenderer:
    """Machine-readable report; its shape is the pydantic model's JSON Schema."""

    name = "json"
    extension = "json"
    description = "AgentResult / CheckReport as JSON (model_dump(mode='json'), floats rounded)."

    def can_render(self, obj: Renderable) -> bool:
        return True

    def render(self, obj: Renderable, context: RenderContext) -> str:
        # pydantic's (Rust) encoder writes the same text as json.dumps(indent=2, ensure_ascii=False), ~8x faster (the
        # standard library falls back to its pure-Python encoder whenever an indent is asked for).
        return _JSON.dump_json(round_floats(obj.model_dump(mode="json")), indent=2).decode() + "\n"

    def join(self, rendered: Sequence[str], context: RenderContext) -> str:
        """Several files' reports as one JSON array."""
        return json.dumps([json.loads(text) for text in rendered], indent=2) + "\n"


@hookimpl
def register_renderers(register: Callable[[Renderer], None]) -> None:
    """Register the ``json`` renderer."""
    register(JsonRenderer())
