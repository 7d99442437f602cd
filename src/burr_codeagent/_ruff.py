"""Where the ruff executable is: the one shipped in the pinned ``ruff`` wheel (used by the style gate and autofix)."""

from __future__ import annotations

import functools

__all__ = ["ruff_binary"]


@functools.cache
def ruff_binary() -> str:
    """The ruff executable shipped in the ``ruff`` wheel (looked up once per process)."""
    from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

    return str(find_ruff_bin())
