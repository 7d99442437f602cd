"""A report-format plugin with one setting: ``csv``, one row per finding.

With the CLI, several files make one table with one header (the renderer's ``join``)::

    codeagent --plugin examples/plugins/csv_renderer.py check a.py b.py --format csv

With an agent: ``AgentConfig(report_formats=["csv"], report_options={"csv": {"delimiter": ";"}})`` and
``CodeAgent(config, plugins=[csv_renderer])``. Or run it:  python examples/plugins/csv_renderer.py module.py
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated

from pydantic import StringConstraints

from burr_codeagent import CheckReport, Severity, check, hookimpl
from burr_codeagent.plugin_settings import Setting
from burr_codeagent.reports import Renderable, RenderContext, Renderer

OneCharacter = Annotated[str, StringConstraints(min_length=1, max_length=1)]
HEADER = ["file", "severity", "rule", "target", "line", "column", "message"]


class CsvRenderer:
    """Findings as CSV, for spreadsheets."""

    name = "csv"
    extension = "csv"
    description = "One row per finding (report_options.csv.delimiter, default ',')."
    settings = (Setting("delimiter", OneCharacter, ",", "The field separator (one character)."),)

    def can_render(self, obj: Renderable) -> bool:
        return True

    def render(self, obj: Renderable, context: RenderContext) -> str:
        report = obj if isinstance(obj, CheckReport) else (obj.best.report if obj.best else None)
        file = context.source_paths.get("code", "solution.py")
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=context.options.get("delimiter", ","), lineterminator="\n")
        writer.writerow(HEADER)
        for f in report.findings if report else []:
            writer.writerow([file, f.severity.value, f.rule, f.target, f.line, f.column, f.message])
        return buffer.getvalue()

    def join(self, rendered: Sequence[str], context: RenderContext) -> str:
        """One table from several files' reports: the first header, then every file's rows."""
        first, *rest = rendered
        return first + "".join(text.split("\n", 1)[1] for text in rest)


@hookimpl
def register_renderers(register: Callable[[Renderer], None]) -> None:
    """Register the ``csv`` format (this module is the plugin: ``codeagent --plugin csv_renderer.py``)."""
    register(CsvRenderer())


def main(path: str) -> int:
    """Check one file with this module as a plugin and print its findings as CSV."""
    report = check(Path(path).read_text(encoding="utf-8"), plugins=[sys.modules[__name__]])
    sys.stdout.write(CsvRenderer().render(report, RenderContext(source_paths={"code": path})))
    worst = [f for f in report.findings if f.severity is Severity.CRITICAL]
    return 1 if worst else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else __file__))
