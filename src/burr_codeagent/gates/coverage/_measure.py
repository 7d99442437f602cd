"""Coverage measured inside a sandboxed pytest run: the run extension and the parsed result.

:func:`coverage_extension` is what the ``coverage`` gate adds to the ``execution`` gate's one pytest session (see
:class:`~burr_codeagent.gates.base.ExtendsTestRun`), so line and branch coverage cost no second pytest process;
:func:`read_coverage` parses what the plugin (:mod:`._pytest_plugin`) wrote into :class:`CoverageData`, or says
why there is none.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...sandbox import PytestResult, RunExtension


__all__ = [
    "PLUGIN_MODULE",
    "REPORT_FILE",
    "CoverageData",
    "coverage_available",
    "coverage_extension",
    "exclusion_patterns",
    "measured",
    "read_coverage",
]

PLUGIN_MODULE = "_codeagent_coverage"
REPORT_FILE = ".codeagent-coverage.json"
# Blocks no test runs: the script entry point, and typing-only lines coverage.py's defaults may not know (older
# versions). The syntax tree finds the other stubs (_stubs).
ALWAYS_EXCLUDED = (
    r"^\s*if __name__ == .__main__.:",
    r"^\s*if (typing\.)?TYPE_CHECKING:",
    r"^\s*@(typing\.)?overload\b",
)
_PRAGMA = "x = 1  # pragma: no cover"


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


def exclusion_patterns(*, honour_pragmas: bool) -> list[str]:
    """The ``exclude_lines`` (and ``exclude_also``) patterns coverage.py would use here, plus the typing ones.

    Read with coverage.py's own configuration reader from the current directory (``.coveragerc``, ``setup.cfg``,
    ``tox.ini``, ``pyproject.toml``, or ``COVERAGE_RCFILE``), as ``coverage run`` would; without configuration
    these are coverage.py's defaults (``# pragma: no cover``, ``...``-only bodies, ``if TYPE_CHECKING:``).
    With ``honour_pragmas`` off (the model's own code in the agent loop) a pattern that matches a
    ``# pragma: no cover`` comment is dropped: the model must not hide untested lines from the gate.

    Raises:
        ValueError: the coverage configuration cannot be read (coverage.py's message).
    """
    import coverage  # imported when measuring, not when the gate is registered

    try:
        configured = coverage.Coverage(data_file=None, config_file=True)
        patterns = [
            *configured.get_option("report:exclude_lines"),
            *configured.get_option("report:exclude_also"),  # type: ignore[misc]
        ]
    except coverage.CoverageException as exc:
        raise ValueError(f"the coverage configuration cannot be read: {exc}") from None
    patterns = [str(p) for p in patterns]
    if not honour_pragmas:
        patterns = [p for p in patterns if not _matches(p, _PRAGMA)]
    return [*patterns, *(p for p in ALWAYS_EXCLUDED if p not in patterns)]


def _matches(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


def coverage_extension(module: str = "solution", exclude: Sequence[str] = ALWAYS_EXCLUDED) -> RunExtension:
    """The coverage plugin, its settings and its report, to add to a pytest run of ``module``'s tests.

    ``exclude`` are the regular expressions of lines left out of the measurement (see
    :func:`exclusion_patterns`).
    """
    from ...sandbox import RunExtension

    return RunExtension(
        plugins=(PLUGIN_MODULE,),
        files={f"{PLUGIN_MODULE}.py": _plugin_source()},
        collect=(REPORT_FILE,),
        env={
            "CODEAGENT_COVERAGE_MODULE": f"{module}.py",
            "CODEAGENT_COVERAGE_REPORT": REPORT_FILE,
            "CODEAGENT_COVERAGE_EXCLUDE": json.dumps(list(exclude)),
        },
    )


def measured(result: PytestResult) -> bool:
    """Whether ``result`` is a run that had the coverage extension (so its report, or its absence, counts)."""
    return result.spec is not None and REPORT_FILE in result.spec.collect


def read_coverage(
    result: PytestResult, module_file: str = "solution.py", excluded: Collection[int] = ()
) -> CoverageData | str:
    """The coverage data of a run made with :func:`coverage_extension`, or why there is none.

    ``excluded`` lines (typing-only stubs, see :mod:`._stubs`) and the branches into or out of them are left out,
    as coverage.py leaves out the lines its exclusion patterns match. The report was written next to untrusted
    code: anything malformed is a reason, never an exception.
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
        return _parse_entry(entry, frozenset(excluded))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return f"the coverage report is malformed ({type(exc).__name__})"


def _parse_entry(entry: dict[str, Any], excluded: frozenset[int]) -> CoverageData:
    missing = {int(n) for n in entry["missing_lines"]} - excluded
    ran = {int(n) for n in entry["executed_lines"]} - excluded

    def arcs(key: str) -> list[tuple[int, int]]:
        pairs = ((int(a), int(b)) for a, b in entry.get(key, []))
        return [(a, b) for a, b in pairs if a not in excluded and b not in excluded]

    taken, not_taken = arcs("executed_branches"), arcs("missing_branches")
    return CoverageData(
        statements=len(missing) + len(ran),
        executed_lines=tuple(sorted(ran)),
        missing_lines=tuple(sorted(missing)),
        branches=len(taken) + len(not_taken),
        covered_branches=len(taken),
        missing_branches=tuple(sorted((a, b) for a, b in not_taken if a in ran)),
    )
