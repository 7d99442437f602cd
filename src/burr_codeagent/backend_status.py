"""What ``codeagent backends`` shows: each backend, whether it is usable here, and what is missing.

A backend that talks to a server on this machine or the local network (Ollama, a llama.cpp or vLLM server behind
``--base-url``) is only called configured when something listens on its port: needing no key is not the same as
being reachable.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from .config import AgentConfig
    from .plugins import PluginManager

__all__ = ["backend_rows", "backends_table", "listening", "local_server_url", "not_configured_message"]

PROBE_SECONDS = 0.5


def local_server_url(name: str, config: AgentConfig) -> str | None:
    """The URL of the local server backend ``name`` would talk to, if it talks to one."""
    from .backends._settings import configured_base_url
    from .backends.openai_api import OLLAMA_URL, is_local_url

    if name == "ollama":
        return config.base_url or OLLAMA_URL
    if name == "openai":
        url = configured_base_url(config, "OPENAI_BASE_URL")
        return url if is_local_url(url) else None
    return None


def listening(url: str, timeout: float = PROBE_SECONDS) -> bool:
    """Whether a TCP connection to ``url``'s host and port succeeds."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "localhost", port), timeout=timeout):
            return True
    except OSError:
        return False


def backend_rows(manager: PluginManager, config: AgentConfig) -> list[dict[str, Any]]:
    """One row per registered backend: name, description, configured, missing, plugin, selected, settings."""
    from .plugin_settings import describe_settings

    rows: list[dict[str, Any]] = []
    for name, registered in sorted(manager.backends().items()):
        missing = list(registered.item.missing(config))
        server = local_server_url(name, config) if not missing else None
        if server is not None and not listening(server):
            parts = urlsplit(server)
            missing.append(
                f"nothing listens on {parts.hostname}:{parts.port}; start the server or point --base-url at it"
            )
        rows.append(
            {
                "name": name,
                "description": registered.item.description,
                "configured": not missing,
                "missing": missing,
                "plugin": registered.plugin,
                "selected": name == config.backend,
                "settings": describe_settings(getattr(registered.item, "settings", ())),
            }
        )
    return rows


def backends_table(rows: list[dict[str, Any]]) -> Table:
    """The rows as a rich table; every cell is escaped (``[local]`` is text, not markup)."""
    table = Table(title="LLM backends")
    for column in ("backend", "configured", "what is missing", "description"):
        table.add_column(column)
    for row in rows:
        name = f"{row['name']} (selected)" if row["selected"] else row["name"]
        table.add_row(
            escape(name),
            "yes" if row["configured"] else "no",
            escape("\n".join(row["missing"]) or "-"),
            escape(row["description"]),
        )
    return table


def not_configured_message(manager: PluginManager, config: AgentConfig) -> str | None:
    """Why the selected backend cannot run, with how to configure each backend (``None`` when it can)."""
    missing = manager.backends()[config.backend].item.missing(config)
    if not missing:
        return None
    help_lines = "\n".join(
        f"  {name}: {registered.item.description}" for name, registered in sorted(manager.backends().items())
    )
    return (
        f"the {config.backend!r} backend is not configured: {'; '.join(missing)}. "
        "Pick and configure a backend with --backend or CODEAGENT_BACKEND; `codeagent backends` shows what each "
        f"one needs:\n{help_lines}"
    )
