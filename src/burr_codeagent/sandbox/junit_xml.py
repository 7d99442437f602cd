"""pytest's JUnit XML report read into :class:`~burr_codeagent.models.TestCase`\\ s: names, outcomes, reasons.

The report comes from a run of untrusted code, so everything in it is capped: a test's message, the tail of its
traceback (frames of pytest, importlib and other installed code removed first: they say nothing about the code
under test and cost tokens) and the number of cases kept (failures first).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Literal

from ..models import CASES_CAP, MESSAGE_CAP, TRACEBACK_CAP, TestCase

__all__ = ["COLLECTION_FAILURE", "keep_cases", "parse_junit", "without_library_frames"]

COLLECTION_FAILURE = "collection failure"
"""pytest's message of the error case it reports for a test module that cannot be imported."""

_LIBRARY_FRAME = re.compile(
    r"^(?:\S*/(?:site-packages|dist-packages|lib/python3\.\d+)/\S+:\d+: in |<frozen )"
)
_OUTCOMES: tuple[tuple[str, Literal["failed", "error", "skipped"]], ...] = (
    ("failure", "failed"),
    ("error", "error"),
    ("skipped", "skipped"),
)


def parse_junit(report: bytes | None, suite: str, workdir: str = "") -> tuple[list[TestCase], str | None]:
    """Every test case of the report (all of them, uncapped in number), or why the report cannot be believed.

    ``suite`` is the suite name the run asked for: a report with another name was not written by this run.
    ``workdir`` (the run's directory as the tests saw it) is removed from messages and tracebacks.
    """
    if report is None:
        return [], "pytest ended without writing its report"
    try:
        root = ET.fromstring(report)
    except ET.ParseError as exc:
        return [], f"pytest's report is incomplete or malformed ({exc})"
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    if len(suites) != 1 or suites[0].get("name") != suite:
        return [], "the report file was not written by this pytest run"
    return [_case(element, workdir) for element in suites[0].iter("testcase")], None


def _case(element: ET.Element, workdir: str) -> TestCase:
    outcome: Literal["passed", "failed", "error", "skipped"] = "passed"
    message = details = ""
    for tag, kind in _OUTCOMES:
        child = element.find(tag)
        if child is not None:
            outcome, message, details = kind, child.get("message", ""), child.text or ""
            break
    if workdir:
        message, details = message.replace(workdir + "/", ""), details.replace(workdir + "/", "")
    return TestCase(
        name=element.get("name", ""),
        classname=element.get("classname", ""),
        file=element.get("file") or None,
        line=_line(element.get("line")),
        outcome=outcome,
        message=_head(message, MESSAGE_CAP),
        traceback=_tail(without_library_frames(details), TRACEBACK_CAP) if outcome != "skipped" else "",
        seconds=_seconds(element.get("time")),
    )


def _line(value: str | None) -> int | None:
    """pytest writes 0-based line numbers; editors and findings count from 1."""
    try:
        return int(value) + 1 if value is not None else None
    except ValueError:
        return None


def _seconds(value: str | None) -> float:
    try:
        return max(0.0, float(value or 0))
    except ValueError:
        return 0.0


def keep_cases(cases: list[TestCase], cap: int = CASES_CAP) -> tuple[list[TestCase], int]:
    """At most ``cap`` cases in run order, failures first to be kept, and how many were left out."""
    if len(cases) <= cap:
        return cases, 0
    ranked = sorted(range(len(cases)), key=lambda i: (not cases[i].failing, i))
    kept = sorted(ranked[:cap])
    return [cases[i] for i in kept], len(cases) - cap


def without_library_frames(text: str) -> str:
    """``text`` with traceback frames from pytest, importlib and other installed code removed.

    Frames in the code under test and its tests, and the error itself (``E`` lines), stay.
    """
    kept: list[str] = []
    skipping = False
    for line in text.splitlines():
        if _LIBRARY_FRAME.match(line):
            skipping = True
            continue
        if skipping and (line.startswith((" ", "\t")) or line.strip() == "???"):
            continue
        skipping = False
        kept.append(line)
    return "\n".join(kept)


def _head(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _tail(text: str, limit: int) -> str:
    """The last ``limit`` characters, cut at a line start where one is near (the error is at the end)."""
    text = text.strip()
    if len(text) <= limit:
        return text
    tail = text[-(limit - 4) :]
    newline = tail.find("\n")
    return "...\n" + (tail[newline + 1 :] if 0 <= newline < limit // 2 else tail)
