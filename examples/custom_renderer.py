"""A custom report format: one CSV row per finding, registered as a plugin.

Run it:  python examples/custom_renderer.py path/to/module.py
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable
from pathlib import Path

from burr_codeagent import AgentConfig, AgentResult, CheckReport, Severity, check, hookimpl
from burr_codeagent.plugins import register_plugin
from burr_codeagent.reports import Renderable, RenderContext, Renderer


class CsvRenderer:
    """Findings as CSV, for spreadsheets."""

    name = "csv"
    extension = "csv"
    description = "One row per finding."

    def can_render(self, obj: Renderable) -> bool:
        return True

    def render(self, obj: Renderable, context: RenderContext) -> str:
        report = obj if isinstance(obj, CheckReport) else (obj.best.report if obj.best else None)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["severity", "rule", "target", "line", "column", "message"])
        for f in report.findings if report else []:
            writer.writerow([f.severity.value, f.rule, f.target, f.line, f.column, f.message])
        return buffer.getvalue()


class CsvPlugin:
    @hookimpl
    def register_renderers(self, register: Callable[[Renderer], None]) -> None:
        register(CsvRenderer())


def main(path: str) -> int:
    # Registered process-wide so that configuration may name the format ("csv").
    register_plugin(CsvPlugin())
    config = AgentConfig(report_formats=["markdown", "csv"], enable_code_execution=False, tracking=False)
    report = check(Path(path).read_text(encoding="utf-8"), config=config)
    sys.stdout.write(CsvRenderer().render(report, RenderContext()))
    worst = [f for f in report.findings if f.severity is Severity.CRITICAL]
    return 1 if worst else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else __file__))


__all__ = ["AgentResult", "CsvPlugin", "CsvRenderer"]
