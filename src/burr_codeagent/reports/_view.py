"""The variables the Markdown and HTML templates share, computed once from a result or a check report."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import jinja2

from ..formatting import format_cost, plural
from ..models import CODE_FILE, SOURCE_FILES, TEST_FILE, AgentResult, CheckReport, Finding
from ._charts import findings_chart_mermaid
from ._summary import gate_status, gate_success_rate, gates_clean, journey, time_per_action
from .base import RenderContext

__all__ = [
    "add_report_helpers",
    "check_variables",
    "flatten_settings",
    "location",
    "result_variables",
    "test_name",
    "traceback_text",
]


def flatten_settings(settings: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """Every setting as ``(dotted.key, text)``, nested tables flattened, sorted by key."""
    for key in sorted(settings):
        value = settings[key]
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            yield from flatten_settings(value, prefix=f"{name}.")
        elif isinstance(value, str):
            yield name, value
        else:
            yield name, json.dumps(value, default=str)


def location(f: Finding, paths: Mapping[str, str]) -> str:
    """``target:line:col`` of a finding, using the checked file's name when it is known."""
    where = paths.get(f.target, f.target)
    if f.line:
        where += f":{f.line}"
        if f.column:
            where += f":{f.column}"
    return where


def test_name(nodeid: str, paths: Mapping[str, str]) -> str:
    """pytest's node id of a test, with the sandbox's file name replaced by the file the user gave."""
    shown = paths.get("tests")
    if shown and shown != TEST_FILE and (nodeid == TEST_FILE or nodeid.startswith(TEST_FILE + "::")):
        return shown + nodeid[len(TEST_FILE) :]
    return nodeid


_SANDBOX_FRAME = re.compile(
    rf"(?<![\w/.-])({re.escape(TEST_FILE)}|{re.escape(CODE_FILE)})(?=:|\s|$)", re.MULTILINE
)


def traceback_text(traceback: str, paths: Mapping[str, str]) -> str:
    """pytest's text (a traceback, its output) with the sandbox's file names (``solution.py``,
    ``test_solution.py``) as the user's."""
    names = {TEST_FILE: paths.get("tests", TEST_FILE), CODE_FILE: paths.get("code", CODE_FILE)}
    return _SANDBOX_FRAME.sub(lambda m: names[m.group(1)], traceback)


def add_report_helpers(env: jinja2.Environment) -> None:
    """The functions and filters the Markdown and HTML templates share."""
    env.globals.update(
        location=location, test_name=test_name, gate_status=gate_status, traceback_text=traceback_text
    )
    env.filters["plural"] = plural
    env.filters["cost"] = format_cost


def result_variables(result: AgentResult, context: RenderContext) -> dict[str, Any]:
    """Template variables for the report of a whole run."""
    best = result.best
    settings = context.config or result.config
    return {
        "result": result,
        "best": best,
        "m": result.metrics,
        "context": context,
        "paths": dict(SOURCE_FILES),
        "clean": gates_clean(best.report) if best else [],
        "ran": len([g for g in best.report.gates if g.status != "skipped"]) if best else 0,
        "rate": gate_success_rate(best.report) if best else None,
        "journey": journey(result),
        "times": time_per_action(result),
        "chart_mermaid": findings_chart_mermaid(result.attempts),
        "config_items": list(flatten_settings(settings)),
    }


def check_variables(report: CheckReport, context: RenderContext) -> dict[str, Any]:
    """Template variables for the report of ``codeagent check``."""
    return {
        "report": report,
        "context": context,
        "paths": dict(context.source_paths),
        "clean": gates_clean(report),
        "ran": len([g for g in report.gates if g.status != "skipped"]),
        "rate": gate_success_rate(report),
        "config_items": list(flatten_settings(context.config)),
    }
