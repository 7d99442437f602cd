"""The sources of :class:`~burr_codeagent.AgentConfig` other than its arguments, read by pydantic-settings.

``CODEAGENT_*`` variables (and the seed's ``MODEL``, ``AWS_REGION``, ``AWS_PROFILE``), ``.env`` in the working
directory and ``[tool.codeagent]`` of the nearest ``pyproject.toml`` are read by a pydantic-settings ``BaseSettings``
class built here from the config class on first use. When none of them holds a setting -- the usual
``codeagent check`` -- the config validates its arguments alone and pydantic-settings (with the asyncio, argparse,
dotenv and cloud-provider modules it imports: a tenth of that command's start-up) is never imported. Whether a
source holds a setting is decided conservatively: any variable or ``.env`` key named after a field (a ``.env`` of
the providers' keys alone holds none), a ``.env`` that does not parse cleanly, any ``[tool.codeagent]`` table sends
construction through pydantic-settings, which then decides as it always has --
except when that table is the only source with settings and it and the arguments name fields only: the arguments
are then merged over the table as pydantic-settings merges them (:func:`pyproject_settings`), so a project
configured in its ``pyproject.toml`` is checked without pydantic-settings either.
"""

from __future__ import annotations

import functools
import io
import os
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import AliasChoices

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

__all__ = [
    "ENV_FILE",
    "ENV_PREFIX",
    "environment_has_settings",
    "pyproject_has_table",
    "pyproject_settings",
    "read_settings",
    "sources_have_settings",
]

ENV_PREFIX = "CODEAGENT_"
ENV_FILE = ".env"
_NESTED_DELIMITER = "__"
_TABLE = ("tool", "codeagent")

# The pyproject.toml the reader being constructed reads (its sources are chosen inside its construction).
_READING: ContextVar[Path | None] = ContextVar("codeagent_reading_pyproject", default=None)


@functools.cache
def _variable_names(config: type[BaseModel]) -> tuple[frozenset[str], tuple[str, ...]]:
    """The lower-case environment names that can set a field of ``config``, and the prefixes of nested ones."""
    names: set[str] = set()
    for name, info in config.model_fields.items():
        names.add(f"{ENV_PREFIX}{name}".lower())
        alias = info.validation_alias
        choices = alias.choices if isinstance(alias, AliasChoices) else [alias]
        names.update(choice.lower() for choice in choices if isinstance(choice, str))
    return frozenset(names), tuple(f"{name}{_NESTED_DELIMITER}" for name in sorted(names))


def pyproject_has_table(path: Path | None) -> bool:
    """Whether ``path`` has a ``[tool.codeagent]`` table (or does not parse, which pydantic-settings reports)."""
    if path is None or not path.is_file():
        return False
    import tomllib  # only when there is a file to read

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True  # pydantic-settings' path reports the broken file (settings_files.check_pyproject)
    tool = data.get(_TABLE[0], {})
    return not isinstance(tool, dict) or _TABLE[1] in tool


def _names_a_setting(key: str, names: frozenset[str], nested: tuple[str, ...]) -> bool:
    lowered = key.lower()
    return lowered in names or lowered.startswith(nested)


def _dotenv_has_settings(names: frozenset[str], nested: tuple[str, ...]) -> bool:
    """Whether ``.env`` may set a field: a key named like a setting, or a file that python-dotenv's parser (which
    pydantic-settings reads it with) does not read cleanly. The providers' keys alone set nothing."""
    path = Path(ENV_FILE)
    if not path.exists():
        return False
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return True
    from dotenv.parser import parse_stream

    for binding in parse_stream(io.StringIO(text)):
        if binding.error or (binding.key is not None and _names_a_setting(binding.key, names, nested)):
            return True
    return False


def environment_has_settings(config: type[BaseModel], values: dict[str, Any]) -> bool:
    """A variable or ``.env`` key named after one of the fields of ``config``, or one of ``BaseSettings``' own
    ``_``-prefixed arguments in ``values``."""
    if any(key.startswith("_") for key in values):
        return True
    names, nested = _variable_names(config)
    if any(_names_a_setting(key, names, nested) for key in os.environ):
        return True
    return _dotenv_has_settings(names, nested)


def sources_have_settings(config: type[BaseModel], values: dict[str, Any], pyproject: Path | None) -> bool:
    """Whether building ``config`` from ``values`` needs a settings source: a variable or ``.env`` key named after
    one of its fields (or a ``.env`` file that does not parse), a ``[tool.codeagent]`` table in ``pyproject`` (or a
    file that does not parse), or one of ``BaseSettings``' own ``_``-prefixed arguments."""
    return environment_has_settings(config, values) or pyproject_has_table(pyproject)


def _deep_update(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``update`` on top, tables merged key by key (pydantic-settings' merge of two sources)."""
    merged = dict(base)
    for key, value in update.items():
        if isinstance(merged.get(key), dict) and isinstance(value, dict):
            merged[key] = _deep_update(merged[key], value)
        else:
            merged[key] = value
    return merged


def pyproject_settings(
    config: type[BaseModel], values: dict[str, Any], pyproject: Path | None
) -> dict[str, Any] | None:
    """``values`` on top of ``[tool.codeagent]``, when that table is the only source with settings: what
    pydantic-settings would build, without importing it (a tenth of a ``codeagent check`` process).

    For the caller that found no variable, ``.env`` key or ``_``-argument holding a setting
    (:func:`environment_has_settings`). ``None`` -- pydantic-settings reads the sources -- unless the table's keys
    and the arguments all name fields (so no alias, case or extra-key rule of pydantic-settings applies). The table
    is checked as pydantic-settings' path checks it (unknown settings, TOML errors). ``tests/test_config_sources.py``
    builds the same configurations both ways.
    """
    from .settings_files import pyproject_table

    table = pyproject_table(pyproject, config)
    fields = config.model_fields
    if table is None or not all(key in fields for key in (*table, *values)):
        return None
    return _deep_update(table, values)


def read_settings(config: type[BaseModel], values: dict[str, Any], pyproject: Path | None) -> dict[str, Any]:
    """``values`` merged with what the variables, ``.env`` and ``pyproject`` set, validated by pydantic-settings:
    the fields that were set, by name (the config validates them again, cheaply, as its own)."""
    token = _READING.set(pyproject)
    try:
        read = _reader(config)(**values)
    finally:
        _READING.reset(token)
    return {name: getattr(read, name) for name in read.model_fields_set}


@functools.cache
def _reader(config: type[BaseModel]) -> type[BaseSettings]:
    """A ``BaseSettings`` subclass of ``config`` with the settings sources and options of ``AgentConfig``."""
    from typing import Annotated

    from pydantic_settings import (
        BaseSettings,
        NoDecode,
        PyprojectTomlConfigSettingsSource,
        SettingsConfigDict,
    )

    from .settings_files import check_pyproject

    formats = config.model_fields["report_formats"]

    class Reader(BaseSettings, config):  # type: ignore[misc,valid-type]
        model_config = SettingsConfigDict(
            title=config.__name__,  # validation errors name the config, not this class
            env_prefix=ENV_PREFIX,
            env_file=ENV_FILE,
            env_file_encoding="utf-8",
            env_nested_delimiter=_NESTED_DELIMITER,
            extra="ignore",
            validate_default=True,
            pyproject_toml_table_header=_TABLE,
            protected_namespaces=(),
            populate_by_name=True,
        )
        _reads_sources: ClassVar[bool] = True
        # Comma-separated in the environment: the config's own validator splits it, pydantic-settings must not
        # try it as JSON first.
        report_formats: Annotated[list[str], NoDecode] = formats  # type: ignore[assignment]

        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            # With no pyproject.toml found the source falls back to ./pyproject.toml, which then does not exist.
            pyproject = _READING.get()
            check_pyproject(pyproject, config)  # not TOML, or unknown keys: one line naming the file
            return (
                init_settings,
                env_settings,
                dotenv_settings,
                PyprojectTomlConfigSettingsSource(settings_cls, pyproject),
            )

    Reader.__name__ = Reader.__qualname__ = config.__name__
    return Reader
