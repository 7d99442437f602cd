"""Coverage measured inside a sandboxed pytest run: the run extension and the parsed result.

:func:`coverage_extension` is what the ``coverage`` gate adds to the ``execution`` gate's one pytest session (see
:class:`~burr_codeagent.gates.base.ExtendsTestRun`), so line and branch coverage cost no second pytest process;
:func:`read_coverage` parses what the plugin (:mod:`._pytest_plugin`) wrote into :class:`CoverageData`, or says
why there is none.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ...sandbox import PytestResult, RunExtension

__all__ = [
    "PLUGIN_MODULE",
    "REPORT_FILE",
    "CoverageData",
    "coverage_available",
    "coverage_extension",
    "measured",
    "read_coverage",
]

PLUGIN_MODULE = "_codeagent_coverage"
REPORT_FILE = ".codeagent-coverage.json"


@dataclass(frozen=True)
class CoverageData:
    """Line and branch coverage of the module under test.

    ``missing_branches`` holds only branches whose source line ran (the others are covered by ``missing_lines``);
    a negative destination means leaving the function.
    """

    statements: int
    executed_lines: tuple[int, ...]
    missing_lines: tuple[int, ...]
    branches: int
    covered_branches: int
    missing_branches: tuple[tuple[int, int], ...]

    @property
    def line_percent(self) -> float:
        """Share of statements that ran."""
        return (
            100.0
            if not self.statements
            else 100.0 * (self.statements - len(self.missing_lines)) / self.statements
        )

    @property
    def branch_percent(self) -> float:
        """Share of branches taken."""
        return 100.0 if not self.branches else 100.0 * self.covered_branches / self.branches

    @property
    def percent(self) -> float:
        """Statements and branches together, as coverage.py counts its total."""
        total = self.statements + self.branches
        covered = self.statements - len(self.missing_lines) + self.covered_branches
        return 100.0 if not total else 100.0 * covered / total


def coverage_available() -> bool:
    """Whether coverage.py is installed (it is a dependency; a broken environment must not break every test run)."""
    return importlib.util.find_spec("coverage") is not None


@cache
def _plugin_source() -> str:
    return Path(__file__).with_name("_pytest_plugin.py").read_text(encoding="utf-8")


def coverage_extension(module: str = "solution") -> RunExtension:
    """The coverage plugin, its settings and its report, to add to a pytest run of ``module``'s tests."""
    return RunExtension(
        plugins=(PLUGIN_MODULE,),
        files={f"{PLUGIN_MODULE}.py": _plugin_source()},
        collect=(REPORT_FILE,),
        env={"CODEAGENT_COVERAGE_MODULE": f"{module}.py", "CODEAGENT_COVERAGE_REPORT": REPORT_FILE},
    )


def measured(result: PytestResult) -> bool:
    """Whether ``result`` is a run that had the coverage extension (so its report, or its absence, counts)."""
    return result.spec is not None and REPORT_FILE in result.spec.collect


def read_coverage(result: PytestResult, module_file: str = "solution.py") -> CoverageData | str:
    """The coverage data of a run made with :func:`coverage_extension`, or why there is none.

    The report was written next to untrusted code: anything malformed is a reason, never an exception.
    """
    raw = result.files.get(REPORT_FILE)
    if raw is None:
        return "the test run wrote no coverage report (it was killed or exited early)"
    try:
        data = json.loads(raw)
        if "error" in data:
            return f"coverage could not measure the module: {str(data['error'])[:300]}"
        files: dict[str, Any] = data["files"]
        entry = next((v for k, v in files.items() if Path(k).name == module_file), None)
        if entry is None:
            return f"{module_file} was never imported by the tests"
        return _parse_entry(entry)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return f"the coverage report is malformed ({type(exc).__name__})"


def _parse_entry(entry: dict[str, Any]) -> CoverageData:
    summary = entry["summary"]
    missing = tuple(sorted(int(n) for n in entry["missing_lines"]))
    ran = {int(n) for n in entry["executed_lines"]}
    branches = tuple((int(a), int(b)) for a, b in entry.get("missing_branches", []) if int(a) in ran)
    return CoverageData(
        statements=int(summary["num_statements"]),
        executed_lines=tuple(sorted(ran)),
        missing_lines=missing,
        branches=int(summary.get("num_branches", 0)),
        covered_branches=int(summary.get("covered_branches", 0)),
        missing_branches=tuple(sorted(branches)),
    )
