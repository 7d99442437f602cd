"""The ``junit`` report: JUnit XML that CI test viewers (GitHub, GitLab, Jenkins, Azure) display.

Two test suites: ``codeagent.gates`` with one test case per quality gate (a failure carries the gate's findings,
``<skipped/>`` for skipped gates, ``<error>`` for crashed ones) and ``codeagent.generated_tests`` with the generated
tests' own results, one test case per test when pytest's output names them, else one aggregate case.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..hookspecs import hookimpl
from ..models import AgentResult, CheckReport, Finding, GateRun, Severity, TestOutcome
from .base import Renderable, RenderContext, Renderer

__all__ = ["JunitRenderer", "TestCaseResult", "merge_junit", "parse_pytest_results"]

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# pytest -v lines ("test_solution.py::test_x PASSED [ 50%]") and -rA summary lines ("FAILED test_solution.py::t - ...").
_VERBOSE = re.compile(
    r"^(?P<id>\S+::\S+)\s+(?P<status>PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b", re.MULTILINE
)
_SUMMARY = re.compile(
    r"^(?P<status>PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\s+(?P<id>\S+::\S+)(?:\s+-\s+(?P<why>.*))?$",
    re.MULTILINE,
)
# The execution gate's own output: "--- test_solution::test_x (failed) ---" followed by the failure's details.
_BLOCK = re.compile(r"^--- (?P<id>\S+::\S+) \((?P<status>[a-z]+)\) ---$", re.MULTILINE)
_STATUS = {
    "PASSED": "passed",
    "XFAIL": "skipped",
    "SKIPPED": "skipped",
    "XPASS": "passed",
    "FAILED": "failed",
    "ERROR": "error",
}


def _text(value: str) -> str:
    """Text safe inside XML 1.0: ANSI colours and characters XML forbids are removed."""
    return _INVALID_XML.sub("", _ANSI.sub("", value))


@dataclass(frozen=True)
class TestCaseResult:
    """One generated test as pytest reported it."""

    __test__ = False  # not a pytest test class

    classname: str
    name: str
    status: str  # passed | failed | error | skipped
    message: str = ""


def parse_pytest_results(output: str) -> list[TestCaseResult]:
    """Per-test results from pytest's verbose or ``-rA`` summary lines, or the execution gate's failure blocks.

    Empty when the output names no tests.
    """
    found: dict[str, TestCaseResult] = {}
    clean = _ANSI.sub("", output)
    blocks = list(_BLOCK.finditer(clean))
    for i, match in enumerate(blocks):
        end = blocks[i + 1].start() if i + 1 < len(blocks) else len(clean)
        path, _, name = match.group("id").partition("::")
        detail = clean[match.end() : end].strip()
        status = _STATUS.get(match.group("status"), "failed")
        found[match.group("id")] = TestCaseResult(
            path.removesuffix(".py").replace("/", "."), name, status, detail
        )
    for pattern in (_VERBOSE, _SUMMARY):
        for match in pattern.finditer(_ANSI.sub("", output)):
            node_id = match.group("id")
            path, _, name = node_id.partition("::")
            module = path.removesuffix(".py").replace("/", ".")
            why = match.groupdict().get("why") or ""
            previous = found.get(node_id)
            found[node_id] = TestCaseResult(
                module, name, _STATUS[match.group("status")], why or (previous.message if previous else "")
            )
    return list(found.values())


def _headline(detail: str) -> str:
    """The most telling line of a failure: pytest's first ``E`` line, else the last line."""
    lines = [line.strip() for line in detail.splitlines() if line.strip()]
    marked = [line for line in lines if line.startswith("E ")]
    return (marked[0][1:].strip() if marked else lines[-1]) if lines else "failed"


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
    if not report.passed:  # warnings over the threshold fail the gates that raised them
        blocking += [f for f in findings if f.severity is Severity.WARNING]
    if run.status == "error":
        error = ET.SubElement(case, "error", message=_text(run.error or "gate crashed"), type="crashed")
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


def _generated_tests(
    parent: ET.Element, outcome: TestOutcome, report: CheckReport, paths: dict[str, str]
) -> None:
    suite = _suite(parent, "codeagent.generated_tests")
    suite.set("hostname", _text(f"sandbox:{outcome.isolation}"))
    per_test = parse_pytest_results(outcome.output)
    counted = outcome.passed + outcome.failed + outcome.errors + outcome.skipped
    named_failures = sum(1 for t in per_test if t.status in {"failed", "error"})
    outcomes: list[str] = []
    if per_test and (len(per_test) == counted or named_failures == outcome.failed + outcome.errors):
        for test in per_test:
            case = ET.SubElement(
                suite, "testcase", classname=_text(test.classname), name=_text(test.name), time="0"
            )
            if test.status == "failed":
                failure = ET.SubElement(
                    case,
                    "failure",
                    message=_text(_headline(test.message)),
                    type="failed",
                )
                failure.text = _text(test.message)
                outcomes.append("failure")
            elif test.status == "error":
                ET.SubElement(case, "error", message=_text(test.message or "error"), type="error")
                outcomes.append("error")
            elif test.status == "skipped":
                ET.SubElement(case, "skipped", message=_text(test.message or "skipped"))
                outcomes.append("skipped")
            else:
                outcomes.append("ok")
        unnamed_passes = outcome.passed - sum(1 for t in per_test if t.status == "passed")
        if unnamed_passes > 0:  # the output names only the failures; the passing tests are counted, not named
            ET.SubElement(
                suite,
                "testcase",
                classname="codeagent.generated_tests",
                name=f"{unnamed_passes} passing test(s)",
                time="0",
            )
            outcomes.append("ok")
    else:
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
            failure = ET.SubElement(case, "failure", message=_text(summary), type="tests_failed")
            failure.text = _findings_text([f for f in report.findings if f.gate == "execution"], paths)
            outcomes.append("failure")
    if outcome.output:
        ET.SubElement(suite, "system-out").text = _text(outcome.output)
    _close_suite(suite, outcomes, outcome.duration_seconds)


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
        _generated_tests(root, report.tests, report, paths)
    _totals(root)
    return root


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
            return _serialise(root)
        paths = dict(context.source_paths)
        return _serialise(junit_tree(obj, paths, name=f"codeagent check {paths.get('code', '')}".strip()))


@hookimpl
def register_renderers(register: Callable[[Renderer], None]) -> None:
    """Register the ``junit`` renderer."""
    register(JunitRenderer())
