"""A custom report format: one CSV row per finding, registered as a plugin.

Use it with the CLI (one header for any number of files, thanks to ``join``)::

    codeagent --plugin examples/custom_renderer.py check a.py b.py --format csv

or run it:  python examples/custom_renderer.py path/to/module.py
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from burr_codeagent import CheckReport, Severity, check, hookimpl
from burr_codeagent.reports import Renderable, RenderContext, Renderer

HEADER = ["file", "severity", "rule", "target", "line", "column", "message"]


class CsvRenderer:
    """Findings as CSV, for spreadsheets."""

    name = "csv"
    extension = "csv"
    description = "One row per finding."

    def can_render(self, obj: Renderable) -> bool:
        return True

    def render(self, obj: Renderable, context: RenderContext) -> str:
        report = obj if isinstance(obj, CheckReport) else (obj.best.report if obj.best else None)
        file = context.source_paths.get("code", "solution.py")
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
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
    """Register the ``csv`` format (this module is the plugin: ``codeagent --plugin custom_renderer.py``)."""
    register(CsvRenderer())


def main(path: str) -> int:
    """Check one file with this module as a plugin and print its findings as CSV."""
    report = check(Path(path).read_text(encoding="utf-8"), plugins=[sys.modules[__name__]])
    sys.stdout.write(CsvRenderer().render(report, RenderContext(source_paths={"code": path})))
    worst = [f for f in report.findings if f.severity is Severity.CRITICAL]
    return 1 if worst else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else __file__))
