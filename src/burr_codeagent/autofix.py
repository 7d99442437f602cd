"""Local, deterministic fixes applied before spending tokens on another generation.

Three fixers run on the code and on the tests, in this order, each only on source that parses:

1. ``ruff check --fix-only`` with ruff's *safe* fixes only (ruff marks a fix safe when it keeps the meaning of the
   code; unsafe fixes such as ``== None`` -> ``is None`` are never applied) over the rule families in
   :data:`RUFF_FIX_RULES`: unused imports, import order, pyupgrade's modern syntax, whitespace, docstring layout.
2. ``-> None`` added to functions that cannot return a value (see :func:`add_none_returns`), a libcst transform.
3. ``ruff format``.

These are safe by construction, and the agent still re-runs every gate, the real test run included, on the fixed
attempt and keeps the original when the fixed one scores worse.

Deliberately *not* automated, because each can change behaviour: ``except:`` -> ``except Exception:`` (stops catching
``KeyboardInterrupt``/``SystemExit``), ``== None`` -> ``is None`` (custom ``__eq__``), removing unused variables
(their right-hand side may have effects), adding parameter annotations (a guess), wrapping long lines by hand.
"""

from __future__ import annotations

import ast
import json
import subprocess
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ._ruff import ruff_binary
from .models import SOURCE_FILES, CheckReport, PythonCodeGenerationResponse, Target

if TYPE_CHECKING:
    from .config import AgentConfig

__all__ = [
    "LINE_LENGTH",
    "RUFF_FIX_RULES",
    "FixResult",
    "add_none_returns",
    "auto_fix",
    "fix_response",
    "ruff_binary",
    "worth_fixing",
]

RUFF_FIX_RULES = ("E", "W", "F", "I", "UP", "D")
"""Rule families whose safe fixes are applied. ``D`` uses the docstring convention configured for the
``docstrings`` gate (default google), so the fixes never fight the gate."""

LINE_LENGTH = 100
"""The line length the agent's fixes keep to when the ``style`` gate's ``line_length`` option is not set
(the same default as the gate's, so a fix never fights the gate)."""

CONVENTIONS = ("google", "numpy", "pep257")
RUFF_TIMEOUT = 30.0

_FILENAMES = SOURCE_FILES


class AutoFixError(RuntimeError):
    """A fixer could not run (ruff missing or failing). The agent records it and carries on without fixing."""


@dataclass(frozen=True)
class FixResult:
    """The fixed sources and what was done to them, one human-readable line per fix."""

    code: str
    test_code: str
    applied: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether any fixer changed anything."""
        return bool(self.applied)


def _ruff(args: Sequence[str], source: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [ruff_binary(), *args],
            input=source,
            capture_output=True,
            text=True,
            timeout=RUFF_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise AutoFixError(f"ruff could not run: {exc}") from exc


def _lint_args(target: Target, line_length: int, convention: str) -> list[str]:
    return [
        "check",
        "--isolated",
        "--select",
        ",".join(RUFF_FIX_RULES),
        "--target-version",
        "py311",
        "--line-length",
        str(line_length),
        "--config",
        f'lint.pydocstyle.convention="{convention}"',
        "--config",
        'lint.isort.known-first-party=["solution"]',
        "--stdin-filename",
        _FILENAMES[target],
        "--exit-zero",
    ]


def ruff_safe_fixes(
    source: str, target: Target, *, line_length: int, convention: str
) -> tuple[str, list[str]]:
    """Apply ruff's safe fixes; return the new source and ``RULE name (count)`` for each rule fixed."""
    args = _lint_args(target, line_length, convention)
    listing = _ruff([*args, "--output-format", "json", "-"], source)
    try:
        diagnostics = json.loads(listing.stdout or "[]")
    except json.JSONDecodeError as exc:
        raise AutoFixError(f"ruff check returned no JSON: {listing.stderr.strip()[:200]}") from exc
    safe = Counter(
        f"{d['code']} {d.get('name', '')}".strip()
        for d in diagnostics
        if d.get("fix") and d["fix"].get("applicability") == "safe"
    )
    if not safe:
        return source, []
    fixed = _ruff([*args, "--fix-only", "-"], source)
    if fixed.returncode != 0 or not fixed.stdout:
        raise AutoFixError(f"ruff --fix failed: {fixed.stderr.strip()[:200]}")
    if fixed.stdout == source:
        return source, []
    return fixed.stdout, [f"{rule} ({count})" for rule, count in sorted(safe.items())]


def ruff_format(source: str, *, line_length: int) -> str:
    """``ruff format`` of ``source`` (unchanged when ruff cannot format it)."""
    done = _ruff(
        ["format", "--isolated", "--line-length", str(line_length), "--target-version", "py311", "-"], source
    )
    return done.stdout if done.returncode == 0 and done.stdout else source


def add_none_returns(source: str) -> tuple[str, list[str]]:
    """Annotate ``-> None`` on functions that cannot return a value (see :mod:`burr_codeagent._none_returns`)."""
    from ._none_returns import add_none_returns as transform

    return transform(source)


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True


def fix_source(
    source: str, target: Target, *, line_length: int = 88, convention: str = "google"
) -> tuple[str, list[str]]:
    """Run the three fixers over one source; return it and one line per fix applied (``target: ...``)."""
    if not source.strip() or not _parses(source):
        return source, []
    applied: list[str] = []
    text, rules = ruff_safe_fixes(source, target, line_length=line_length, convention=convention)
    if rules and _parses(text):
        source = text
        applied.append(f"{target}: ruff safe fixes {', '.join(rules)}")
    text, functions = add_none_returns(source)
    if functions and _parses(text):
        source = text
        shown = ", ".join(functions[:8]) + (" ..." if len(functions) > 8 else "")
        applied.append(
            f"{target}: added `-> None` to {len(functions)} function(s) without a return value ({shown})"
        )
    formatted = ruff_format(source, line_length=line_length)
    if formatted != source and _parses(formatted):
        source = formatted
        applied.append(f"{target}: reformatted with ruff format")
    return source, applied


def auto_fix(code: str, test_code: str, *, line_length: int = 88, convention: str = "google") -> FixResult:
    """Apply the safe fixes to the code and to the tests.

    Raises:
        AutoFixError: ruff could not run.
    """
    if convention not in CONVENTIONS:
        convention = "google"
    fixed_code, code_fixes = fix_source(code, "code", line_length=line_length, convention=convention)
    fixed_tests, test_fixes = fix_source(test_code, "tests", line_length=line_length, convention=convention)
    return FixResult(fixed_code, fixed_tests, [*code_fixes, *test_fixes])


def fix_response(response: PythonCodeGenerationResponse, config: AgentConfig) -> FixResult:
    """:func:`auto_fix` an answer with the settings of the gates it must satisfy.

    The line length is the ``style`` gate's ``line_length`` option (default :data:`LINE_LENGTH`), the docstring
    convention the ``docstrings`` gate's ``convention`` (default google).

    Raises:
        AutoFixError: ruff could not run.
    """
    line_length = int(config.gate_options("style").get("line_length", LINE_LENGTH))
    convention = str(config.gate_options("docstrings").get("convention", "google"))
    return auto_fix(response.code, response.test_code, line_length=line_length, convention=convention)


def worth_fixing(response: PythonCodeGenerationResponse | None, report: CheckReport) -> bool:
    """Whether an attempt deserves the local fixers: it failed or has fixable findings, and its code compiles.

    Code that does not compile stays critical whatever is fixed around it, so it goes straight back to the model.
    """
    if response is None or not response.code.strip() or not _parses(response.code):
        return False
    return not report.passed or any(f.fixable for f in report.findings)
