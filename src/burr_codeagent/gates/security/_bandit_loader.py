"""bandit's tests and blacklists loaded as bandit's command line loads them, less what the security gate never uses.

* bandit builds its extension manager when it is first imported: stevedore looks up the ``bandit.plugins``,
  ``bandit.blacklists`` and ``bandit.formatters`` entry points of every installed distribution (from a cache it keeps
  per ``sys.path``, rebuilt by reading every distribution's metadata whenever ``sys.path`` differs) and loads every
  formatter. The gate needs the tests and blacklists bandit registers itself: they come from bandit's own
  ``entry_points.txt`` through stevedore's per-namespace entry-point cache, and the formatter namespace is empty.
  Tests that another distribution adds to bandit are not loaded (the gate runs the pinned bandit's tests).
* bandit's and bandit.core's ``__init__`` import its scan manager (rich.progress), its configuration module (yaml)
  and read its metadata; the test set needs none of them (a ``BanditConfig()`` without a file sets no test option).
  They run only when something asks the packages for a name they define (``bandit.__version__``).

Together a third of loading bandit. ``tests/gates/test_bandit_loader.py`` compares the test set, with each test's
configuration, with the one stock bandit builds.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import pkgutil
import sys
import threading
from collections.abc import Iterator
from types import ModuleType
from typing import Any

__all__ = ["BANDIT_NAMESPACES", "bandit_entry_points", "load_test_set", "own_entry_points"]

BANDIT_NAMESPACES = ("bandit.plugins", "bandit.blacklists")
_FORMATTERS = "bandit.formatters"
# The modules bandit's and bandit.core's __init__ import with ``*`` (none of them has an ``__all__``).
_STAR_IMPORTED = ("constants", "issue", "test_properties")


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


class _DefaultConfig:
    """What ``BanditTestSet`` reads of a ``BanditConfig()`` made without a file: no option is set, so every test that
    takes configuration gets its own module's ``gen_config`` default (bandit.core.config, and the yaml parser it
    imports, are not needed for that)."""

    def get_option(self, option_string: str) -> None:
        return None


def _init_on_use(name: str) -> ModuleType:
    """The package ``name`` without running its ``__init__`` now: it runs, once, when an attribute it defines (not
    one of its submodules) is first read, so ``import bandit; bandit.__version__`` works as ever."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        raise ImportError(f"{name} is not an installed package")
    package = importlib.util.module_from_spec(spec)
    submodules = {info.name for info in pkgutil.iter_modules(spec.submodule_search_locations)}
    lock = threading.Lock()

    def attribute_of_init(attribute: str) -> Any:
        if attribute in submodules:  # as if the __init__ had imported it (``from bandit.core import x`` too)
            return importlib.import_module(f"{name}.{attribute}")
        with lock:
            if package.__dict__.pop("__getattr__", None) is not None:
                exec(spec.loader.get_code(name), package.__dict__)  # type: ignore[union-attr]
        try:
            return package.__dict__[attribute]
        except KeyError:
            raise AttributeError(f"module {name!r} has no attribute {attribute!r}") from None

    package.__getattr__ = attribute_of_init  # type: ignore[method-assign]
    return package


def load_test_set() -> Any:
    """bandit's test set as ``BanditTestSet(BanditConfig(), profile={})`` builds it on the command line.

    bandit's package ``__init__`` modules import every core module, among them its scan manager (which imports
    rich.progress) and its configuration (yaml), and read bandit's metadata: a third of loading bandit, for nothing
    the gate uses. When bandit is not imported yet they run only if something reads what they define.
    """
    if "bandit" not in sys.modules:
        root = sys.modules["bandit"] = _init_on_use("bandit")
        core = sys.modules["bandit.core"] = _init_on_use("bandit.core")
        root.core = core  # type: ignore[attr-defined]
        # What both __init__ modules star-import, which bandit's tests use (bandit.Issue, bandit.HIGH).
        for name in _STAR_IMPORTED:
            exported = importlib.import_module(f"bandit.core.{name}").__dict__
            public = {key: value for key, value in exported.items() if not key.startswith("_")}
            root.__dict__.update(public)
            core.__dict__.update(public)
    with own_entry_points():
        from bandit.core import test_set

        return test_set.BanditTestSet(_DefaultConfig(), profile={})
