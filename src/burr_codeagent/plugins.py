"""The plugin manager: built-ins, entry points (group ``burr_codeagent``) and per-agent plugins, behind a typed facade.

Built-in gates, backends and renderers are the public modules of the ``gates``, ``backends`` and ``reports``
packages; each registers itself through the same hooks a third-party plugin uses, so adding one is adding a module.
``CODEAGENT_PLUGINS`` limits which external plugins load: unset loads all, an empty value loads none, otherwise a
comma-separated list of entry-point names.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import logging
import os
import pkgutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import pluggy

from . import hookspecs
from .hookspecs import PROJECT
from .report_cache import ReportCache

if TYPE_CHECKING:
    from .backends.base import BackendFactory
    from .gates.base import Gate
    from .reports.base import Renderer

__all__ = [
    "PluginError",
    "PluginManager",
    "Registered",
    "default_manager",
    "load_plugin_module",
    "manager_for",
    "register_plugin",
]

log = logging.getLogger(__name__)

BUILTIN_PACKAGES = ("burr_codeagent.gates", "burr_codeagent.backends", "burr_codeagent.reports")
T = TypeVar("T")


class PluginError(Exception):
    """A plugin could not be loaded or registered something invalid."""


@dataclass(frozen=True)
class Registered(Generic[T]):
    """A registered gate, backend or renderer and the plugin it came from."""

    item: T
    plugin: str


def builtin_modules() -> list[ModuleType]:
    """The modules of the built-in plugins, in a stable order."""
    modules = []
    for package_name in BUILTIN_PACKAGES:
        package = importlib.import_module(package_name)
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            if info.name.startswith("_") or info.name == "base":
                continue
            try:
                module = importlib.import_module(f"{package_name}.{info.name}")
            except Exception as exc:
                raise PluginError(
                    f"built-in module {package_name}.{info.name} failed to import: {exc}"
                ) from exc
            if any(
                hasattr(module, hook)
                for hook in ("register_gates", "register_backends", "register_renderers")
            ):
                modules.append(module)
    return modules


class PluginManager:
    """A typed facade over :class:`pluggy.PluginManager` for the three registration hooks."""

    def __init__(self, plugins: Sequence[object] = (), *, load_entry_points: bool = True) -> None:
        self._cache: dict[str, dict[str, Registered[Any]]] = {}
        self.report_cache = ReportCache()
        self._pm = pluggy.PluginManager(PROJECT)
        self._pm.add_hookspecs(hookspecs)
        for module in builtin_modules():
            self._pm.register(module, name=f"builtin:{module.__name__.rsplit('.', 1)[-1]}")
        if load_entry_points:
            self._load_entry_points()
        for plugin in plugins:
            self.register(plugin)

    def register(self, plugin: object, name: str | None = None) -> None:
        """Register one more plugin (an object or module with ``@hookimpl`` functions)."""
        if name is None and not isinstance(plugin, ModuleType):
            name = f"{type(plugin).__module__}.{type(plugin).__qualname__}#{id(plugin):x}"
        try:
            self._pm.register(plugin, name=name)
        except ValueError as exc:
            raise PluginError(f"cannot register plugin {name or plugin!r}: {exc}") from exc
        self._cache.clear()
        self.report_cache = ReportCache()

    def _load_entry_points(self) -> None:
        wanted = os.environ.get("CODEAGENT_PLUGINS")
        allowed = None if wanted is None else {n.strip() for n in wanted.split(",") if n.strip()}
        for ep in entry_points(group=PROJECT):
            if allowed is not None and ep.name not in allowed:
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                raise PluginError(f"plugin {ep.name!r} ({ep.value}) failed to load: {exc}") from exc
            dist = ep.dist.name if ep.dist is not None else ep.value
            self._pm.register(plugin, name=f"{dist}:{ep.name}")

    def plugin_names(self) -> list[str]:
        """Names of every registered plugin."""
        return [name for name, _ in self._pm.list_name_plugin()]

    def _collect(self, hook_name: str, kind: str) -> dict[str, Registered[Any]]:
        if hook_name in self._cache:
            return self._cache[hook_name]
        found: dict[str, Registered[Any]] = {}
        hook = getattr(self._pm.hook, hook_name)
        # Each implementation is called on its own so every item can be attributed to the plugin that made it.
        for impl in hook.get_hookimpls():  # registration order: built-ins first

            def register(item: Any, _plugin: str = impl.plugin_name) -> None:
                name = getattr(item, "name", None)
                if not isinstance(name, str) or not name:
                    raise PluginError(f"plugin {_plugin!r} registered a {kind} without a name: {item!r}")
                if name in found:
                    raise PluginError(
                        f"{kind} {name!r} is registered twice: by {found[name].plugin!r} and by {_plugin!r}"
                    )
                found[name] = Registered(item, _plugin)

            try:
                impl.function(register=register)
            except PluginError:
                raise
            except Exception as exc:
                raise PluginError(
                    f"plugin {impl.plugin_name!r} failed in {hook_name}: {type(exc).__name__}: {exc}"
                ) from exc
        self._cache[hook_name] = found
        return found

    def gates(self) -> dict[str, Registered[Gate]]:
        """Every registered gate by name."""
        return self._collect("register_gates", "gate")

    def backends(self) -> dict[str, Registered[BackendFactory]]:
        """Every registered backend factory by name."""
        return self._collect("register_backends", "backend")

    def renderers(self) -> dict[str, Registered[Renderer]]:
        """Every registered report renderer by name."""
        return self._collect("register_renderers", "renderer")

    def gate_names(self) -> set[str]:
        """Names of the registered gates."""
        return set(self.gates())

    def backend_names(self) -> set[str]:
        """Names of the registered backends."""
        return set(self.backends())

    def renderer_names(self) -> set[str]:
        """Names of the registered renderers."""
        return set(self.renderers())


@functools.cache
def default_manager() -> PluginManager:
    """The process-wide manager: built-ins plus the external plugins ``CODEAGENT_PLUGINS`` allows."""
    return PluginManager()


def load_plugin_module(spec: str) -> ModuleType:
    """Import a plugin given as a module name (``my_gates``) or a Python file (``./my_gates.py``)."""
    path = Path(spec)
    try:
        if spec.endswith(".py"):
            if not path.is_file():
                raise PluginError(f"plugin file {spec!r} does not exist")
            loader_spec = importlib.util.spec_from_file_location(f"codeagent_plugin_{path.stem}", path)
            if loader_spec is None or loader_spec.loader is None:
                raise PluginError(f"cannot load plugin file {spec!r}")
            module = importlib.util.module_from_spec(loader_spec)
            loader_spec.loader.exec_module(module)
            return module
        return importlib.import_module(spec)
    except PluginError:
        raise
    except Exception as exc:
        raise PluginError(f"plugin {spec!r} failed to load: {type(exc).__name__}: {exc}") from exc


def register_plugin(plugin: object, name: str | None = None) -> None:
    """Register ``plugin`` for the whole process, so configuration may name its gates, backends and formats.

    Prefer ``CodeAgent(plugins=[...])`` for plugins one agent needs; their gates run by default but configuration
    (validated against the process-wide registry) cannot name them.
    """
    default_manager().register(plugin, name)


def manager_for(plugins: Iterable[object] | None) -> PluginManager:
    """The default manager, or a fresh one with extra per-agent plugins (global state is left alone)."""
    extra = list(plugins or [])
    return PluginManager(extra) if extra else default_manager()


RegisterCallback = Callable[[Any], None]
