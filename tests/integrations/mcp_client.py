"""Drive ``codeagent mcp`` the way a coding assistant does: the ``mcp`` client over the server's stdio."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from mcp import Client
from mcp.client.stdio import StdioServerParameters


def server_parameters(
    root: Path, env: Mapping[str, str] | None = None, *args: str, before: tuple[str, ...] = ()
) -> StdioServerParameters:
    """``python -m burr_codeagent mcp`` in ``root``, with no external plugins and this test's HOME."""
    environment = {"CODEAGENT_PLUGINS": "", "HOME": os.environ["HOME"], **dict(env or {})}
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "burr_codeagent", *before, "mcp", *args],
        env=environment,
        cwd=str(root),
    )


@asynccontextmanager
async def connected(
    root: Path, env: Mapping[str, str] | None = None, *args: str, before: tuple[str, ...] = ()
) -> AsyncIterator[Client]:
    """A client connected to a fresh server subprocess (stopped on exit)."""
    async with Client(server_parameters(root, env, *args, before=before), read_timeout_seconds=120) as client:
        yield client
