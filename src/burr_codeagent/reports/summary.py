"""Figures shared by the renderers, computed once from a report."""

from __future__ import annotations

from ..models import CheckReport, Severity

__all__ = ["gate_success_rate", "gates_clean"]


def gates_clean(report: CheckReport) -> list[str]:
    """Gates that ran and found no critical or warning finding."""
    flagged = {f.gate for f in report.findings if f.severity is not Severity.INFO}
    return [g.name for g in report.gates if g.status == "ok" and g.name not in flagged]


def gate_success_rate(report: CheckReport) -> float | None:
    """Share of the gates that ran which found nothing above info (the original design's success rate)."""
    ran = [g for g in report.gates if g.status != "skipped"]
    if not ran:
        return None
    return len(gates_clean(report)) / len(ran)
