"""``RecordingBackend``: wraps any backend and writes every exchange to a cassette for the ``replay`` backend.

The agent wraps its backend -- built from a factory or passed as an instance -- in one when ``config.record``
(``--record FILE``) is set, so no backend has to know about recording.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ._cassette import Cassette, Interaction, RecordedError, fingerprint, preview
from .base import BackendError, Generation, GenerationRequest, InvalidResponseError, LLMBackend, M

if TYPE_CHECKING:
    from ..config import AgentConfig

__all__ = ["RecordingBackend", "finish_backend"]

_LOCK = threading.Lock()
_OPEN: dict[Path, Cassette] = {}


def _open_cassette(path: Path, inner: LLMBackend) -> Cassette:
    """The cassette for ``path``: new (replacing an old file) the first time this process records to it, shared by
    every later recorder, so ``codeagent run all --record FILE`` keeps all three tasks."""
    with _LOCK:
        key = path.resolve()
        if key not in _OPEN:
            _OPEN[key] = Cassette(backend=inner.name, model=inner.model)
        return _OPEN[key]


class RecordingBackend(LLMBackend):
    """Passes requests to ``inner`` and records each request's fingerprint, outcome and usage to ``path``.

    The cassette is rewritten after every interaction, so it is complete up to the last answer even if the run is
    interrupted. Invalid responses and backend errors are recorded too, so a replay fails the same way.
    """

    def __init__(self, inner: LLMBackend, path: Path) -> None:
        self.inner = inner
        self.path = Path(path)
        self.name = inner.name
        self.model = inner.model
        self.cassette = _open_cassette(self.path, inner)

    def generate(self, request: GenerationRequest[M]) -> Generation[M]:
        try:
            generation = self.inner.generate(request)
        except BackendError as exc:
            self._record(request, error=exc)
            raise
        self._record(request, generation=generation)
        return generation

    async def agenerate(self, request: GenerationRequest[M]) -> Generation[M]:
        try:
            generation = await self.inner.agenerate(request)
        except BackendError as exc:
            self._record(request, error=exc)
            raise
        self._record(request, generation=generation)
        return generation

    def _record(
        self,
        request: GenerationRequest[M],
        generation: Generation[M] | None = None,
        error: BackendError | None = None,
    ) -> None:
        interaction = Interaction(
            fingerprint=fingerprint(request),
            purpose=request.purpose,
            response_model=request.response_model.__name__,
            prompt_preview=preview(request),
        )
        if generation is not None:
            interaction.response = generation.response.model_dump(mode="json")
            interaction.raw = generation.raw
            interaction.usage = generation.usage
        elif error is not None:
            kind = "invalid_response" if isinstance(error, InvalidResponseError) else "backend_error"
            interaction.error = RecordedError(kind=kind, message=str(error))
            interaction.raw = error.raw if isinstance(error, InvalidResponseError) else None
            interaction.usage = error.usage
        with _LOCK:
            self.model = self.inner.model
            self.cassette.model = self.inner.model
            self.cassette.interactions.append(interaction)
            self.cassette.save(self.path)

    def describe(self) -> dict[str, str | None]:
        return {**self.inner.describe(), "recording": str(self.path)}


def finish_backend(backend: LLMBackend, config: AgentConfig) -> LLMBackend:
    """``backend``, wrapped in a :class:`RecordingBackend` when ``config.record`` asks for a cassette (once)."""
    if config.record is None or isinstance(backend, RecordingBackend):
        return backend
    return RecordingBackend(backend, config.record)
