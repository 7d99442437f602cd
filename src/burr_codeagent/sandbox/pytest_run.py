"""Run generated tests with pytest in the sandbox and read the verdict from pytest's JUnit XML report.

The report file, not the exit status or stdout, says what ran: a test that calls ``os._exit(0)``, kills its runner or
prints a fake "5 passed" line leaves no (or no matching) report, and that is never a pass.
"""

from __future__ import annotations

import dataclasses
import secrets
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..models import TestCase, TestOutcome
from .junit_xml import COLLECTION_FAILURE, keep_cases, parse_junit
from .runner import RunResult, Sandbox, workdir
from .warm import run_warm, warm_worker

__all__ = ["PytestResult", "PytestRun", "RunExtension", "TestCase", "run_pytest"]

MAX_REPORT_BYTES = 8 * 1024 * 1024
MAX_COLLECTED_BYTES = 16 * 1024 * 1024
_PYTEST_INI = (
    "[pytest]\naddopts =\njunit_family = xunit1\njunit_logging = no\nconsole_output_style = classic\n"
)
_EXIT_OK, _EXIT_FAILED, _EXIT_NO_TESTS = 0, 1, 5


@dataclass(frozen=True)
class RunExtension:
    """What a measurement adds to a pytest run so it happens in the same session: plugins, files and settings.

    ``plugins`` are loaded with ``-p`` (a module from ``files`` or an installed one); ``files`` are written into the
    work dir before the run; ``collect`` names files the plugin writes, read back into :attr:`PytestResult.files`;
    ``env`` is set for the run. What comes back was written next to untrusted code: parse it defensively.
    """

    plugins: tuple[str, ...] = ()
    files: Mapping[str, str | bytes] = field(default_factory=dict)
    collect: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PytestRun:
    """What to run: the module under test, its tests, and any extra plugins, arguments and files.

    ``plugins`` are module names loaded with ``-p`` (plugin autoloading is off, so nothing else loads); a plugin can
    be a file from ``files`` (the work dir is importable) or an installed module. ``collect`` names files the run
    writes (relative to the work dir) to read back into :attr:`PytestResult.files`.
    """

    code: str
    test_code: str
    module: str = "solution"
    test_file: str = "test_solution.py"
    plugins: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    files: Mapping[str, str | bytes] = field(default_factory=dict)
    collect: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 10.0

    def __post_init__(self) -> None:
        for name in [f"{self.module}.py", self.test_file, *self.files, *self.collect]:
            path = PurePosixPath(name)
            if path.is_absolute() or ".." in path.parts or not path.parts:
                raise ValueError(
                    f"sandbox file names must be relative paths inside the work dir, not {name!r}"
                )
        if not self.module.isidentifier():
            raise ValueError(f"module name {self.module!r} is not a Python identifier")
        if self.timeout <= 0:
            raise ValueError(f"timeout must be positive, not {self.timeout!r}")

    def extended(self, extension: RunExtension) -> PytestRun:
        """This run with ``extension``'s plugins, files, collected files and environment added.

        Raises:
            ValueError: the extension would replace the module, its tests, or a file or variable already set to
                something else.
        """
        files, env = dict(self.files), dict(self.env)
        reserved = {f"{self.module}.py", self.test_file, "pytest.ini"}
        for kind, mine, theirs in (("file", files, extension.files), ("variable", env, extension.env)):
            for key, value in theirs.items():
                if key in reserved or mine.get(key, value) != value:
                    raise ValueError(f"the test run extension would replace the {kind} {key!r}")
                mine[key] = value  # type: ignore[assignment]  # str for env, str | bytes for files
        return dataclasses.replace(
            self,
            plugins=(*self.plugins, *(p for p in extension.plugins if p not in self.plugins)),
            files=files,
            collect=(*self.collect, *(c for c in extension.collect if c not in self.collect)),
            env=env,
        )


@dataclass(frozen=True)
class PytestResult:
    """The outcome of a run, the individual tests, any collected files and, if it cannot count, why.

    ``cases`` are the tests that ran (all of them; ``outcome.cases`` keeps at most 500, collection errors
    included), ``collection_errors`` the test modules that could not be imported.
    """

    outcome: TestOutcome
    cases: list[TestCase]
    run: RunResult
    report_found: bool
    problem: str | None = None
    """Why the run is not a valid pass or fail by the report (no report, wrong report, status disagrees)."""
    collection_errors: list[TestCase] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    spec: PytestRun | None = None
    """What was run (its plugins and collected files say which extensions took part)."""

    @property
    def failures(self) -> list[TestCase]:
        """Tests that failed or errored (collection errors are separate)."""
        return [c for c in self.cases if c.failing]


def pytest_command(spec: PytestRun, report: str, suite: str) -> list[str]:
    """The pytest command line: own interpreter, no cache, only the plugins asked for, JUnit XML report."""
    argv = [sys.executable, "-m", "pytest", spec.test_file, "-c", "pytest.ini", "--rootdir", "."]
    argv += ["-p", "no:cacheprovider", "-q", "--tb=short", "-rN", "--color=no", f"--junitxml={report}"]
    argv += ["-o", f"junit_suite_name={suite}"]
    for plugin in spec.plugins:
        argv += ["-p", plugin]
    return [*argv, *spec.args]


def run_pytest(
    spec: PytestRun, sandbox: Sandbox | None = None, *, keep_workdir: bool = False
) -> PytestResult:
    """Write the module and tests into a fresh work dir, run pytest in ``sandbox`` and read its report."""
    sandbox = sandbox or Sandbox()
    with warm_worker(sandbox) as worker, workdir(keep_workdir, parent=worker and worker.spool) as host:
        files: dict[str, str | bytes] = {
            f"{spec.module}.py": spec.code,
            spec.test_file: spec.test_code,
            "pytest.ini": _PYTEST_INI,
            **spec.files,
        }
        for name, content in files.items():
            target = host / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        # An unguessable report name and suite name: a stale or forged file does not count.
        nonce = secrets.token_hex(8)
        report = f".codeagent-{nonce}.xml"
        started = time.perf_counter()
        command = pytest_command(spec, report, nonce)
        run = run_warm(worker, command[3:], host, spec.timeout, spec.env) if worker else None
        if run is None:  # no warm worker here (or it failed before the run started): a fresh sandbox
            run = sandbox.run(command, host, timeout=spec.timeout, env=spec.env)
        collected = {name: _read_capped(host / name, MAX_COLLECTED_BYTES) for name in spec.collect}
        report_bytes = _read_capped(host / report, MAX_REPORT_BYTES)
        elapsed = time.perf_counter() - started
        result = interpret(run, report_bytes, nonce, elapsed, cap=sandbox.max_output_chars)
        outcome = result.outcome
        if keep_workdir:
            note = f"\n(sandbox work dir kept for debugging: {host})"
            outcome = outcome.model_copy(update={"output": outcome.output[: sandbox.max_output_chars] + note})
        return PytestResult(
            outcome=outcome,
            cases=result.cases,
            run=run,
            report_found=result.report_found,
            problem=result.problem,
            collection_errors=result.collection_errors,
            files={k: v for k, v in collected.items() if v is not None},
            spec=spec,
        )


def _read_capped(path: Path, cap: int) -> bytes | None:
    try:
        if path.is_symlink() or not path.is_file():  # a symlink could point anywhere on the host
            return None
        with path.open("rb") as handle:
            return handle.read(cap)
    except OSError:
        return None


@dataclass
class _Parsed:
    outcome: TestOutcome
    cases: list[TestCase]
    report_found: bool
    problem: str | None
    collection_errors: list[TestCase]


def interpret(run: RunResult, report: bytes | None, suite: str, seconds: float, cap: int = 8_000) -> _Parsed:
    """Combine the run and its report into a :class:`TestOutcome` (exposed for tests and other runners)."""
    cases, parse_problem = parse_junit(report, suite, run.inside_workdir)
    collection = [c for c in cases if c.outcome == "error" and c.message == COLLECTION_FAILURE]
    tests = [c for c in cases if c not in collection]
    counts = {o: sum(1 for c in tests if c.outcome == o) for o in ("passed", "failed", "error", "skipped")}
    problem = parse_problem
    if problem is None and not run.timed_out:
        problem = _status_disagrees(run.returncode, counts, bool(collection))
    believed = [*collection, *tests] if problem is None else [c for c in [*collection, *tests] if c.failing]
    kept, omitted = keep_cases(believed)
    outcome = TestOutcome(
        passed=counts["passed"] if problem is None else 0,
        failed=counts["failed"],
        errors=counts["error"] + len(collection),
        skipped=counts["skipped"],
        duration_seconds=round(seconds, 3),
        timed_out=run.timed_out,
        isolation=run.isolation,
        output=_output_tail(run, cap),
        cases=kept,
        cases_omitted=omitted,
    )
    return _Parsed(outcome, tests, report is not None and parse_problem is None, problem, collection)


def _status_disagrees(returncode: int | None, counts: dict[str, int], collection_failed: bool) -> str | None:
    """A report of success from a process that did not exit as pytest does after success is not believed."""
    bad = counts["failed"] + counts["error"] > 0 or collection_failed
    if not bad and counts["passed"] > 0 and returncode != _EXIT_OK:
        return f"pytest reported no failure but exited with status {returncode}"
    if not bad and counts["passed"] == 0 and returncode not in (_EXIT_OK, _EXIT_NO_TESTS):
        return f"pytest ran no test and exited with status {returncode}"
    if bad and returncode == _EXIT_OK:
        return "pytest reported failures but exited with status 0"
    return None


def _output_tail(run: RunResult, cap: int) -> str:
    """pytest's own output for a human reader: its tail (the failures and the summary), the work dir removed."""
    output = run.output.replace(run.inside_workdir + "/", "").strip()
    if run.output_truncated:
        output = "(output truncated)\n" + output
    return output if len(output) <= cap else "...\n" + output[-(cap - 4) :]
