"""Pictures inside reports: the findings-per-attempt chart (mermaid and inline SVG) and the graph as inline SVG.

Everything here is text: mermaid for Markdown (GitHub renders it), SVG for HTML (browsers render it offline).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence

from ..models import Attempt, Severity

__all__ = ["findings_chart_mermaid", "findings_chart_svg", "graph_svg", "mermaid_to_dot"]

SEVERITY_COLOURS = {Severity.CRITICAL: "#d1242f", Severity.WARNING: "#bf8700", Severity.INFO: "#8c959f"}
_DOT_TIMEOUT = 20.0


def _counts(attempt: Attempt) -> dict[Severity, int]:
    report = attempt.report
    return {
        Severity.CRITICAL: report.critical_count,
        Severity.WARNING: len(report.by_severity(Severity.WARNING)),
        Severity.INFO: report.info_count,
    }


def findings_chart_mermaid(attempts: Sequence[Attempt]) -> str:
    """A mermaid ``xychart-beta``: bars are all findings per attempt, the line is the critical ones."""
    if not attempts:
        return ""
    totals = [len(a.report.findings) for a in attempts]
    critical = [a.report.critical_count for a in attempts]
    top = max([*totals, 1])
    labels = ", ".join(f'"{a.index}"' for a in attempts)
    return (
        "xychart-beta\n"
        '    title "Findings per attempt (bars: all, line: critical)"\n'
        f'    x-axis "Attempt" [{labels}]\n'
        f'    y-axis "Findings" 0 --> {top}\n'
        f"    bar [{', '.join(map(str, totals))}]\n"
        f"    line [{', '.join(map(str, critical))}]\n"
    )


def findings_chart_svg(attempts: Sequence[Attempt], *, width: int = 560, height: int = 240) -> str:
    """A stacked bar chart (critical / warning / info) of the findings of each attempt, as standalone SVG."""
    if not attempts:
        return ""
    left, right, top, bottom = 44, 16, 40, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    per_attempt = [_counts(a) for a in attempts]
    peak = max([sum(c.values()) for c in per_attempt] + [1])
    slot = plot_w / len(attempts)
    bar_w = min(slot * 0.6, 60.0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        "<title>Findings per attempt by severity</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#57606a"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#57606a"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{peak}</text>',
        f'<text x="{left - 6}" y="{top + plot_h + 4}" text-anchor="end">0</text>',
    ]
    for i, (attempt, counts) in enumerate(zip(attempts, per_attempt, strict=True)):
        x = left + slot * i + (slot - bar_w) / 2
        y = float(top + plot_h)
        for severity in (Severity.CRITICAL, Severity.WARNING, Severity.INFO):
            h = plot_h * counts[severity] / peak
            if h:
                y -= h
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                    f'fill="{SEVERITY_COLOURS[severity]}"><title>attempt {attempt.index}: '
                    f"{counts[severity]} {severity.value}</title></rect>"
                )
        total = sum(counts.values())
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">{total}</text>')
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle">#{attempt.index}</text>'
        )
    legend_x = left
    for severity in (Severity.CRITICAL, Severity.WARNING, Severity.INFO):
        parts.append(
            f'<rect x="{legend_x}" y="6" width="10" height="10" fill="{SEVERITY_COLOURS[severity]}"/>'
            f'<text x="{legend_x + 14}" y="15">{severity.value}</text>'
        )
        legend_x += 80
    parts.append(f'<text x="{left + plot_w / 2}" y="{height - 6}" text-anchor="middle">attempt</text>')
    parts.append("</svg>")
    return "\n".join(parts)


_MERMAID_EDGE = re.compile(r"^\s*(\S+)\s*-->\s*(\S+)(?:\s*:\s*(.*))?$")


def mermaid_to_dot(mermaid: str) -> str:
    """Translate the ``stateDiagram-v2`` that :func:`~burr_codeagent.visualize.graph_mermaid` writes into DOT."""
    lines = [
        "digraph codeagent {",
        '  rankdir=TB; node [shape=box, style="rounded,filled", fillcolor="#ddf4ff"];',
    ]
    for raw in mermaid.splitlines():
        match = _MERMAID_EDGE.match(raw)
        if not match:
            continue
        source, target, label = match.groups()
        source = "__start" if source == "[*]" else source
        target = "__end" if target == "[*]" else target
        attrs = f' [label="{_dot_escape(label.strip())}"]' if label else ""
        lines.append(f'  "{_dot_escape(source)}" -> "{_dot_escape(target)}"{attrs};')
    lines.append('  "__start" [shape=circle, label="", width=0.2, style=filled, fillcolor=black];')
    lines.append('  "__end" [shape=doublecircle, label="", width=0.15, style=filled, fillcolor=black];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def graph_svg(dot_source: str) -> str | None:
    """Render DOT to inline SVG with graphviz's ``dot``; None when ``dot`` is missing or fails."""
    dot = shutil.which("dot")
    if dot is None or not dot_source.strip():
        return None
    try:
        done = subprocess.run(
            [dot, "-Tsvg"],
            input=dot_source,
            capture_output=True,
            text=True,
            timeout=_DOT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0 or "<svg" not in done.stdout:
        return None
    svg = done.stdout[done.stdout.index("<svg") :]
    # graphviz may embed the graph's text in comments; drop them so nothing but the picture is inlined.
    return re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL).strip()
