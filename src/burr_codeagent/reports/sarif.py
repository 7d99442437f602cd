"""The ``sarif`` report: SARIF 2.1.0 for GitHub code scanning and any other SARIF viewer.

GitHub's requirements met here: ``tool.driver`` with name, version and informationUri; a rule per reported id with
short and full description, help (text and Markdown), tags, a default level and ``security-severity`` on security
rules; results with ruleId/ruleIndex/level/message, a relative ``artifactLocation`` under ``%SRCROOT%``, a region with
all four coordinates, and ``partialFingerprints`` that survive code moving up or down the file.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from .._version import package_version
from ..hookspecs import hookimpl
from ..models import SOURCE_FILES, AgentResult, CheckReport, Finding, Severity
from ._attempts import attempt_records
from ._summary import journey
from .base import Renderable, RenderContext, Renderer

__all__ = ["SARIF_SCHEMA", "SARIF_VERSION", "SarifRenderer", "merge_sarif", "sarif_log"]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/burr-codeagent/burr-codeagent"
FINGERPRINT_KEY = "codeagentFindingHash/v1"

_LEVEL = {Severity.CRITICAL: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_RANK = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}
# GitHub shows security-severity >= 7.0 as high, 4.0-6.9 as medium, below 4.0 as low.
_SECURITY_SEVERITY = {Severity.CRITICAL: "8.0", Severity.WARNING: "5.0", Severity.INFO: "2.0"}
_SECURITY_GATES = frozenset({"security"})
_AGENT_PATHS: dict[str, str] = {target: name for target, name in SOURCE_FILES.items()}


def tool_version() -> str:
    """The installed version of burr-codeagent."""
    return package_version()


def _pascal(rule_id: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", rule_id) if part)


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", text.strip())
    return (match.group(1) if match else text.strip())[:1000]


def _rule(
    rule_id: str, findings: Sequence[Finding], lookup: Callable[[str], tuple[str | None, str | None]]
) -> dict[str, Any]:
    first = findings[0]
    described, gate_description = lookup(rule_id)
    description = described or first.message
    worst = min((f.severity for f in findings), key=_RANK.__getitem__)
    suggestions = {f.suggestion for f in findings if f.suggestion}
    # A rule's help is generic; per-finding advice stays in each result's message.
    suggestion = suggestions.pop() if len(suggestions) == 1 else None
    full = f"{description} (gate `{first.gate}`: {gate_description})" if gate_description else description
    help_text = description + (f"\n\nHow to fix: {suggestion}" if suggestion else "")
    help_markdown = f"**{rule_id}**: {description}" + (
        f"\n\n**How to fix:** {suggestion}" if suggestion else ""
    )
    security = first.gate in _SECURITY_GATES
    properties: dict[str, Any] = {
        "tags": list(dict.fromkeys(["security" if security else "quality", first.gate, "burr-codeagent"])),
        "precision": "high",
    }
    if security:
        properties["security-severity"] = _SECURITY_SEVERITY[worst]
    return {
        "id": rule_id,
        "name": _pascal(rule_id),
        "shortDescription": {"text": _first_sentence(description)},
        "fullDescription": {"text": full},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": _LEVEL[worst]},
        "properties": properties,
    }


def artifact_location(path: str) -> dict[str, str]:
    """A path as a percent-encoded URI relative to ``%SRCROOT%`` (the working directory for absolute paths).

    An absolute path outside the working directory becomes a ``file://`` URI without a base.
    """
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            candidate = candidate.resolve().relative_to(Path.cwd().resolve())
        except ValueError:
            return {"uri": candidate.resolve().as_uri()}
    posix = PurePosixPath(*candidate.parts).as_posix()
    return {"uri": quote(posix.removeprefix("./"), safe="/"), "uriBaseId": "%SRCROOT%"}


def _line_text(source: str | None, line: int) -> str | None:
    if not source:
        return None
    lines = source.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else None


def _region(f: Finding, source: str | None) -> dict[str, int]:
    """All four coordinates, filling gaps: a missing end is the end of the start line (or one column on)."""
    start_line = max(f.line or 1, 1)
    start_column = max(f.column or 1, 1)
    end_line = max(f.end_line or start_line, start_line)
    if f.end_column is not None and (end_line > start_line or f.end_column > start_column):
        end_column = f.end_column
    else:
        text = _line_text(source, end_line)
        end_column = len(text) + 1 if text is not None and len(text) + 1 > start_column else start_column + 1
        if f.line is None and text is not None:  # a finding about the whole file: mark its first line
            start_column, end_column = 1, max(len(text) + 1, 2)
    return {
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
    }


def _fingerprint(f: Finding, source: str | None, seen: Counter[str]) -> str:
    """Stable across runs and line shifts: the rule, the target and the whitespace-normalised line content.

    Identical lines with the same rule get an occurrence counter, as GitHub's own line hash does.
    """
    text = _line_text(source, f.line or 1) if f.line else None
    content = " ".join(text.split()) if text is not None else f.message
    base = hashlib.sha256(f"{f.rule}\0{f.target}\0{content}".encode()).hexdigest()[:32]
    seen[base] += 1
    return f"{base}:{seen[base]}"


def sarif_log(
    findings: Iterable[Finding],
    *,
    paths: Mapping[str, str],
    sources: Mapping[str, str],
    properties: Mapping[str, Any] | None = None,
    context: RenderContext | None = None,
    baseline: Sequence[str] | None = None,
) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run for ``findings``; ``paths`` maps ``code``/``tests`` to repository paths.

    ``baseline`` gives each finding's ``baselineState`` (``new`` or ``unchanged`` against the attempt before).

    Rule descriptions come from ``context.gates`` (the gates that checked); without them a rule is described by
    its first finding's message.
    """
    findings = list(findings)
    context = context or RenderContext()
    lookup = context.rule_text
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule, []).append(f)
    rule_ids = sorted(by_rule)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    seen: Counter[str] = Counter()
    results = []
    for position, f in enumerate(findings):
        source = sources.get(f.target)
        message = f.message if not f.suggestion else f"{f.message} Suggestion: {f.suggestion}"
        results.append(
            {
                "ruleId": f.rule,
                "ruleIndex": index[f.rule],
                "level": _LEVEL[f.severity],
                "message": {"text": message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": artifact_location(
                                paths.get(f.target, _AGENT_PATHS[f.target])
                            ),
                            "region": _region(f, source),
                        }
                    }
                ],
                "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(f, source, seen)},
                "properties": {"gate": f.gate, "severity": f.severity.value, "target": f.target},
            }
        )
        if baseline is not None:
            results[-1]["baselineState"] = baseline[position]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "burr-codeagent",
                "version": context.tool_version,
                "semanticVersion": context.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rule_id, by_rule[rule_id], lookup) for rule_id in rule_ids],
            }
        },
        "automationDetails": {"id": "burr-codeagent/"},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if properties:
        run["properties"] = dict(properties)
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def merge_sarif(texts: Sequence[str]) -> str:
    """Several SARIF logs of this tool as one log with one run (GitHub rejects several runs of one tool)."""
    logs = [json.loads(t) for t in texts]
    if not logs:
        raise ValueError("nothing to merge")
    merged = logs[0]
    run = merged["runs"][0]
    rules: list[dict[str, Any]] = list(run["tool"]["driver"]["rules"])
    results: list[dict[str, Any]] = []
    for log in logs:
        for other in log["runs"]:
            ids = [r["id"] for r in other["tool"]["driver"]["rules"]]
            for rule in other["tool"]["driver"]["rules"]:
                if rule["id"] not in {r["id"] for r in rules}:
                    rules.append(rule)
            positions = {r["id"]: i for i, r in enumerate(rules)}
            for result in other["results"]:
                results.append({**result, "ruleIndex": positions[ids[result["ruleIndex"]]]})
    run["tool"]["driver"]["rules"] = rules
    run["results"] = results
    invocations = [i for log in logs for other in log["runs"] for i in other.get("invocations", [])]
    if invocations:
        notes = [n for i in invocations for n in i.get("toolExecutionNotifications", [])]
        run["invocations"] = [
            {
                "executionSuccessful": all(i.get("executionSuccessful", True) for i in invocations),
                "toolExecutionNotifications": notes,
            }
        ]
    run.pop("properties", None)
    return json.dumps(merged, indent=2) + "\n"


class SarifRenderer:
    """Findings for GitHub code scanning (``github/codeql-action/upload-sarif``) and SARIF viewers."""

    name = "sarif"
    extension = "sarif"
    description = "SARIF 2.1.0 for GitHub code scanning (rules, regions, fingerprints, security-severity)."

    def can_render(self, obj: Renderable) -> bool:
        return isinstance(obj, AgentResult | CheckReport)

    def render(self, obj: Renderable, context: RenderContext) -> str:
        if isinstance(obj, AgentResult):
            best = obj.best
            findings = best.report.findings if best else []
            response = best.response if best else None
            sources = {"code": response.code, "tests": response.test_code} if response else {}
            paths = {**_AGENT_PATHS, **context.source_paths}
            properties = {
                "task": obj.task,
                "appId": obj.app_id,
                "bestAttempt": best.index if best else None,
                # every attempt's findings, failing tests, and what it fixed and introduced
                "attempts": attempt_records(obj, paths),
            }
            log = sarif_log(
                findings,
                paths=paths,
                sources=sources,
                properties=properties,
                context=context,
                baseline=_baseline(obj),
            )
        else:
            sources = dict(context.sources) or _read_sources(context.source_paths)
            log = sarif_log(obj.findings, paths=context.source_paths, sources=sources, context=context)
        report = obj.best.report if isinstance(obj, AgentResult) and obj.best else obj
        if isinstance(report, CheckReport):
            log["runs"][0]["invocations"] = [invocation(report)]
        return json.dumps(log, indent=2) + "\n"

    def join(self, rendered: Sequence[str], context: RenderContext) -> str:
        """Several files' logs as one log with one run (see :func:`merge_sarif`)."""
        return merge_sarif(rendered)


def invocation(report: CheckReport) -> dict[str, Any]:
    """The run's SARIF invocation: ``executionSuccessful`` false and one error notification per gate that could not
    run (an unverified check: its absent results say nothing about the code)."""
    notes = [
        {
            "level": "error",
            "message": {"text": f"gate {g.name} could not run: {g.error or 'unavailable'}"},
            "descriptor": {"id": f"{g.name}.unavailable"},
        }
        for g in report.unavailable_gates()
    ]
    return {
        "executionSuccessful": not notes,
        "toolExecutionNotifications": notes,
        "properties": {"verdict": report.verdict},
    }


def _baseline(result: AgentResult) -> list[str] | None:
    """``baselineState`` of the best attempt's findings against the attempt before it (None for a first attempt)."""
    rows = [row for row in journey(result) if row.best]
    if not rows or rows[0].first:
        return None
    new = {id(f) for f in rows[0].new_findings}
    return ["new" if id(f) in new else "unchanged" for f in rows[0].attempt.report.findings]


def _read_sources(paths: Mapping[str, str]) -> dict[str, str]:
    found = {}
    for target, path in paths.items():
        try:
            found[target] = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    return found


@hookimpl
def register_renderers(register: Callable[[Renderer], None]) -> None:
    """Register the ``sarif`` renderer."""
    register(SarifRenderer())
