"""The ``junit`` report: JUnit XML that CI test viewers (GitHub, GitLab, Jenkins, Azure) display.

Two test suites: ``codeagent.gates`` with one test case per quality gate (a failure carries the gate's findings,
``<skipped/>`` for skipped gates, ``<error>`` for crashed ones) and ``codeagent.generated_tests`` with the generated
tests' own results, one test case per test of :attr:`TestOutcome.cases <burr_codeagent.models.TestOutcome.cases>`,
or one aggregate case when the run named no test (it timed out, or crashed before pytest wrote its report).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence

from ..hookspecs import hookimpl
from ..models import AgentResult, CheckReport, Finding, GateRun, Severity, TestCase, TestOutcome
from ._attempts import attempt_records, attempt_text
from ._view import test_name, traceback_text
from .base import Renderable, RenderContext, Renderer

__all__ = ["JunitRenderer", "merge_junit"]

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _text(value: str) -> str:
    """Text safe inside XML 1.0: ANSI colours and characters XML forbids are removed."""
    return _INVALID_XML.sub("", _ANSI.sub("", value))


def _findings_text(findings: Sequence[Finding], paths: dict[str, str]) -> str:
    lines = []
    for f in findings:
        where = (
            paths.get(f.target, f.target)
            + (f":{f.line}" if f.line else "")
            + (f":{f.column}" if f.column else "")
        )
        line = f"{where}: {f.rule} [{f.severity.value}] {f.message}"
        if f.suggestion:
            line += f"\n    suggestion: {f.suggestion}"
        lines.append(line)
    return _text("\n".join(lines))


def _gate_case(suite: ET.Element, run: GateRun, report: CheckReport, paths: dict[str, str]) -> str:
    findings = [f for f in report.findings if f.gate == run.name]
    case = ET.SubElement(
        suite, "testcase", classname="codeagent.gates", name=run.name, time=f"{run.seconds:.3f}"
    )
    blocking = [f for f in findings if f.severity is Severity.CRITICAL]
    if report.verdict == "failed":  # warnings over the threshold fail the gates that raised them
        blocking += [f for f in findings if f.severity is Severity.WARNING]
    if run.status == "error":
        kind = "unavailable" if run.unavailable else "crashed"  # unavailable: the check is unverified
        error = ET.SubElement(case, "error", message=_text(run.error or "gate crashed"), type=kind)
        error.text = _findings_text(findings, paths)
        return "error"
    if run.status == "skipped":
        ET.SubElement(case, "skipped", message=_text(run.error or "skipped"))
        return "skipped"
    if blocking:
        worst = "critical" if any(f.severity is Severity.CRITICAL for f in blocking) else "warning"
        failure = ET.SubElement(
            case,
            "failure",
            message=_text(f"{len(blocking)} {worst}-level finding(s) from {run.name}"),
            type=worst,
        )
        failure.text = _findings_text(findings, paths)
        return "failure"
    if findings:  # tolerated warnings and info: visible, not failing
        ET.SubElement(case, "system-out").text = _findings_text(findings, paths)
    return "ok"


def _suite(parent: ET.Element, name: str) -> ET.Element:
    return ET.SubElement(parent, "testsuite", name=name)


def _close_suite(suite: ET.Element, outcomes: list[str], seconds: float) -> None:
    suite.set("tests", str(len(outcomes)))
    suite.set("failures", str(outcomes.count("failure")))
    suite.set("errors", str(outcomes.count("error")))
    suite.set("skipped", str(outcomes.count("skipped")))
    suite.set("time", f"{seconds:.3f}")


def _generated_tests(parent: ET.Element, outcome: TestOutcome, paths: dict[str, str]) -> None:
    suite = _suite(parent, "codeagent.generated_tests")
    suite.set("hostname", _text(f"sandbox:{outcome.isolation}"))
    outcomes = [_test_case(suite, case, paths) for case in outcome.cases]
    if outcome.cases_omitted:
        ET.SubElement(
            suite,
            "testcase",
            classname="codeagent.generated_tests",
            name=f"{outcome.cases_omitted} more test(s), not listed one by one",
            time="0",
        )
        outcomes.append("ok")
    if not outcome.cases:  # nothing was reported test by test: one case for the run
        case = ET.SubElement(
            suite,
            "testcase",
            classname="codeagent.generated_tests",
            name="generated tests",
            time=f"{outcome.duration_seconds:.3f}",
        )
        summary = f"{outcome.passed} passed, {outcome.failed} failed, {outcome.errors} errors, {outcome.skipped} skipped"
        if outcome.timed_out:
            summary += ", timed out"
        if outcome.succeeded:
            outcomes.append("ok")
        else:
            # Why (a timeout, a crash) is in the gates suite's findings and in system-out below.
            ET.SubElement(case, "failure", message=_text(summary), type="tests_failed")
            outcomes.append("failure")
    if outcome.output:
        ET.SubElement(suite, "system-out").text = _text(traceback_text(outcome.output, paths))
    _close_suite(suite, outcomes, outcome.duration_seconds)


def _test_case(suite: ET.Element, test: TestCase, paths: dict[str, str]) -> str:
    """One generated test, as pytest's own JUnit report has it (file and 1-based line included)."""
    case = ET.SubElement(
        suite, "testcase", classname=_text(test.classname), name=_text(test.name), time=f"{test.seconds:.3f}"
    )
    if test.file:  # the file the user gave, not the sandbox's name for it
        case.set("file", _text(test_name(test.file, paths)))
    if test.line:
        case.set("line", str(test.line))
    if test.outcome == "passed":
        return "ok"
    if test.outcome == "skipped":
        ET.SubElement(case, "skipped", message=_text(test.message or "skipped"))
        return "skipped"
    tag, kind = ("failure", "failure") if test.outcome == "failed" else ("error", "error")
    element = ET.SubElement(case, tag, message=_text(test.message or test.outcome), type=test.outcome)
    element.text = _text(traceback_text(test.traceback, paths))
    return kind


def junit_tree(report: CheckReport, paths: dict[str, str], *, name: str) -> ET.Element:
    """The ``<testsuites>`` element for one check report."""
    root = ET.Element("testsuites", name=_text(name))
    gates = _suite(root, "codeagent.gates")
    outcomes = [_gate_case(gates, run, report, paths) for run in report.gates]
    known = {run.name for run in report.gates}
    orphans = [f for f in report.findings if f.gate not in known]  # e.g. an unusable model answer
    if orphans:
        case = ET.SubElement(gates, "testcase", classname="codeagent.gates", name="generation", time="0")
        failure = ET.SubElement(
            case, "failure", message=_text(orphans[0].message), type=orphans[0].severity.value
        )
        failure.text = _findings_text(orphans, paths)
        outcomes.append("failure")
    _close_suite(gates, outcomes, sum(run.seconds for run in report.gates))
    if report.tests is not None:
        _generated_tests(root, report.tests, paths)
    _totals(root)
    return root


def _attempts_suite(root: ET.Element, result: AgentResult, paths: dict[str, str]) -> None:
    """``codeagent.attempts``: one case per attempt with its findings, failing tests, what it fixed and what was new.

    The best attempt's case passes (its gates are the suites above); the others are skipped as superseded, so the
    history is visible without failing a CI test view twice for the same problem.
    """
    suite = _suite(root, "codeagent.attempts")
    outcomes = []
    best = result.best.index if result.best else None
    for record, attempt in zip(attempt_records(result, paths), result.attempts, strict=True):
        case = ET.SubElement(
            suite,
            "testcase",
            classname="codeagent.attempts",
            name=f"attempt {attempt.index}",
            time=f"{attempt.seconds:.3f}",
        )
        if attempt.index != best:
            message = f"{record['verdict']}; superseded by attempt {best}" if best else record["verdict"]
            ET.SubElement(case, "skipped", message=_text(message))
            outcomes.append("skipped")
        else:
            outcomes.append("ok")
        ET.SubElement(case, "system-out").text = _text(attempt_text(record))
    _close_suite(suite, outcomes, sum(a.seconds for a in result.attempts))


def _totals(root: ET.Element) -> None:
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in root.iter("testsuite"))))
    root.set("time", f"{sum(float(s.get('time', '0')) for s in root.iter('testsuite')):.3f}")


def _serialise(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def merge_junit(texts: Sequence[str]) -> str:
    """Several JUnit documents of this renderer as one ``<testsuites>``."""
    root = ET.Element("testsuites", name="codeagent check")
    for text in texts:
        root.extend(ET.fromstring(text.encode("utf-8")).findall("testsuite"))
    _totals(root)
    return _serialise(root)


class JunitRenderer:
    """Gate results and generated tests as JUnit XML for CI test views."""

    name = "junit"
    extension = "xml"
    description = "JUnit XML: one test case per gate plus the generated tests' own results."

    def can_render(self, obj: Renderable) -> bool:
        return isinstance(obj, AgentResult | CheckReport)

    def render(self, obj: Renderable, context: RenderContext) -> str:
        if isinstance(obj, AgentResult):
            if obj.best is None:
                root = ET.Element("testsuites", name="codeagent run")
                suite = _suite(root, "codeagent.gates")
                case = ET.SubElement(
                    suite, "testcase", classname="codeagent.gates", name="generation", time="0"
                )
                ET.SubElement(case, "failure", message=_text(f"no attempt was checked: {obj.stop_reason}"))
                _close_suite(suite, ["failure"], 0.0)
                _totals(root)
                return _serialise(root)
            paths = {"code": "solution.py", "tests": "test_solution.py", **context.source_paths}
            root = junit_tree(obj.best.report, paths, name=f"codeagent run (attempt {obj.best.index})")
            _attempts_suite(root, obj, paths)
            _totals(root)
            return _serialise(root)
        paths = dict(context.source_paths)
        return _serialise(junit_tree(obj, paths, name=f"codeagent check {paths.get('code', '')}".strip()))

    def join(self, rendered: Sequence[str], context: RenderContext) -> str:
        """Several files' reports as one ``<testsuites>`` (see :func:`merge_junit`)."""
        return merge_junit(rendered)


@hookimpl
def register_renderers(register: Callable[[Renderer], None]) -> None:
    """Register the ``junit`` renderer."""
    register(JunitRenderer())
