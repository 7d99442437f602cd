"""The installed distributions' entry points of one group, found without parsing every distribution's entry points.

``importlib.metadata.entry_points(group=...)`` parses the ``entry_points.txt`` of every installed distribution into
entry-point objects (console scripts, pytest plugins, ...) before it selects the group: in an environment of 200
distributions that is 2-3 % of a ``codeagent check`` process, paid for a group that is usually empty. Here each file
is read once as text (until ``sys.path`` or a directory on it changes) and only one that has a section for the group
is parsed. The answer is the same: a distribution that another of the same name earlier on ``sys.path`` shadows is
skipped, as ``importlib.metadata`` skips it.

The same texts answer pydantic's question at its first model build: pydantic parses every distribution's entry
points to find plugins of its group ``pydantic`` (another 3 % of the process). When no distribution declares that
group, :func:`skip_empty_pydantic_plugin_lookup` records the empty answer pydantic would have found; when one does,
pydantic looks them up itself, as always (its ``PYDANTIC_DISABLE_PLUGINS`` is never set here).
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import sys
from importlib.metadata import Distribution, EntryPoint

__all__ = ["group_entry_points", "skip_empty_pydantic_plugin_lookup"]


def _shadowed(dist: Distribution) -> bool:
    """Whether the distribution importlib.metadata finds first under this name is another one."""
    name = dist.metadata["Name"]
    if not name:
        return False
    try:
        first = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return (first.locate_file(""), first.version) != (dist.locate_file(""), dist.version)


def _modified(entry: str) -> int | None:
    try:
        return os.stat(entry or ".").st_mtime_ns
    except OSError:
        return None


@functools.lru_cache(maxsize=4)
def _entry_point_texts(
    path: tuple[tuple[str, int | None], ...],
) -> tuple[tuple[Distribution, str], ...]:
    """Every distribution on ``path`` (``sys.path`` with each entry's modification time, the cache key: installing a
    distribution adds a directory to one) that has entry points, with their text."""
    found = []
    for dist in importlib.metadata.distributions(path=[entry for entry, _ in path]):
        text = dist.read_text("entry_points.txt")
        if text is not None:
            found.append((dist, text))
    return tuple(found)


def _declaring(group: str) -> list[Distribution]:
    """The distributions whose entry points may have a section ``[group]`` (a section header is on a line of its
    own, stripped, so a text without ``[group]`` has none)."""
    header = f"[{group}]"
    path = tuple((entry, _modified(entry)) for entry in sys.path)
    return [dist for dist, text in _entry_point_texts(path) if header in text]


def group_entry_points(group: str) -> list[EntryPoint]:
    """The entry points of ``group`` of every installed distribution, in ``sys.path`` order."""
    found: list[EntryPoint] = []
    for dist in _declaring(group):
        if not _shadowed(dist):
            found.extend(dist.entry_points.select(group=group))
    return found


def skip_empty_pydantic_plugin_lookup() -> None:
    """Spare pydantic its scan of every distribution for plugins when no distribution declares one.

    pydantic keeps the plugins it found in ``pydantic.plugin._loader._plugins`` (``None`` until it looked): this sets
    the empty dict it would have set. Nothing happens when a distribution declares the group ``pydantic``, when
    pydantic already looked, or when a pydantic release keeps its plugins elsewhere.
    """
    try:
        from pydantic.plugin import _loader
    except ImportError:  # pragma: no cover - a pydantic without plugins
        return
    if getattr(_loader, "_plugins", {}) is None and not _declaring(_loader.PYDANTIC_ENTRY_POINT_GROUP):
        _loader._plugins = {}
