"""Helpers the security tests share: the security gate alone on a snippet."""

from __future__ import annotations

import textwrap

from burr_codeagent import AgentConfig, Severity, check
from burr_codeagent.models import Finding


def security(code: str) -> list[Finding]:
    """The security gate's findings on ``code`` (dedented)."""
    config = AgentConfig(enable_code_execution=False, tracking=False, gates={"enable": ["security"]})
    return check(textwrap.dedent(code), config=config).findings


def criticals(code: str) -> set[tuple[str, int | None]]:
    """(rule, line) of every critical finding."""
    return {(f.rule, f.line) for f in security(code) if f.severity is Severity.CRITICAL}
