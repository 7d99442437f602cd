"""The files settings come from, checked like ruff and pytest check theirs.

* ``pyproject.toml``: a file that is not valid TOML is one line naming the file, line and column; a key of
  ``[tool.codeagent]`` (or of its ``gates`` / ``sandbox`` tables) that is no setting is rejected with the closest
  one ("did you mean ...").
* ``.env``: a line that is no ``KEY=value`` is one error naming the file and line; the providers' own variables in it
  (``OPENAI_API_KEY``, ``ANTHROPIC_API_KEY``, ``AWS_*`` ...) are made available to their SDKs, real environment
  variables winning. Their values are never logged or printed.
* Names that only a plugin can know (gate option tables, rule ids) are not errors, since a plugin may add them
  later; :func:`unknown_name_warnings` phrases them as warnings.
"""

from __future__ import annotations

import difflib
import fnmatch
import io
import os
import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from .errors import ConfigurationError

if TYPE_CHECKING:
    from .config import AgentConfig
    from .plugins import PluginManager

__all__ = [
    "PROVIDER_VARIABLES",
    "check_dotenv",
    "check_dotenv_names",
    "check_pyproject",
    "load_provider_variables",
    "plain_validation_error",
    "pyproject_table",
    "unknown_name_warnings",
]

# Variables the providers' SDKs read themselves, taken from .env when the environment lacks them.
PROVIDER_VARIABLES = ("OPENAI_", "ANTHROPIC_", "AWS_")


def _did_you_mean(name: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _keys_of(model: type[BaseModel]) -> set[str]:
    keys = set(model.model_fields)
    for name, info in model.model_fields.items():
        if info.alias:
            keys.add(info.alias)
        keys.add(name)
    return keys


def _check_table(table: Mapping[str, Any], model: type[BaseModel], where: str) -> None:
    known = _keys_of(model)
    for key, value in table.items():
        if key not in known:
            raise ConfigurationError(f"{where}: unknown setting {key!r}{_did_you_mean(key, known)}")
        annotation = model.model_fields[key].annotation
        if isinstance(value, dict) and isinstance(annotation, type) and issubclass(annotation, BaseModel):
            _check_table(value, annotation, f"{where}.{key}")


def check_pyproject(path: Path | None, settings: type[BaseModel]) -> None:
    """Raise :class:`ConfigurationError` for a ``pyproject.toml`` that is not TOML or has unknown settings."""
    pyproject_table(path, settings)


def pyproject_table(path: Path | None, settings: type[BaseModel]) -> dict[str, Any] | None:
    """The ``[tool.codeagent]`` table of ``path``, checked as :func:`check_pyproject` checks it (``None`` when there
    is no file or no such table)."""
    if path is None or not path.is_file():
        return None
    import tomllib  # only when there is a file to read

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigurationError(f"{path}: is not valid UTF-8 (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{path}: invalid TOML: {exc}") from None
    table = data.get("tool", {}).get("codeagent")
    if not isinstance(table, dict):
        return None
    _check_table(table, settings, f"{path} [tool.codeagent]")
    return table


def check_dotenv(path: Path) -> dict[str, str]:
    """The ``KEY=value`` pairs of a ``.env`` file; :class:`ConfigurationError` naming the line of one that is not."""
    if not path.is_file():
        return {}
    from dotenv.parser import parse_stream  # imported only when there is a file to read

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigurationError(f"{path}: is not valid UTF-8 (byte {exc.start})") from None
    pairs: dict[str, str] = {}
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:  # the line is not echoed: it may hold a secret
            raise ConfigurationError(
                f"{path}:{binding.original.line}: not a KEY=value line; quote values with spaces or #"
            )
        if binding.key is not None and binding.value is not None:
            pairs[binding.key] = binding.value
    return pairs


def check_dotenv_names(pairs: Mapping[str, str], settings: type[BaseModel], path: Path) -> None:
    """Reject a ``CODEAGENT_*`` variable in ``.env`` that names no setting (a typo would be silently ignored)."""
    known = {name.upper() for name in settings.model_fields}
    for key in pairs:
        if key.startswith("CODEAGENT_"):
            name = key.removeprefix("CODEAGENT_").split("__", 1)[0]
            if name not in known:
                close = _did_you_mean(name, known).replace("'", "'CODEAGENT_", 1)
                raise ConfigurationError(f"{path}: unknown setting {key!r}{close}")


def load_provider_variables(pairs: Mapping[str, str], environ: dict[str, str] | None = None) -> list[str]:
    """Put the providers' variables of ``pairs`` into the environment unless already set; their names, sorted."""
    target = os.environ if environ is None else environ
    loaded = []
    for key, value in pairs.items():
        if key.startswith(PROVIDER_VARIABLES) and key not in target:
            target[key] = value
            loaded.append(key)
    return sorted(loaded)


# Rule ids that carry an external tool's code (style.E501 from ruff, security.B101 from bandit): the gate lists the
# codes it has seen described, not every code its tool may report, so these are never called unknown.
_TOOL_CODE = re.compile(r"^[A-Z]+\d+$")


def _matches(rule: str, known_rules: Collection[str], gates: Collection[str]) -> bool:
    if rule.endswith("*"):
        return any(fnmatch.fnmatchcase(r, rule) for r in known_rules)
    gate, _, code = rule.partition(".")
    return rule in known_rules or (gate in gates and bool(_TOOL_CODE.match(code)))


def unknown_name_warnings(config: AgentConfig, manager: PluginManager) -> list[str]:
    """Gate option tables for no gate, and rule ids no gate has, each as one warning sentence."""
    gates = manager.gates()
    warnings: list[str] = []
    for name in config.gates.options:
        if name not in gates:
            warnings.append(f"gates.options.{name}: no gate is named {name!r}{_did_you_mean(name, gates)}")
    mentioned = [("gates.disable_rules", r) for r in config.gates.disable_rules]
    mentioned += [("gates.severity", r) for r in config.gates.severity]
    if (
        not mentioned
    ):  # the style gate's rule catalogue runs `ruff rule --all`: only when a name needs checking
        return warnings
    rules = {rule for registered in gates.values() for rule in registered.item.rules}
    for where, rule in mentioned:
        if not _matches(rule, rules, gates):
            warnings.append(f"{where}: no gate has a rule {rule!r}{_did_you_mean(rule, rules)}")
    return warnings


def plain_validation_error(error: Any) -> str:
    """One pydantic error as ``setting max_retries = -1: must be ...``, without pydantic's prefixes."""
    field = ".".join(str(p) for p in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if not field:
        return f"invalid setting: {message}"
    value = error.get("input")
    shown = f" = {value!r}" if isinstance(value, str | int | float | bool) and "key" not in field else ""
    return f"invalid setting {field}{shown}: {message}"
