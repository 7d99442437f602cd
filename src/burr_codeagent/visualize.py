"""Pictures of the agent's graph: mermaid and DOT text always; PNG/SVG through graphviz's ``dot`` when installed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from burr.core.graph import Graph

from .errors import VisualizeError

__all__ = ["VisualizeError", "graph_dot", "graph_mermaid", "write_graph"]


def _node_id(name: str) -> str:
    return re.sub(r"\W", "_", name)


def graph_mermaid(graph: Graph) -> str:
    """A mermaid ``stateDiagram-v2`` of the graph, with the transition conditions as labels."""
    lines = ["stateDiagram-v2", f"    [*] --> {_node_id(graph.actions[0].name)}"]
    for t in graph.transitions:
        label = t.condition.name
        suffix = "" if label == "default" else f" : {label.replace(':', ' ')}"
        lines.append(f"    {_node_id(t.from_.name)} --> {_node_id(t.to.name)}{suffix}")
    terminal = {a.name for a in graph.actions} - {t.from_.name for t in graph.transitions}
    lines += [f"    {_node_id(name)} --> [*]" for name in sorted(terminal)]
    return "\n".join(lines) + "\n"


def graph_dot(graph: Graph) -> str:
    """The graph as DOT text (Burr's own rendering; needs no ``dot`` binary)."""
    digraph = graph.visualize(output_file_path=None, include_conditions=True)
    return str(digraph.source) if digraph is not None else ""


def write_graph(graph: Graph, path: Path) -> Path:
    """Write the graph to ``path``; the suffix picks the format: .mmd/.mermaid, .dot/.gv, .png, .svg, .pdf."""
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix in {".mmd", ".mermaid"}:
        path.write_text(graph_mermaid(graph), encoding="utf-8")
        return path
    if suffix in {".dot", ".gv"}:
        path.write_text(graph_dot(graph), encoding="utf-8")
        return path
    if suffix in {".png", ".svg", ".pdf"}:
        if shutil.which("dot") is None:
            raise VisualizeError(
                f"{suffix[1:].upper()} output needs graphviz's `dot` program, which is not installed "
                "(Debian/Ubuntu: `apt-get install graphviz`, macOS: `brew install graphviz`). "
                "Write .dot or .mmd instead: they need nothing."
            )
        digraph = graph.visualize(output_file_path=None, include_conditions=True)
        if digraph is None:
            raise VisualizeError("the graphviz Python package is missing: pip install graphviz")
        digraph.render(outfile=str(path), format=suffix[1:], cleanup=True)
        return path
    raise VisualizeError(f"unknown picture format {suffix or '(none)'!r}: use .png, .svg, .pdf, .dot or .mmd")
