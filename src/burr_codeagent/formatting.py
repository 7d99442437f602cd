"""How results read in the console and in reports: plurals, costs, floats rounded for people, a gate's outcome."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Finding, GateRun

__all__ = ["format_cost", "gate_result", "plural", "round_floats"]

SECONDS_DIGITS = 4
"""Decimal places kept of a duration (0.1 ms) in the json report."""
COST_DIGITS = 6
"""Decimal places kept of a dollar amount in the json report."""


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``1 warning``, ``2 warnings``: the count and the noun that agrees with it."""
    return f"{count} {noun if count == 1 else (plural_form or noun + 's')}"


def format_cost(usd: float | None, *, approximate: bool = False) -> str:
    """A cost estimate for people: ``$0.0123``, ``<$0.0001`` for a tiny non-zero cost, ``unknown`` for None."""
    if usd is None:
        return "unknown"
    prefix = "~" if approximate else ""
    if 0 < usd < 0.00005:  # would print as $0.0000
        return "<$0.0001"
    return f"{prefix}${usd:.4f}"


def round_floats(value: Any, key: str = "") -> Any:
    """``value`` (JSON data) with every float rounded: costs to 6 places, everything else (seconds) to 4.

    ``3.78e-05`` seconds is noise to a reader and reads like an error; 0.1 ms is finer than any timing here means.
    """
    if isinstance(value, float):
        return round(value, COST_DIGITS if "cost" in key else SECONDS_DIGITS)
    if isinstance(value, dict):
        return {k: round_floats(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [round_floats(v, key) for v in value]
    return value


def gate_result(run: GateRun, findings: Iterable[Finding]) -> str:
    """What a gate's row says: ``failed`` (a critical finding), ``warnings``, ``ok``, or how it did not run.

    :attr:`GateRun.status` only says whether the gate itself ran; a reader wants to know whether the code passed it
    (the execution gate is ``failed``, not ``ok``, when a test failed). ``findings`` are the gate's own.
    """
    if run.status != "ok":
        return run.status
    severities = {f.severity.value for f in findings}
    if "critical" in severities:
        return "failed"
    return "warnings" if "warning" in severities else "ok"
