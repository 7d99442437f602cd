"""The pydantic models of the public contract: responses, findings, reports, attempts and results.

Every model here is JSON-serialisable (``model_dump(mode="json")``) so it can live in Burr state, be tracked,
persisted, and written as the ``json`` report unchanged.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from .plugin_discovery import skip_empty_pydantic_plugin_lookup

if TYPE_CHECKING:
    from .writing import GeneratedFiles

skip_empty_pydantic_plugin_lookup()  # before the first model is built: `codeagent check` builds these first

__all__ = [
    "CODE_FILE",
    "SOURCE_FILES",
    "TEST_FILE",
    "AgentResult",
    "Attempt",
    "CheckReport",
    "CheckVerdict",
    "Finding",
    "GateRun",
    "PythonCodeGenerationResponse",
    "RunMetrics",
    "Severity",
    "Target",
    "TestCase",
    "TestOutcome",
    "Usage",
]

CheckVerdict = Literal["passed", "failed", "unverified"]
"""A check's outcome: ``unverified`` when nothing failed but a gate could not run (neither passed nor failed)."""

Target = Literal["code", "tests"]
"""What a finding is about: the code under test or its tests."""

CODE_FILE = "solution.py"
"""The file generated code is saved as, so tests import it as module ``solution``."""
TEST_FILE = "test_solution.py"
"""The file generated tests are saved as."""
SOURCE_FILES: dict[Target, str] = {"code": CODE_FILE, "tests": TEST_FILE}

OUTPUT_CAP = 8_000
"""Characters of captured test output kept in a :class:`TestOutcome`."""
MESSAGE_CAP = 500
"""Characters of a test's failure message kept in a :class:`TestCase`."""
TRACEBACK_CAP = 2_000
"""Characters of a test's traceback kept in a :class:`TestCase` (its tail: where it failed)."""
CASES_CAP = 500
"""Tests listed one by one in a :class:`TestOutcome`; failures are kept first, the rest are counted."""


class PythonCodeGenerationResponse(BaseModel):
    """What the model must return for a task (the original design's fields, unchanged)."""

    model_config = ConfigDict(defer_build=True)  # built on first use: `codeagent check` never needs it

    function_name: str = Field(description="Name of the main function or class the code defines.")
    code: str = Field(description="The complete Python module. Tests import it as module `solution`.")
    explanation: str = Field(description="How the code works and why it is written this way.")
    dependencies: list[str] | None = Field(
        default=None,
        description="Third-party distributions the code needs, or null for the standard library only.",
    )
    test_code: str = Field(
        description="A pytest module that does `from solution import ...` and asserts behaviour."
    )
    usage_examples: list[str] = Field(
        default_factory=list, description="Short snippets showing how to call the code."
    )


class Severity(StrEnum):
    """How much a finding matters. ``critical`` always fails an attempt; warnings count against a threshold."""

    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"


class Finding(BaseModel):
    """One problem a gate found, precise enough to act on."""

    model_config = ConfigDict(frozen=True)

    gate: str
    rule: str = Field(description="Stable, namespaced id such as `security.B602` or `docstrings.missing`.")
    severity: Severity
    message: str
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    target: Target = "code"
    suggestion: str | None = None
    fixable: bool = Field(
        default=False, description="A formatter or safe auto-fix can repair this without the model."
    )
    test_id: str | None = Field(
        default=None,
        description="The node id of the test this finding is about (a case of `CheckReport.tests`), if any.",
    )
    model_hidden: bool = Field(
        default=False,
        description="Kept from the model: a retry prompt only says that this finding's gate failed.",
    )


class GateRun(BaseModel):
    """How one gate ran: ``ok``, ``error`` (it crashed; see ``error``) or ``skipped``."""

    name: str
    status: Literal["ok", "error", "skipped"]
    seconds: float = 0.0
    error: str | None = None
    cut_short: bool = Field(
        default=False, description="The gate's time budget ran out; ``error`` says what it did not measure."
    )
    unavailable: bool = Field(
        default=False,
        description="The gate could not run (its sandbox did not start, a tool is missing, the machine too loaded"
        " to time the tests): an error of the gate, not of the code; the report is then at best `unverified`.",
    )


class TestCase(BaseModel):
    """One test as pytest reported it: its name, outcome and, when it did not pass, why.

    A collection error (the test module does not import) is a case with outcome ``error`` named after the module.
    """

    __test__ = False  # not a pytest test class
    model_config = ConfigDict(frozen=True)

    name: str = Field(description="The test's name with its parameters, e.g. `test_add[1-2]`.")
    classname: str = Field(
        default="", description="Dotted module and class, as JUnit has it: `test_solution.TestAdd`."
    )
    file: str | None = Field(default=None, description="The test file, relative to the test run's directory.")
    line: int | None = Field(default=None, description="1-based line of the test function, when known.")
    outcome: Literal["passed", "failed", "error", "skipped"]
    message: str = Field(
        default="", max_length=MESSAGE_CAP + 20, description="The failure's message, capped."
    )
    traceback: str = Field(
        default="",
        max_length=TRACEBACK_CAP + 20,
        description="The tail of the failure's traceback, frames of installed libraries removed.",
    )
    seconds: float = 0.0

    @property
    def label(self) -> str:
        """``TestAdd.test_add[1-2]``: the name, prefixed by its class when it has one."""
        module, _, cls = self.classname.rpartition(".")
        return f"{cls}.{self.name}" if module and cls[:1].isupper() else self.name

    @property
    def nodeid(self) -> str:
        """pytest's node id, ``test_solution.py::TestAdd::test_add[1-2]``."""
        module, _, cls = self.classname.rpartition(".")
        path = self.file or (module or self.classname).replace(".", "/") + ".py"
        if not self.classname:  # a collection error: the module itself
            return self.file or self.name
        if module and cls[:1].isupper():
            return f"{path}::{cls}::{self.name}"
        return f"{path}::{self.name}"

    @property
    def failing(self) -> bool:
        """It failed or errored."""
        return self.outcome in ("failed", "error")


class TestOutcome(BaseModel):
    """The result of really running the generated tests: the counts and every test by name."""

    __test__ = False  # not a pytest test class

    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    duration_seconds: float = 0.0
    timed_out: bool = False
    isolation: str = "none"
    output: str = Field(
        default="", max_length=OUTPUT_CAP + 200, description="The tail of pytest's own output, for humans."
    )
    cases: list[TestCase] = Field(
        default_factory=list,
        description="Every test pytest reported, in run order (at most 500: failures are kept first).",
    )
    cases_omitted: int = Field(default=0, description="Tests left out of `cases` to keep it small.")

    def failures(self) -> list[TestCase]:
        """The tests that failed or errored (collection errors included)."""
        return [c for c in self.cases if c.failing]

    def passing(self) -> list[TestCase]:
        """The tests that passed."""
        return [c for c in self.cases if c.outcome == "passed"]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def succeeded(self) -> bool:
        """At least one test ran and none failed, errored or timed out."""
        return self.passed > 0 and self.failed == 0 and self.errors == 0 and not self.timed_out


class CheckReport(BaseModel):
    """Everything the checker found about one piece of code and its tests.

    ``verdict`` is ``failed`` when a critical finding or too many warnings were found, else ``unverified`` when a
    gate could not run (:attr:`GateRun.unavailable`), else ``passed``; ``passed`` is true only for ``passed``.
    """

    passed: bool
    verdict: CheckVerdict = Field(
        default="failed",
        description="passed, failed, or unverified (nothing failed, but a gate could not run: check again).",
    )
    critical_count: int
    warning_count: int
    info_count: int
    findings: list[Finding] = Field(default_factory=list)
    gates: list[GateRun] = Field(default_factory=list)
    tests: TestOutcome | None = None
    seconds: float = 0.0
    warning_threshold: int = 5
    suppressed: list[Finding] = Field(
        default_factory=list,
        description="Findings silenced by a `# nosec` comment (honoured on a user's own code, not in the agent).",
    )

    @model_validator(mode="before")
    @classmethod
    def _verdict_from_passed(cls, data: Any) -> Any:
        """Reports saved before ``verdict`` existed say only ``passed``."""
        if isinstance(data, dict) and "verdict" not in data and "passed" in data:
            return {**data, "verdict": "passed" if data["passed"] else "failed"}
        return data

    @property
    def unverified(self) -> bool:
        """Nothing failed, but a gate could not run: the code was neither passed nor failed."""
        return self.verdict == "unverified"

    def unavailable_gates(self) -> list[GateRun]:
        """The gates that could not run (their own infrastructure failed)."""
        return [g for g in self.gates if g.unavailable]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def suppressed_count(self) -> int:
        """How many findings ``# nosec`` comments silenced."""
        return len(self.suppressed)

    @classmethod
    def from_findings(
        cls,
        findings: list[Finding],
        *,
        gates: list[GateRun],
        tests: TestOutcome | None,
        seconds: float,
        warning_threshold: int,
        suppressed: list[Finding] | None = None,
    ) -> CheckReport:
        """Count the findings and apply the verdict: ``failed`` on a critical finding or warnings past the
        threshold, else ``unverified`` if a gate could not run, else ``passed``."""
        critical = sum(1 for f in findings if f.severity is Severity.CRITICAL)
        warnings = warning_count(findings)
        info = sum(1 for f in findings if f.severity is Severity.INFO)
        verdict: CheckVerdict = "failed" if critical or warnings > warning_threshold else "passed"
        if verdict == "passed" and any(g.unavailable for g in gates):
            verdict = "unverified"
        return cls(
            passed=verdict == "passed",
            verdict=verdict,
            critical_count=critical,
            warning_count=warnings,
            info_count=info,
            findings=findings,
            gates=gates,
            tests=tests,
            seconds=seconds,
            warning_threshold=warning_threshold,
            suppressed=suppressed or [],
        )

    def by_severity(self, severity: Severity) -> list[Finding]:
        """The findings of one severity, in report order."""
        return [f for f in self.findings if f.severity is severity]


def warning_count(findings: list[Finding]) -> int:
    """Warnings as the verdict counts them.

    Fixable (formatter-level) warnings count once in all, however many rules and lines they span: one formatter run
    repairs trailing spaces, missing blank lines and spacing together, so they are one habit, not five defects.
    Other style warnings in the test code count once per rule: forty ``== True`` comparisons in the tests are one
    habit, not forty defects of the code.
    """
    once: set[str] = set()
    others = 0
    for f in findings:
        if f.severity is not Severity.WARNING:
            continue
        if f.fixable:
            once.add("fixable")
        elif f.target == "tests" and f.gate == "style":
            once.add(f.rule)
        else:
            others += 1
    return others + len(once)


class Usage(BaseModel):
    """Token usage reported by a provider, summed over one or more HTTP calls."""

    model_config = ConfigDict(defer_build=True)  # built on first use: `codeagent check` never needs it

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    api_calls: int = 0
    latencies: list[float] = Field(default_factory=list)

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_read_tokens=self.cache_read_tokens + other.cache_read_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
            api_calls=self.api_calls + other.api_calls,
            latencies=[*self.latencies, *other.latencies],
        )


class EditOutcome(BaseModel):
    """What became of one edit of a retry answer: applied, or why not (with the closest lines, numbered)."""

    model_config = ConfigDict(defer_build=True)  # built on first use: `codeagent check` never needs it

    target: Literal["code", "tests"]
    search: str
    replace: str
    applied: bool
    matches: int = Field(description="How many times the search text occurred when the edit was tried.")
    problem: str | None = None
    closest: str | None = Field(default=None, description="The closest lines of the target, numbered.")


class Attempt(BaseModel):
    """One generation and its check."""

    model_config = ConfigDict(defer_build=True)  # built on first use: `codeagent check` never needs it

    index: int = Field(ge=1, description="1-based attempt number.")
    response: PythonCodeGenerationResponse | None = None
    report: CheckReport
    usage: Usage = Field(default_factory=Usage)
    seconds: float = 0.0
    error: str | None = Field(default=None, description="Why no usable response was produced, if so.")
    auto_fixes: list[str] = Field(
        default_factory=list, description="Fixes applied locally without the model."
    )
    report_before_auto_fix: CheckReport | None = Field(
        default=None,
        description="The check of the model's own answer when a kept auto-fix replaced it (`report` is after).",
    )
    edits: list[EditOutcome] = Field(
        default_factory=list,
        description="The edits of a retry answer and what became of each (empty: whole).",
    )


class RunMetrics(BaseModel):
    """Tokens, calls and timings of a whole run. Tokens come from provider usage fields, never from text length."""

    model_config = ConfigDict(defer_build=True)  # built on first use: `codeagent check` never needs it

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    analysis_tokens: int = 0
    api_calls: int = 0
    generation_seconds: list[float] = Field(default_factory=list)
    check_seconds: list[float] = Field(default_factory=list)
    wall_seconds: float = 0.0
    estimated_cost_usd: float | None = None


class AgentResult(BaseModel):
    """What :meth:`CodeAgent.run` returns."""

    model_config = ConfigDict(defer_build=True)  # built on first use: `codeagent check` never needs it

    task: str
    passed: bool
    attempts: list[Attempt]
    best: Attempt | None
    code: str
    test_code: str
    metrics: RunMetrics
    report_paths: dict[str, Path] = Field(default_factory=dict)
    app_id: str
    stop_reason: str
    config: dict[str, object] = Field(
        default_factory=dict, description="The settings of the run, secrets redacted."
    )

    def files(self, module: str | None = None) -> GeneratedFiles | None:
        """The best attempt's module and tests, named after ``module`` (else its ``function_name``), or None."""
        from .writing import generated_files

        if self.best is None or self.best.response is None:
            return None
        response = self.best.response
        return generated_files(response.function_name, self.code, self.test_code, module)

    def write(self, directory: Path, *, module: str | None = None, force: bool = False) -> dict[str, Path]:
        """Write the best attempt's module and tests into ``directory``; ``{"module": path, "tests": path}``.

        Raises:
            ConfigurationError: there is no attempt with code, or a file exists and ``force`` is off.
        """
        from .errors import ConfigurationError
        from .writing import write_files

        files = self.files(module)
        if files is None:
            raise ConfigurationError("the run produced no code to write")
        return write_files(files, directory, force=force)
