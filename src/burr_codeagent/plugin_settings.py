"""Settings a plugin declares (tox 4's ``add_config(keys, of_type, default, desc)`` shape).

A gate, backend or renderer lists the settings it reads as :class:`Setting` objects; the host checks the user's
values (``gates.options.<gate>``, ``backend_options.<backend>``, ``report_options.<format>``) against them, fills in
the defaults and hands the plugin a validated mapping. A new plugin with a setting touches no core file, and a
misspelt key is an error with a suggestion instead of a silently ignored value.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .errors import ConfigurationError, unknown_name_message

__all__ = ["Setting", "describe_settings", "resolve_settings", "validate_setting_declarations"]


_UNSET: Any = object()


@dataclass(frozen=True)
class Setting:
    """One setting of a plugin.

    Attributes:
        key: Its name under the plugin's options (``cassette``).
        of_type: What pydantic validates the value as: a type or a typing form (``int``, ``Path | None``,
            ``Literal["exact", "order"]``).
        default: The value when nothing sets it.
        desc: One line for ``codeagent backends`` / ``codeagent gates`` and the docs.
        aliases: Top-level :class:`~burr_codeagent.AgentConfig` fields that also set it, for settings that have a
            documented flag or variable of their own (``--cassette``, ``AWS_REGION``); the options mapping wins.
    """

    key: str
    of_type: Any
    default: Any
    desc: str
    aliases: tuple[str, ...] = ()


@functools.cache
def _adapter(of_type: Any) -> TypeAdapter[Any]:
    return TypeAdapter(of_type)


def validate_setting_declarations(owner: str, settings: object) -> tuple[Setting, ...]:
    """``settings`` as a tuple of :class:`Setting` (raises :class:`TypeError` naming ``owner`` when it is not)."""
    if isinstance(settings, str | Setting) or not isinstance(settings, Sequence):
        raise TypeError(
            f"{owner}: settings must be a tuple of burr_codeagent.plugin_settings.Setting, got {settings!r}"
        )
    for setting in settings:
        if not isinstance(setting, Setting):
            raise TypeError(f"{owner}: settings must hold Setting objects, got {setting!r}")
        try:
            _adapter(setting.of_type)
        except Exception as exc:
            raise TypeError(
                f"{owner}: setting {setting.key!r} has a type pydantic cannot check: {exc}"
            ) from exc
    keys = [s.key for s in settings]
    if len(set(keys)) != len(keys):
        raise TypeError(f"{owner}: a setting is declared twice in {keys}")
    return tuple(settings)


def resolve_settings(
    settings: Sequence[Setting],
    given: Mapping[str, Any],
    *,
    where: str,
    fallback: Callable[[str], Any] | None = None,
) -> dict[str, Any]:
    """The validated values of ``settings``: from ``given``, else the first alias ``fallback`` knows, else default.

    Args:
        settings: What the plugin declares.
        given: What the user set (``backend_options.replay``).
        where: The path of ``given`` in the configuration, for messages.
        fallback: Reads an alias (an ``AgentConfig`` field); ``None`` from it means unset.

    Raises:
        ConfigurationError: an unknown key (with the closest declared one) or a value of the wrong type.
    """
    declared = {s.key for s in settings}
    for key in given:
        if key not in declared:
            raise ConfigurationError(f"{where}: {unknown_name_message('setting', key, declared)}")
    values: dict[str, Any] = {}
    for setting in settings:
        raw = given.get(setting.key, _UNSET)
        if raw is _UNSET and fallback is not None:
            raw = next((v for v in map(fallback, setting.aliases) if v is not None), _UNSET)
        if raw is _UNSET:
            values[setting.key] = setting.default
            continue
        try:
            values[setting.key] = _adapter(setting.of_type).validate_python(raw)
        except ValidationError as exc:
            problem = "; ".join(e["msg"] for e in exc.errors(include_url=False))
            raise ConfigurationError(
                f"{where}.{setting.key}: {problem} (got {raw!r}; {setting.desc})"
            ) from exc
    return values


def describe_settings(settings: Sequence[Setting]) -> list[dict[str, Any]]:
    """JSON rows for listings: key, type, default, description and aliases."""
    return [
        {
            "key": s.key,
            "type": getattr(s.of_type, "__name__", None) or str(s.of_type).replace("typing.", ""),
            "default": s.default
            if isinstance(s.default, str | int | float | bool | None)
            else str(s.default),
            "description": s.desc,
            "aliases": list(s.aliases),
        }
        for s in settings
    ]
