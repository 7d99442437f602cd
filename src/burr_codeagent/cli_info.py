"""``codeagent gates | backends | visualize | schema``: what is registered, configured and drawn."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["backends", "gates", "schema", "visualize"]


def gates(
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """List every registered quality gate with its rules and the plugin it comes from."""
    from rich.table import Table

    from .cli import cli_manager, out
    from .gates.base import GateTraits
    from .plugin_settings import describe_settings

    registered = cli_manager().gates()
    rows: list[dict[str, Any]] = [
        {
            "name": name,
            "description": r.item.description,
            "rules": dict(r.item.rules),
            "plugin": r.plugin,
            "enabled_by_default": GateTraits.of(r.item).enabled_by_default,
            "settings": describe_settings(GateTraits.of(r.item).settings),
        }
        for name, r in registered.items()
    ]
    if format == "json":
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table(title="Quality gates")
    for column in ("gate", "description", "rules", "plugin", "default"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["name"],
            row["description"],
            str(len(row["rules"])),
            row["plugin"],
            "on" if row["enabled_by_default"] else "off",
        )
    out.print(table)


def backends(
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """List every registered LLM backend and whether it is configured (local servers are probed)."""
    from .backend_status import backend_rows, backends_table
    from .cli import build_config, cli_manager, out, usage_errors

    with usage_errors():
        config = build_config(validate={"backend": False, "gates": False, "formats": False})
        rows = backend_rows(cli_manager(), config)
    if format == "json":
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    out.print(backends_table(rows))


def visualize(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help=".png, .svg, .pdf (need graphviz), .dot or .mmd")
    ] = None,
    format: Annotated[
        str | None,
        typer.Option("--format", "-f", help="mermaid or dot: print the graph as text on stdout (no -o)."),
    ] = None,
) -> None:
    """Draw the agent's Burr graph: into a file (-o), or as mermaid or DOT text on stdout."""
    from .agent import CodeAgent
    from .cli import build_config, cli_manager, out, usage_errors
    from .errors import VisualizeError
    from .visualize import graph_dot, graph_mermaid, write_graph

    with usage_errors():
        if output is not None and format is not None:
            raise VisualizeError("give -o FILE (its suffix picks the format) or --format, not both")
        if format not in (None, "mermaid", "dot"):
            raise VisualizeError(f"--format is mermaid or dot, not {format!r}")
        config = build_config(tracking=False)
        graph = CodeAgent(config, manager=cli_manager()).graph()
        if output is None:
            sys.stdout.write(graph_dot(graph) if format == "dot" else graph_mermaid(graph))
            return
        written = write_graph(graph, output)
    out.print(f"wrote {written}")


def schema(
    name: Annotated[str, typer.Argument(help="agent-result (run's json report) or check-report (check's).")],
) -> None:
    """Print the JSON Schema of a json report (generated from the pydantic models)."""
    from .cli import fail
    from .reports.schema import SCHEMAS, schema_text

    if name not in SCHEMAS:
        fail(f"unknown schema {name!r}; choose from: {', '.join(sorted(SCHEMAS))}")
    sys.stdout.write(schema_text(name))
