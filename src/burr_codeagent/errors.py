"""Exceptions a user can act on. Kept free of heavy imports so the CLI can catch them cheaply."""

from __future__ import annotations

__all__ = ["ConfigurationError", "VisualizeError"]


class ConfigurationError(ValueError):
    """The agent cannot be set up as asked (unknown backend, empty task ...). The message says what to change."""


class VisualizeError(RuntimeError):
    """A picture format was asked for that this machine cannot produce; the message says how to fix it."""
