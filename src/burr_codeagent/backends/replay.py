"""The ``replay`` backend: plays back a cassette recorded with ``--record FILE``, offline and deterministically.

Each request is matched to a recorded interaction and gets its response (or its recorded failure) and its usage
figures, so reports show the tokens and cost of the original run. ``replay_match="exact"`` (the default) needs the
identical prompt; ``"order"`` plays the interactions in recorded order whatever the prompts say, which is what you
want when testing a custom gate that changes the feedback the model would have seen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import ValidationError

from ..hookspecs import hookimpl
from ..plugin_settings import Setting
from ._cassette import Cassette, CassetteError, Interaction, fingerprint, preview
from .base import (
    BackendError,
    BackendFactory,
    BackendFactoryBase,
    BackendNotConfiguredError,
    Generation,
    GenerationRequest,
    InvalidResponseError,
    LLMBackend,
    M,
)

if TYPE_CHECKING:
    from ..config import AgentConfig

__all__ = ["CassetteMismatchError", "ReplayBackend", "ReplayFactory"]


class CassetteMismatchError(BackendError):
    """A request has no recorded interaction: the run diverged from the recording."""


class ReplayBackend(LLMBackend):
    """Answers from a :class:`~burr_codeagent.backends._cassette.Cassette`.

    Args:
        cassette: The cassette, or a path to one.
        match: ``"exact"``: a request gets an unused interaction with the same fingerprint; ``"order"``: the next
            interaction in recorded order, if it asked for the same response model.
    """

    name = "replay"

    def __init__(self, cassette: Cassette | Path, match: Literal["exact", "order"] = "exact") -> None:
        self.source = str(cassette) if isinstance(cassette, Path) else "<cassette>"
        self.cassette = Cassette.load(cassette) if isinstance(cassette, Path) else cassette
        self.match = match
        self.model = self.cassette.model
        self._used: set[int] = set()
        self._lock = threading.Lock()

    def generate(self, request: GenerationRequest[M]) -> Generation[M]:
        with self._lock:
            index = self._find(request)
            self._used.add(index)
        interaction = self.cassette.interactions[index]
        usage = interaction.usage.model_copy(deep=True)
        if interaction.error is not None:
            message = interaction.error.message  # verbatim: it feeds the next prompt
            if interaction.error.kind == "invalid_response":
                raise InvalidResponseError(message, backend=self.name, usage=usage, raw=interaction.raw)
            raise BackendError(message, backend=self.name, usage=usage)
        try:
            parsed = request.response_model.model_validate(interaction.response)
        except ValidationError as exc:
            raise InvalidResponseError(
                f"replay backend: interaction {index + 1} of {self.source} does not fit "
                f"{request.response_model.__name__}: {exc.errors()[0]['msg']}",
                backend=self.name,
                usage=usage,
                raw=interaction.raw,
            ) from exc
        return Generation(parsed, usage, interaction.raw)

    async def agenerate(self, request: GenerationRequest[M]) -> Generation[M]:
        return self.generate(request)

    def _find(self, request: GenerationRequest[M]) -> int:
        interactions = self.cassette.interactions
        wanted = fingerprint(request)
        if self.match == "order":
            index = len(self._used)
            if (
                index < len(interactions)
                and interactions[index].response_model == request.response_model.__name__
            ):
                return index
        else:
            same = [i for i, item in enumerate(interactions) if item.fingerprint == wanted]
            unused = [i for i in same if i not in self._used]
            if unused or same:
                return (unused or same)[-1 if not unused else 0]
        raise CassetteMismatchError(self._mismatch(request, wanted), backend=self.name)

    def _mismatch(self, request: GenerationRequest[M], wanted: str) -> str:
        number = len(self._used) + 1
        recorded = len(self.cassette.interactions)
        head = f"replay backend: request {number} ({request.purpose}, prompt {preview(request)!r}) "
        if self.match == "order":
            if number > recorded:
                return head + f"has no recorded answer: {self.source} holds only {recorded} interaction(s)"
            item = self.cassette.interactions[number - 1]
            return (
                head
                + f"asks for {request.response_model.__name__} but interaction {number} recorded {item.response_model}"
            )
        nearest = _next_unused(self.cassette.interactions, self._used)
        expected = f"; the next recorded one was {nearest.prompt_preview!r}" if nearest else ""
        return (
            head
            + f"matches no interaction in {self.source} (fingerprint {wanted[:19]}…){expected}. The run diverged "
            "from the recording (different task, prompts, gates or settings): record again with --record, or set "
            "CODEAGENT_REPLAY_MATCH=order to play the answers in recorded order"
        )


def _next_unused(interactions: list[Interaction], used: set[int]) -> Interaction | None:
    return next((item for i, item in enumerate(interactions) if i not in used), None)


class ReplayFactory(BackendFactoryBase):
    """Builds the replay backend from its ``cassette`` setting (``--cassette FILE``)."""

    name = "replay"
    settings = (
        Setting(
            "cassette", Path | None, None, "Cassette recorded with --record FILE.", aliases=("cassette",)
        ),
        Setting(
            "match",
            Literal["exact", "order"],
            "exact",
            "Match requests by identical prompts, or play the answers in recorded order.",
            aliases=("replay_match",),
        ),
    )
    description = (
        "Plays back a cassette recorded with --record FILE: offline, deterministic, same token figures."
    )

    def missing(self, config: AgentConfig) -> list[str]:
        cassette: Path | None = self.options(config)["cassette"]
        if cassette is None:
            return [
                "a cassette: pass --cassette FILE (or set CODEAGENT_CASSETTE), recorded with --record FILE"
            ]
        try:
            Cassette.load(cassette)
        except CassetteError as exc:
            return [str(exc)]
        return []

    def create(self, config: AgentConfig) -> LLMBackend:
        problems = self.missing(config)
        options = self.options(config)
        if problems or options["cassette"] is None:
            raise BackendNotConfiguredError(
                "replay is not configured: " + "; ".join(problems), backend=self.name
            )
        return ReplayBackend(options["cassette"], match=options["match"])


@hookimpl
def register_backends(register: Callable[[BackendFactory], None]) -> None:
    """Register the ``replay`` backend."""
    register(ReplayFactory())
