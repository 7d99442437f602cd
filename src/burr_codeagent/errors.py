"""Exceptions a user can act on. Kept free of heavy imports so the CLI can catch them cheaply."""

from __future__ import annotations

import difflib
from collections.abc import Collection

__all__ = ["ConfigurationError", "VisualizeError", "unknown_name_message"]


class ConfigurationError(ValueError):
    """The agent cannot be set up as asked (unknown backend, empty task ...). The message says what to change."""


class VisualizeError(RuntimeError):
    """A picture format was asked for that this machine cannot produce; the message says how to fix it."""


def unknown_name_message(kind: str, name: str, known: Collection[str], *, choose: str = "choose from") -> str:
    """``unknown gate 'namig' (did you mean 'naming'?); choose from: ...`` -- one sentence a user can act on."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.7)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown {kind} {name!r}{hint}; {choose}: {', '.join(sorted(known)) or '(none registered)'}"
