"""Every attempt of a run as plain data and text, for the reports whose format has no tables (SARIF, JUnit).

Each record names the attempt's findings and failing tests, the findings it fixed and the new ones since the
attempt before (matched by :func:`~burr_codeagent.reports._summary.finding_key`), and, when a local auto-fix
replaced the model's answer, the findings of that answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..models import AgentResult, Finding
from ._summary import JourneyRow, journey
from ._view import location, test_name

__all__ = ["attempt_records", "attempt_text"]


def _finding(f: Finding, paths: Mapping[str, str]) -> dict[str, Any]:
    return {"ruleId": f.rule, "level": f.severity.value, "location": location(f, paths), "message": f.message}


def _record(row: JourneyRow, paths: Mapping[str, str]) -> dict[str, Any]:
    a = row.attempt
    record: dict[str, Any] = {
        "attempt": a.index,
        "best": row.best,
        "verdict": row.verdict,
        "findings": [_finding(f, paths) for f in a.report.findings],
        "failingTests": [
            {"test": test_name(t.nodeid, paths), "outcome": t.outcome, "line": t.line, "message": t.message}
            for t in row.failing_tests
        ],
    }
    if not row.first:
        record["fixed"] = [_finding(f, paths) for f in row.fixed_findings]
        record["new"] = [_finding(f, paths) for f in row.new_findings]
    if a.report_before_auto_fix is not None:
        record["autoFixes"] = list(a.auto_fixes)
        record["findingsBeforeAutoFix"] = [_finding(f, paths) for f in a.report_before_auto_fix.findings]
    return record


def attempt_records(result: AgentResult, paths: Mapping[str, str]) -> list[dict[str, Any]]:
    """One JSON-ready record per attempt (SARIF keeps them in the run's property bag)."""
    return [_record(row, paths) for row in journey(result)]


def _lines(title: str, findings: Sequence[Mapping[str, Any]]) -> list[str]:
    if not findings:
        return []
    return [f"{title}:"] + [
        f"  {f['location']}: {f['ruleId']} [{f['level']}] {f['message']}" for f in findings
    ]


def attempt_text(record: Mapping[str, Any]) -> str:
    """An attempt record as plain text (a JUnit ``system-out``)."""
    lines = [f"attempt {record['attempt']}: {record['verdict']}"]
    lines += _lines("findings", record["findings"])
    if record["failingTests"]:
        lines.append("failing tests:")
        lines += [f"  {t['test']} {t['outcome']}: {t['message']}" for t in record["failingTests"]]
    lines += _lines("fixed since the attempt before", record.get("fixed", []))
    lines += _lines("new since the attempt before", record.get("new", []))
    if "findingsBeforeAutoFix" in record:
        lines.append(f"auto-fixed locally: {'; '.join(record['autoFixes'])}")
        lines += _lines("findings before the auto-fix", record["findingsBeforeAutoFix"])
    return "\n".join(lines)
