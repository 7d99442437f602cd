"""What the integrations hand back: the structured results of the MCP tools and their short text summaries.

The text is the one ``codeagent check`` prints (same finding lines, same verdict line), so a user sees the same
messages from the command line, pre-commit, the GitHub Action and a coding assistant.
"""

from __future__ import annotations

import io

from pydantic import BaseModel, Field
from rich.console import Console

from ..console_findings import print_findings
from ..exit_codes import EXIT_FAILED, EXIT_PASSED, EXIT_UNVERIFIED
from ..models import AgentResult, CheckReport, Finding, GateRun, TestOutcome

__all__ = ["CheckResult", "GateInfo", "GenerateResult", "check_result", "generate_result", "summary_text"]

SUMMARY_MAX_LINES = 40


class CheckResult(BaseModel):
    """The verdict of one check: ``passed`` and ``exit_code`` are what ``codeagent check`` would say."""

    passed: bool = Field(description="No critical finding and warnings within the threshold.")
    verdict: str = Field(
        default="failed", description="passed, failed, or unverified (a gate could not run: check again)."
    )
    exit_code: int = Field(
        description="What `codeagent check` exits with for this input: 0 passed, 1 not, 4 unverified."
    )
    critical_count: int
    warning_count: int
    info_count: int
    warning_threshold: int
    findings: list[Finding] = Field(description="Each with rule, severity, line, message and suggestion.")
    tests: TestOutcome | None = Field(description="The sandboxed pytest run, or null when no tests ran.")
    gates: list[GateRun]
    seconds: float


class GenerateResult(BaseModel):
    """The outcome of an agent run: the best attempt's code and tests, its verdict and the report files."""

    passed: bool
    exit_code: int = Field(description="What `codeagent run` exits with: 0 passed, 1 not good enough.")
    stop_reason: str
    attempts: int
    code: str
    test_code: str
    critical_count: int | None
    warning_count: int | None
    report_paths: dict[str, str]
    app_id: str


class GateInfo(BaseModel):
    """One registered gate, as ``codeagent gates --format json`` lists it."""

    name: str
    description: str
    rules: dict[str, str]
    plugin: str
    enabled_by_default: bool


def check_result(report: CheckReport) -> CheckResult:
    """The structured result of ``report``."""
    return CheckResult(
        passed=report.passed,
        verdict=report.verdict,
        exit_code=EXIT_UNVERIFIED if report.unverified else EXIT_PASSED if report.passed else EXIT_FAILED,
        critical_count=report.critical_count,
        warning_count=report.warning_count,
        info_count=report.info_count,
        warning_threshold=report.warning_threshold,
        findings=report.findings,
        tests=report.tests,
        gates=report.gates,
        seconds=report.seconds,
    )


def summary_text(report: CheckReport, code_path: str, test_path: str | None) -> str:
    """``codeagent check``'s text output for ``report``, without colour, capped at a screenful."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, no_color=True, highlight=False, soft_wrap=True, emoji=False)
    print_findings(console, report, code_path, test_path, suggestions=True)
    lines = buffer.getvalue().splitlines()
    if len(lines) > SUMMARY_MAX_LINES:
        hidden = len(lines) - SUMMARY_MAX_LINES
        lines = [
            *lines[: SUMMARY_MAX_LINES - 1],
            f"... {hidden} more lines (see the structured findings)",
            lines[-1],
        ]
    return "\n".join(lines)


def generate_result(result: AgentResult) -> GenerateResult:
    """The structured result of an agent run."""
    report = result.best.report if result.best else None
    return GenerateResult(
        passed=result.passed,
        exit_code=EXIT_PASSED if result.passed else EXIT_FAILED,
        stop_reason=str(result.stop_reason),
        attempts=len(result.attempts),
        code=result.code or "",
        test_code=result.test_code or "",
        critical_count=report.critical_count if report else None,
        warning_count=report.warning_count if report else None,
        report_paths={name: str(path) for name, path in result.report_paths.items()},
        app_id=result.app_id,
    )
