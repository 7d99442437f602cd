"""Cassettes: JSON files of recorded model exchanges, written by :class:`RecordingBackend`, played by ``replay``.

One interaction per request: a fingerprint of what was asked (system prompt, messages, response model), a short
preview of the prompt, and what came back (the parsed response and raw text, or the error) with the provider's
usage figures, so a replay reproduces the token and cost accounting of the original run.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from ..models import Usage
from .base import GenerationRequest

__all__ = ["CASSETTE_VERSION", "Cassette", "CassetteError", "Interaction", "RecordedError", "fingerprint"]

CASSETTE_VERSION = 1
PREVIEW_CHARS = 160


class CassetteError(ValueError):
    """A cassette file is missing, unreadable or not a cassette."""


class RecordedError(BaseModel):
    """A failure that was recorded instead of a response."""

    kind: Literal["invalid_response", "backend_error"]
    message: str


class Interaction(BaseModel):
    """One recorded request and its outcome."""

    fingerprint: str
    purpose: str = "generation"
    response_model: str
    prompt_preview: str = ""
    response: dict[str, Any] | None = None
    raw: str | None = None
    error: RecordedError | None = None
    usage: Usage = Field(default_factory=Usage)


class Cassette(BaseModel):
    """A recorded run: which backend and model answered, and every interaction in order."""

    version: int = CASSETTE_VERSION
    backend: str = ""
    model: str | None = None
    interactions: list[Interaction] = Field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> Cassette:
        """Read a cassette, or raise :class:`CassetteError` saying what is wrong with the file."""
        if not path.is_file():
            raise CassetteError(
                f"cassette {path} does not exist; record one with `codeagent run ... --record {path}`"
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CassetteError(f"cassette {path} is not readable JSON: {exc}") from exc
        try:
            cassette = cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise CassetteError(
                f"cassette {path} is not a burr-codeagent cassette: {where}: {first['msg']}"
            ) from exc
        if cassette.version != CASSETTE_VERSION:
            raise CassetteError(
                f"cassette {path} has version {cassette.version}; this release reads {CASSETTE_VERSION}"
            )
        return cassette

    def save(self, path: Path) -> None:
        """Write atomically, so a crash mid-run leaves the previous complete cassette."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(self.model_dump_json(indent=2))
                handle.write("\n")
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def fingerprint(request: GenerationRequest[Any]) -> str:
    """A stable hash of what ``request`` asks: system prompt, messages, response model and purpose."""
    payload = {
        "system": request.system,
        "messages": [[m.role, m.content] for m in request.messages],
        "response_model": request.response_model.__name__,
        "purpose": request.purpose,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def preview(request: GenerationRequest[Any]) -> str:
    """The start of the request's last user message, to help a reader find it in the cassette."""
    prompt = next((m.content for m in reversed(request.messages) if m.role == "user"), "")
    flat = " ".join(prompt.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 1] + "…"
