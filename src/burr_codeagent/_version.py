"""The version of burr-codeagent, from one source: the installed package's metadata."""

from __future__ import annotations

import functools
from importlib.metadata import PackageNotFoundError, version

__all__ = ["UNKNOWN_VERSION", "package_version"]

UNKNOWN_VERSION = "0.0.0+unknown"


@functools.cache
def package_version() -> str:
    """The installed version (``pyproject.toml``'s, through the package metadata), or ``0.0.0+unknown``."""
    try:
        return version("burr-codeagent")
    except PackageNotFoundError:  # a source tree on sys.path that was never installed
        return UNKNOWN_VERSION
