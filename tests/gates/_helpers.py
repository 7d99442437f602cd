"""Run one gate through the public :func:`burr_codeagent.check` and look at its findings."""

from __future__ import annotations

import textwrap
from typing import Any

from burr_codeagent import AgentConfig, CheckReport, Finding, check


def run_gate(
    gate: str,
    code: str,
    test_code: str | None = None,
    *,
    function_name: str | None = None,
    **options: Any,
) -> CheckReport:
    """Check ``code`` (dedented) with only ``gate`` enabled and the given gate options."""
    config = AgentConfig(gates={"enable": [gate], "options": {gate: options}})
    tests = textwrap.dedent(test_code) if test_code is not None else None
    return check(textwrap.dedent(code), tests, config=config, function_name=function_name)


def findings(gate: str, code: str, test_code: str | None = None, **kwargs: Any) -> list[Finding]:
    """The findings of one gate, after checking that the gate itself ran without crashing."""
    report = run_gate(gate, code, test_code, **kwargs)
    assert [g.status for g in report.gates] in (["ok"], ["skipped"]), report.gates
    return report.findings


def rules(found: list[Finding]) -> list[str]:
    """The rule ids, sorted, for compact assertions."""
    return sorted(f.rule for f in found)
