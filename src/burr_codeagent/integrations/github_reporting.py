"""GitHub's side of a check: SARIF within code scanning's limits, workflow-command annotations, a Markdown summary.

Everything here reads the SARIF that ``codeagent check --format sarif`` wrote, so the annotations and the summary
say exactly what the uploaded SARIF says.

GitHub's limits (docs: "SARIF support for code scanning"): one run per tool and category, at most 25,000 results per
run, and an upload of at most 10 MB after gzip. Results over a limit are dropped lowest severity first, and the run
says how many in ``properties.droppedResults``. The job log shows at most 10 error and 10 warning annotations of a
step (50 per job); more are printed but GitHub hides them, so only :data:`MAX_ANNOTATIONS` are printed and the
summary counts the rest.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from ..reports.sarif import merge_sarif

__all__ = [
    "MAX_RESULTS_PER_RUN",
    "MAX_SARIF_GZIP_BYTES",
    "fit_github_limits",
    "step_summary",
    "workflow_commands",
]

MAX_RESULTS_PER_RUN = 25_000
MAX_SARIF_GZIP_BYTES = 10 * 1024 * 1024
MAX_ANNOTATIONS = 50
MAX_SUMMARY_ROWS = 50
_RANK = {"error": 0, "warning": 1, "note": 2, "none": 3}
_COMMAND = {"error": "error", "warning": "warning", "note": "notice", "none": "notice"}
_SEVERITY = {"error": "critical", "warning": "warning", "note": "info", "none": "info"}


def _gzip_size(log: dict[str, Any]) -> int:
    return len(gzip.compress(json.dumps(log).encode("utf-8"), compresslevel=6))


def fit_github_limits(
    log: dict[str, Any],
    category: str,
    *,
    max_results: int = MAX_RESULTS_PER_RUN,
    max_gzip_bytes: int = MAX_SARIF_GZIP_BYTES,
) -> dict[str, Any]:
    """``log`` as one run with ``category``, at most ``max_results`` results and under ``max_gzip_bytes`` gzipped."""
    if len(log["runs"]) > 1:
        log = json.loads(merge_sarif([json.dumps({**log, "runs": [run]}) for run in log["runs"]]))
    run = log["runs"][0]
    run["automationDetails"] = {"id": category.rstrip("/") + "/"}
    results: list[dict[str, Any]] = sorted(
        run["results"], key=lambda r: _RANK.get(r.get("level", "warning"), 1)
    )
    total = len(results)
    keep = min(total, max_results)
    while True:
        run["results"] = results[:keep]
        if keep == 0 or _gzip_size(log) <= max_gzip_bytes:
            break
        keep = keep * 4 // 5
    if keep < total:
        run.setdefault("properties", {})["droppedResults"] = total - keep
    return log


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _location(result: dict[str, Any]) -> tuple[str, dict[str, int]]:
    physical = result["locations"][0]["physicalLocation"]
    return str(physical["artifactLocation"]["uri"]), dict(physical.get("region", {}))


def workflow_commands(log: dict[str, Any], limit: int = MAX_ANNOTATIONS) -> list[str]:
    """Workflow commands (``::error file=...,line=...::message``) for the most severe ``limit`` results."""
    results = sorted(_results(log), key=lambda r: _RANK.get(r.get("level", "warning"), 1))
    lines = []
    for result in results[:limit]:
        path, region = _location(result)
        start, end = region.get("startLine", 1), region.get("endLine", region.get("startLine", 1))
        props = [f"file={_escape_property(path)}", f"line={start}", f"endLine={end}"]
        if start == end and "startColumn" in region:
            props += [
                f"col={region['startColumn']}",
                f"endColumn={region.get('endColumn', region['startColumn'])}",
            ]
        props.append(f"title={_escape_property(str(result['ruleId']))}")
        command = _COMMAND.get(result.get("level", "warning"), "warning")
        lines.append(f"::{command} {','.join(props)}::{_escape_data(result['message']['text'])}")
    if len(results) > limit:
        lines.append(
            f"::notice::{len(results) - limit} more findings are in the SARIF file and the step summary"
        )
    return lines


def _results(log: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for run in log["runs"]:
        yield from run["results"]


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())[:300]


def step_summary(log: dict[str, Any], *, passed: bool, exit_code: int, files: int) -> str:
    """The job summary in Markdown: verdict, counts per file and the most severe findings."""
    results = sorted(_results(log), key=lambda r: _RANK.get(r.get("level", "warning"), 1))
    per_file: dict[str, Counter[str]] = {}
    for result in results:
        per_file.setdefault(_location(result)[0], Counter())[_SEVERITY[result.get("level", "warning")]] += 1
    totals = Counter(_SEVERITY[r.get("level", "warning")] for r in results)
    verdict = "passed" if passed else "not good enough"
    lines = [
        f"## burr-codeagent check: {':white_check_mark:' if passed else ':x:'} {verdict}",
        "",
        f"{files} file(s) checked: {totals['critical']} critical, {totals['warning']} warnings, "
        f"{totals['info']} info (exit code {exit_code}).",
    ]
    dropped = sum(run.get("properties", {}).get("droppedResults", 0) for run in log["runs"])
    if dropped:
        lines.append(
            f"{dropped} lower-severity findings were left out of the SARIF to stay within GitHub's limits."
        )
    if per_file:
        lines += ["", "| File | Critical | Warnings | Info |", "|---|---:|---:|---:|"]
        lines += [
            f"| `{_cell(path)}` | {c['critical']} | {c['warning']} | {c['info']} |"
            for path, c in sorted(per_file.items())
        ]
        shown = results[:MAX_SUMMARY_ROWS]
        lines += ["", f"### Findings ({len(shown)} of {len(results)})", ""]
        lines += ["| Severity | Rule | Location | Message |", "|---|---|---|---|"]
        for result in shown:
            path, region = _location(result)
            lines.append(
                f"| {_SEVERITY[result.get('level', 'warning')]} | `{_cell(str(result['ruleId']))}` | "
                f"`{_cell(path)}:{region.get('startLine', 1)}` | {_cell(result['message']['text'])} |"
            )
    return "\n".join(lines) + "\n"
