"""What ``codeagent check`` checks: files, directories (recursively, minus excluded paths) and stdin (``-``).

Excludes work like ruff's: ``exclude`` (replacing :data:`DEFAULT_EXCLUDE`) and ``extend_exclude`` (adding to it)
in ``[tool.codeagent]``; each pattern is an :mod:`fnmatch` glob matched against every directory or file name under
a checked directory and against its path relative to that directory. Files named on the command line are always
checked, as ruff does without ``--force-exclude``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from .integrations.tests_finder import looks_like_tests
from .sources import UsageError, decode_source, read_source

__all__ = ["DEFAULT_EXCLUDE", "STDIN", "SourceFile", "collect_sources", "excludes_for", "python_files"]

DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "*.egg-info",
)
"""Paths no directory walk enters: version control, virtual environments, caches and build output."""

STDIN = "-"
"""The path that means "read the code from standard input"."""


@dataclass(frozen=True)
class SourceFile:
    """One unit to check: where it came from (a path, or ``-``), the name reports show, and its text."""

    path: Path | None  # None for stdin
    name: str
    code: str


def excludes_for(exclude: Sequence[str] | None, extend_exclude: Sequence[str]) -> list[str]:
    """The patterns a walk skips: ``exclude`` (default :data:`DEFAULT_EXCLUDE`) plus ``extend_exclude``."""
    return [*(DEFAULT_EXCLUDE if exclude is None else exclude), *extend_exclude]


def _excluded(relative: PurePosixPath, patterns: Sequence[str]) -> bool:
    text = relative.as_posix()
    return any(
        fnmatch(text, pattern.rstrip("/"))
        or any(fnmatch(part, pattern.rstrip("/")) for part in relative.parts)
        for pattern in patterns
    )


def python_files(directory: Path, patterns: Sequence[str]) -> list[Path]:
    """The ``*.py`` files under ``directory``, sorted, without excluded paths or pytest's own files."""
    found = []
    for path in sorted(directory.rglob("*.py")):
        relative = PurePosixPath(path.relative_to(directory).as_posix())
        if _excluded(relative, patterns) or looks_like_tests(path) or not path.is_file():
            continue
        found.append(path)
    return found


def collect_sources(
    paths: Iterable[Path],
    max_bytes: int,
    patterns: Sequence[str],
    stdin: BinaryIO | None = None,
) -> list[SourceFile]:
    """Every file to check, in the order given (a directory's files sorted), each read once.

    Raises:
        UsageError: a file cannot be checked (see :func:`~burr_codeagent.sources.read_source`), a directory holds
            no Python file, or ``-`` is given twice.
    """
    sources: list[SourceFile] = []
    seen: set[Path] = set()
    for path in paths:
        if str(path) == STDIN:
            if any(s.path is None for s in sources):
                raise UsageError("- (stdin) can be given once")
            stream = stdin if stdin is not None else sys.stdin.buffer
            data = stream.read(max_bytes + 1)
            sources.append(SourceFile(None, "stdin", decode_source("stdin", data, max_bytes)))
            continue
        files = python_files(path, patterns) if path.is_dir() else [path]
        if path.is_dir() and not files:
            raise UsageError(
                f"{path}: no Python files to check in it (test files and excluded paths such as .venv are skipped)"
            )
        for file in files:
            if file.resolve() in seen:
                continue
            seen.add(file.resolve())
            sources.append(SourceFile(file, str(file), read_source(file, max_bytes)))
    return sources
