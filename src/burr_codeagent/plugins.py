"""The plugin manager: built-ins, entry points (group ``burr_codeagent``) and per-agent plugins, behind a typed facade.

Built-in gates, backends and renderers are the public modules of the ``gates``, ``backends`` and ``reports``
packages; each registers itself through the same hooks a third-party plugin uses, so adding one is adding a module.
A package's modules are imported when its kind is first asked for (``codeagent check`` never imports a backend or,
for text output, a renderer), and its items still come first, before those of external plugins.
``CODEAGENT_PLUGINS`` limits which external plugins load: unset loads all, an empty value loads none, otherwise a
comma-separated list of entry-point names.

Every agent, checker and CLI command runs with one :class:`PluginManager`, and the names a configuration uses
(backend, gates, report formats) are checked against that manager by :meth:`PluginManager.validate` -- never
against a process-wide registry. :func:`default_manager` is the shared manager of the built-ins and the installed
plugins that the public entry points (``check``, ``Checker``, ``CodeAgent`` and the CLI) use when given no plugins.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import logging
import os
import pkgutil
import threading
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import pluggy

from . import hookspecs
from .errors import ConfigurationError, unknown_name_message
from .gates.base import gate_options, validate_gate
from .hookspecs import PROJECT
from .plugin_discovery import group_entry_points
from .report_cache import ReportCache

if TYPE_CHECKING:
    from .backends.base import BackendFactory
    from .config import AgentConfig
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
    "unknown_name_message",
]

log = logging.getLogger(__name__)

BUILTIN_PACKAGES = ("burr_codeagent.gates", "burr_codeagent.backends", "burr_codeagent.reports")
HOOKS = ("register_gates", "register_backends", "register_renderers")
_BUILTIN_PREFIX = "builtin:"
T = TypeVar("T")


def _contract(kind: str) -> Callable[[object], None]:
    """The check an item of ``kind`` must pass; imported on use, so checking gates imports no backend."""
    if kind == "gate":
        return validate_gate
    if kind == "backend":
        from .backends.base import validate_backend_factory

        return validate_backend_factory
    from .reports.base import validate_renderer

    return validate_renderer


class PluginError(Exception):
    """A plugin could not be loaded or registered something invalid."""


@dataclass(frozen=True)
class Registered(Generic[T]):
    """A registered gate, backend or renderer and the plugin it came from."""

    item: T
    plugin: str


def builtin_modules(packages: Sequence[str] = BUILTIN_PACKAGES) -> list[ModuleType]:
    """The modules of the built-in plugins, in a stable order (private ``_name`` modules are helpers, not plugins)."""
    modules = []
    for package_name in packages:
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
            if any(hasattr(module, hook) for hook in HOOKS):
                modules.append(module)
    return modules


class PluginManager:
    """A typed facade over :class:`pluggy.PluginManager` for the three registration hooks.

    Args:
        plugins: Extra plugins (objects or modules with ``@hookimpl`` functions) for this manager only.
        load_entry_points: Load the installed plugins of the entry-point group ``burr_codeagent`` (filtered by
            ``CODEAGENT_PLUGINS``).

    Raises:
        PluginError: a plugin failed to load, implements a hook that does not exist (a misspelt
            ``register_gate``), or registered an invalid item.
    """

    def __init__(self, plugins: Sequence[object] = (), *, load_entry_points: bool = True) -> None:
        self._cache: dict[str, dict[str, Registered[Any]]] = {}
        self.report_cache = ReportCache()
        # Threads may ask a fresh manager for its gates at once (the first checks of a pool): registering the
        # built-ins and collecting a kind happen under this lock, so no thread sees a half-registered manager.
        self._lock = threading.RLock()
        self._pm = pluggy.PluginManager(PROJECT)
        self._pm.add_hookspecs(hookspecs)
        self._builtins_pending = list(BUILTIN_PACKAGES)
        if load_entry_points:
            self._load_entry_points()
        for plugin in plugins:
            self.register(plugin)

    def register(self, plugin: object, name: str | None = None) -> None:
        """Register one more plugin (an object or module with ``@hookimpl`` functions).

        Raises:
            PluginError: the plugin is registered already, or one of its hook implementations matches no hook.
        """
        if name is None and not isinstance(plugin, ModuleType):
            name = f"{type(plugin).__module__}.{type(plugin).__qualname__}#{id(plugin):x}"
        with self._lock:
            self._register(plugin, name)
            self._cache.clear()
            self.report_cache = ReportCache()

    def _register(self, plugin: object, name: str | None) -> None:
        try:
            registered_as = self._pm.register(plugin, name=name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            raise PluginError(f"cannot register plugin {name or plugin!r}: {exc}") from exc
        try:
            self._pm.check_pending()  # a misspelt hook (register_gate) would otherwise never be called
        except pluggy.PluginValidationError as exc:
            self._pm.unregister(plugin)
            raise PluginError(
                f"plugin {registered_as or name or plugin!r} implements a hook that does not exist: {exc}; "
                f"the hooks are {', '.join(HOOKS)}"
            ) from exc

    def _load_entry_points(self) -> None:
        wanted = os.environ.get("CODEAGENT_PLUGINS")
        allowed = None if wanted is None else {n.strip() for n in wanted.split(",") if n.strip()}
        for ep in group_entry_points(PROJECT):
            if allowed is not None and ep.name not in allowed:
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                raise PluginError(f"plugin {ep.name!r} ({ep.value}) failed to load: {exc}") from exc
            dist = ep.dist.name if ep.dist is not None else ep.value
            self.register(plugin, name=f"{dist}:{ep.name}")

    def _load_builtins(self, packages: Sequence[str]) -> None:
        """Register the built-in modules of ``packages`` not registered yet."""
        wanted = [p for p in packages if p in self._builtins_pending]
        if not wanted:
            return
        self._builtins_pending = [p for p in self._builtins_pending if p not in wanted]
        for module in builtin_modules(wanted):
            self._register(module, f"{_BUILTIN_PREFIX}{module.__name__.rsplit('.', 1)[-1]}")
            # Reports already checked stay valid: a built-in module registers only its own package's kind.
            for hook in HOOKS:
                if hasattr(module, hook):
                    self._cache.pop(hook, None)

    def plugin_names(self) -> list[str]:
        """Names of every registered plugin."""
        with self._lock:
            self._load_builtins(BUILTIN_PACKAGES)
            return [name for name, _ in self._pm.list_name_plugin()]

    def _collect(self, hook_name: str, kind: str) -> dict[str, Registered[Any]]:
        found = self._cache.get(hook_name)
        if found is not None:
            return found
        with self._lock:
            return self._collect_locked(hook_name, kind)

    def _collect_locked(self, hook_name: str, kind: str) -> dict[str, Registered[Any]]:
        if hook_name in self._cache:
            return self._cache[hook_name]
        self._load_builtins([BUILTIN_PACKAGES[HOOKS.index(hook_name)]])
        found: dict[str, Registered[Any]] = {}
        hook = getattr(self._pm.hook, hook_name)
        # Built-ins first (they may be registered after external plugins, when their kind was first asked for);
        # otherwise registration order. Each implementation is called on its own so every item can be attributed
        # to the plugin that made it.
        impls = sorted(hook.get_hookimpls(), key=lambda i: not i.plugin_name.startswith(_BUILTIN_PREFIX))
        for impl in impls:

            def register(item: Any, _plugin: str = impl.plugin_name) -> None:
                name = getattr(item, "name", None)
                if not isinstance(name, str) or not name:
                    raise PluginError(f"plugin {_plugin!r} registered a {kind} without a name: {item!r}")
                if name in found:
                    raise PluginError(
                        f"{kind} {name!r} is registered twice: by {found[name].plugin!r} and by {_plugin!r}"
                    )
                try:
                    _contract(kind)(item)
                except TypeError as exc:
                    raise PluginError(f"plugin {_plugin!r} registered an invalid {kind}: {exc}") from exc
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

    def validate(
        self, config: AgentConfig, *, backend: bool = True, gates: bool = True, formats: bool = True
    ) -> None:
        """Check the names ``config`` uses against what this manager registered.

        Args:
            config: The settings to check.
            backend: Check ``config.backend`` (off when the caller passes a backend instance).
            gates: Check ``gates.enable`` and ``gates.disable``.
            formats: Check ``report_formats``.

        The settings the selected backend, the gates and the chosen report formats declare are checked too.

        Raises:
            ConfigurationError: naming the setting, the unknown name, the closest match and the choices.
        """
        if backend:
            self._validate_backend(config)
        if gates:
            known = self.gate_names()
            for field in ("enable", "disable"):
                for name in getattr(config.gates, field) or []:
                    if name not in known:
                        raise ConfigurationError(
                            f"gates.{field}: {unknown_name_message('gate', name, known)}"
                        )
            for registered in self.gates().values():
                gate_options(registered.item, config)
        if formats:
            known = self.renderer_names()
            for field in ("report_formats", "report_options"):
                for name in getattr(config, field):
                    if name not in known:
                        raise ConfigurationError(
                            f"{field}: {unknown_name_message('report format', name, known)}"
                        )
            for name in config.report_formats:
                from .reports.base import renderer_options

                renderer_options(self.renderers()[name].item, {"report_options": config.report_options})

    def _validate_backend(self, config: AgentConfig) -> None:
        known = self.backend_names()
        if config.backend not in known:
            raise ConfigurationError(
                unknown_name_message("backend", config.backend, known, choose="choose one of")
            )
        for name in config.backend_options:
            if name not in known:
                raise ConfigurationError(f"backend_options: {unknown_name_message('backend', name, known)}")
        from .backends.base import backend_options

        backend_options(self.backends()[config.backend].item, config)


@functools.cache
def default_manager() -> PluginManager:
    """The shared manager of the built-ins and the installed plugins ``CODEAGENT_PLUGINS`` allows.

    ``check()``, ``Checker``, ``CodeAgent`` and the CLI use it when they are given no plugins; nothing else in the
    library reads it, so a manager passed explicitly is the one that runs and validates.
    """
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
    """Deprecated: register ``plugin`` on :func:`default_manager` for the whole process.

    Pass plugins to the thing that runs them instead: ``CodeAgent(plugins=[...])``, ``check(..., plugins=[...])``
    or ``codeagent --plugin``; configuration may name their gates, backends and formats.
    """
    warnings.warn(
        "register_plugin() is deprecated: pass plugins=[...] to CodeAgent or check(), or --plugin to the CLI",
        DeprecationWarning,
        stacklevel=2,
    )
    default_manager().register(plugin, name)


def manager_for(plugins: Iterable[object] | None) -> PluginManager:
    """The default manager, or a fresh one with extra per-agent plugins (global state is left alone)."""
    extra = list(plugins or [])
    return PluginManager(extra) if extra else default_manager()
