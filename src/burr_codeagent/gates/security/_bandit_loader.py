"""bandit's tests and blacklists loaded from the bandit distribution's own entry points, without its formatters.

bandit builds its extension manager when it is first imported: stevedore looks up the ``bandit.plugins``,
``bandit.blacklists`` and ``bandit.formatters`` entry points of every installed distribution (from a cache it keeps
per ``sys.path``, rebuilt by reading every distribution's metadata whenever ``sys.path`` differs) and loads every
formatter. The security gate needs bandit's tests and blacklists only, and those are the ones bandit registers
itself: here they come from bandit's own ``entry_points.txt`` through stevedore's per-namespace entry-point cache,
and the formatter namespace is empty. Tests another distribution adds to bandit are not loaded (the gate runs the
tests of the pinned bandit, whatever else is installed). ``tests/gates/test_bandit_loader.py`` compares the test set
with the one stock bandit builds.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
from collections.abc import Iterator

__all__ = ["BANDIT_NAMESPACES", "bandit_entry_points", "own_entry_points"]

BANDIT_NAMESPACES = ("bandit.plugins", "bandit.blacklists")
_FORMATTERS = "bandit.formatters"


def bandit_entry_points() -> dict[str, list[importlib.metadata.EntryPoint]]:
    """The entry points the bandit distribution registers for its tests and blacklists, by namespace."""
    registered = importlib.metadata.distribution("bandit").entry_points
    return {namespace: [ep for ep in registered if ep.group == namespace] for namespace in BANDIT_NAMESPACES}


@contextlib.contextmanager
def own_entry_points() -> Iterator[None]:
    """While the block runs (bandit's first import builds its extension manager), stevedore finds bandit's own
    tests and blacklists and no formatter, without looking at other distributions. Namespaces stevedore already
    knows are left alone."""
    from stevedore import extension

    cache = extension.ExtensionManager.ENTRY_POINT_CACHE
    given = {namespace: eps for namespace, eps in bandit_entry_points().items() if namespace not in cache}
    if _FORMATTERS not in cache:
        given[_FORMATTERS] = []
    cache.update(given)
    try:
        yield
    finally:
        for namespace in given:
            cache.pop(namespace, None)
