"""The ``codeagent mcp`` command. It imports the ``mcp`` SDK only when run, so the CLI works without the extra."""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from .inputs import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    from ..plugins import PluginManager

__all__ = ["make_mcp_command", "parse_http_address"]

EXIT_USAGE = 2
_err = Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(message: str) -> typer.Exit:
    _err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(EXIT_USAGE)


def parse_http_address(value: str) -> tuple[str, int]:
    """``HOST:PORT`` or ``PORT`` (host 127.0.0.1) as ``(host, port)``; raises ``ValueError`` with the reason."""
    host, _, port_text = value.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"--http {value!r}: give HOST:PORT or PORT with a port from 1 to 65535")
    return host, int(port_text)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_mcp_command(manager: Callable[[], PluginManager]) -> Callable[..., None]:
    """The ``codeagent mcp`` command, serving with the plugins ``manager()`` returns (the command's ``--plugin``s)."""

    def mcp(
        http: Annotated[
            str | None,
            typer.Option(help="Serve streamable HTTP on HOST:PORT (or PORT on 127.0.0.1) instead of stdio."),
        ] = None,
        allow_remote: Annotated[
            bool,
            typer.Option(
                "--allow-remote", help="Allow a non-loopback --http host (the server has no authentication)."
            ),
        ] = False,
        root: Annotated[
            Path | None,
            typer.Option(help="check_file reads files under this directory only (default: the cwd)."),
        ] = None,
        max_bytes: Annotated[
            int, typer.Option(help="Largest code or test text accepted.")
        ] = DEFAULT_MAX_BYTES,
        max_concurrent: Annotated[int, typer.Option(help="Checks and agent runs served at once.")] = 2,
        execution_timeout: Annotated[
            float | None, typer.Option(help="Seconds the tests of one check may run.")
        ] = None,
    ) -> None:
        """Serve the checker and the agent to coding assistants over the Model Context Protocol."""
        try:
            from .mcp_server import ServerSettings, build_server
        except ImportError as exc:
            raise _fail(
                f"codeagent mcp needs the mcp extra: pip install 'burr-codeagent[mcp]' ({exc})"
            ) from None
        from pydantic import ValidationError

        from ..config import AgentConfig, find_pyproject, use_pyproject

        base = (root or Path.cwd()).resolve()
        if not base.is_dir():
            raise _fail(f"--root {base}: not a directory")
        if max_bytes < 1 or max_concurrent < 1:
            raise _fail("--max-bytes and --max-concurrent must be at least 1")
        try:
            address = parse_http_address(http) if http is not None else None
            with use_pyproject(find_pyproject(base)):
                overrides: dict[str, Any] = {}
                if execution_timeout is not None:
                    overrides["execution_timeout"] = execution_timeout
                config = AgentConfig(**overrides)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError too
            detail = exc.errors(include_url=False) if isinstance(exc, ValidationError) else None
            raise _fail(f"invalid setting: {detail}" if detail else str(exc)) from None
        from ..errors import ConfigurationError

        plugins = manager()
        try:
            plugins.validate(config, backend=False)  # the backend is checked when generate_code needs it
        except ConfigurationError as exc:
            raise _fail(str(exc)) from None
        server = build_server(ServerSettings(base, max_bytes, max_concurrent), config, plugins)
        if address is None:
            server.run("stdio")
            return
        host, port = address
        if not _is_loopback(host) and not allow_remote:
            raise _fail(f"--http {host}: not a loopback address; add --allow-remote to serve other machines")
        print(
            f"codeagent mcp: serving streamable HTTP on http://{host}:{port}/mcp", file=sys.stderr, flush=True
        )
        server.run("streamable-http", host=host, port=port)

    return mcp
