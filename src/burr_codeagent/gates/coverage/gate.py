"""The ``coverage`` gate: line and branch coverage of the module by the generated tests.

Measured inside the ``execution`` gate's sandboxed pytest run: the gate extends that run with a coverage.py plugin
(:meth:`CoverageGate.extend_test_run`, the :class:`~burr_codeagent.gates.base.ExtendsTestRun` capability any gate
may declare) and reads the plugin's report back from it; when ``execution`` is not selected it makes that one run
itself. Below
``min_percent`` (default 80, statements and branches together as coverage.py counts them) the gate warns, and the
warning names the lines never run and the branches never taken, so a retry knows which tests to add. Every
uncovered range and branch is also an ``info`` finding for the reports.

Left out, as coverage.py leaves them out: the lines its configured ``exclude_lines``/``exclude_also`` match (its
defaults: ``# pragma: no cover``, ``...``-only bodies, ``if TYPE_CHECKING:``), ``if __name__ == "__main__":``
blocks, and typing-only stubs found on the syntax tree (:mod:`._stubs`: ``Protocol`` methods, ``@overload``,
abstract methods that only ``raise NotImplementedError``). Inside the agent loop the model's own
``# pragma: no cover`` is not honoured, like its ``# nosec``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ...hookspecs import hookimpl
from ...models import Finding, Severity
from .._sandboxed import percent_option, require_execution, run_sandboxed, test_run_spec
from ..base import Gate, GateContext, GateSkipped
from ._measure import (
    CoverageData,
    coverage_available,
    coverage_extension,
    exclusion_patterns,
    measured,
    read_coverage,
)
from ._stubs import typing_only_lines

if TYPE_CHECKING:
    from ...sandbox import RunExtension

__all__ = ["CoverageGate", "describe_branch", "line_ranges"]

DEFAULT_MIN_PERCENT = 80.0
DETAILS_IN_WARNING = 8
_PRAGMA = re.compile(r"#\s*(pragma|PRAGMA)[:\s]?\s*(no|NO)\s*(cover|COVER)")
RULES = {
    "coverage.below_threshold": "Line and branch coverage of the code by its tests is below the threshold.",
    "coverage.lines": "Lines of the code that no test runs.",
    "coverage.branches": "A branch of the code that no test takes.",
}


class CoverageGate:
    """Measures which lines and branches of the code the generated tests run."""

    waits_on_subprocess = True  # runs in a thread while in-process gates use the interpreter
    name = "coverage"
    description = "Line and branch coverage of the code by the generated tests; warns below min_percent (80)."
    rules = RULES
    needs_tests = True
    after = ("execution",)

    def requirement(self, options: Mapping[str, Any]) -> str | None:
        """The coverage the tests must reach."""
        threshold = percent_option(options, self.name, "min_percent", DEFAULT_MIN_PERCENT)
        return f"the tests run at least {threshold:g} % of the code's lines and branches (coverage.py)"

    def extend_test_run(self, ctx: GateContext) -> RunExtension | None:
        """The coverage.py plugin for the sandboxed run of the generated tests (none when it cannot measure)."""
        if not coverage_available() or not ctx.config.enable_code_execution:
            return None
        try:
            return coverage_extension(exclude=exclusion_patterns(honour_pragmas=ctx.honour_nosec))
        except ValueError:  # a broken coverage configuration: check() reports it as the reason for skipping
            return None

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        if not coverage_available():
            raise GateSkipped("coverage.py is not installed: pip install coverage")
        require_execution(ctx)
        threshold = percent_option(ctx.options, self.name, "min_percent", DEFAULT_MIN_PERCENT)
        data = _measure(ctx)
        ranges = line_ranges(data)
        branches = [(a, b, describe_branch(ctx.code_tree, a, b)) for a, b in data.missing_branches]
        details = [_range_text(r) + " never run by the tests" for r in ranges]
        details += [f"line {a}: {text} is never taken" for a, _, text in branches]
        if data.percent < threshold:
            shown = "; ".join(details[:DETAILS_IN_WARNING])
            more = len(details) - DETAILS_IN_WARNING
            pragmas = [] if ctx.honour_nosec else _pragma_lines(ctx.code, data.missing_lines)
            if pragmas:
                shown += (
                    f" (`# pragma: no cover` on line {', '.join(map(str, pragmas[:5]))} is not honoured in "
                    "generated code: test those lines)"
                )
            yield Finding(
                gate=self.name,
                rule="coverage.below_threshold",
                severity=Severity.WARNING,
                message=(
                    f"The tests cover {data.percent:.0f} % of the code (lines {data.line_percent:.0f} %, "
                    f"branches {data.branch_percent:.0f} %), below {threshold:g} %: {shown}"
                    + (f"; and {more} more." if more > 0 else ".")
                ),
                suggestion="Add tests that run these lines and take these branches, asserting the results.",
                target="tests",
            )
        for first, last in ranges:
            yield Finding(
                gate=self.name,
                rule="coverage.lines",
                severity=Severity.INFO,
                message=f"{_range_text((first, last)).capitalize()} never run by the tests.",
                line=first,
                end_line=last,
            )
        for a, _, text in branches:
            yield Finding(
                gate=self.name,
                rule="coverage.branches",
                severity=Severity.INFO,
                message=f"Line {a}: {text} is never taken.",
                line=a,
            )


def _measure(ctx: GateContext) -> CoverageData:
    try:
        exclude = exclusion_patterns(honour_pragmas=ctx.honour_nosec)
    except ValueError as exc:
        raise GateSkipped(str(exc)) from None
    result = ctx.test_run
    if result is None or not measured(
        result
    ):  # no shared run measured coverage: make the one measured run here
        result = run_sandboxed(ctx, test_run_spec(ctx, extensions=[coverage_extension(exclude=exclude)]))
    if not result.outcome.succeeded:
        raise GateSkipped("the generated tests do not pass; coverage is judged on a passing run")
    data = read_coverage(result, excluded=typing_only_lines(ctx.code_tree))
    if isinstance(data, str):
        raise GateSkipped(data)
    return data


def _pragma_lines(code: str, missing: tuple[int, ...]) -> list[int]:
    lines = code.splitlines()
    return [n for n in missing if n <= len(lines) and _PRAGMA.search(lines[n - 1])]


def line_ranges(data: CoverageData) -> list[tuple[int, int]]:
    """Uncovered statements grouped into ranges: consecutive unless a line that ran lies between them."""
    ran = data.executed_lines
    ranges: list[tuple[int, int]] = []
    for line in data.missing_lines:
        if ranges and not any(ranges[-1][1] < r < line for r in ran):
            ranges[-1] = (ranges[-1][0], line)
        else:
            ranges.append((line, line))
    return ranges


def _range_text(span: tuple[int, int]) -> str:
    first, last = span
    return f"line {first} is" if first == last else f"lines {first}-{last} are"


def describe_branch(tree: ast.Module | None, source: int, target: int) -> str:
    """``the branch to line 12 (when the condition is false)``: the jump and, where known, when it happens."""
    where = "the branch that leaves the function" if target < 0 else f"the branch to line {target}"
    node = _statement_at(tree, source)
    if node is None:
        return where
    into_body = bool(getattr(node, "body", None)) and node.body[0].lineno == target  # type: ignore[attr-defined]
    if isinstance(node, ast.If):
        when = "the condition is true" if into_body else "the condition is false"
    elif isinstance(node, ast.While):
        when = "the loop condition is true" if into_body else "the loop condition is false"
    elif isinstance(node, ast.For | ast.AsyncFor):
        when = "the loop has an item to process" if into_body else "the loop has no more items"
    else:
        return where
    return f"{where} (when {when})"


def _statement_at(tree: ast.Module | None, line: int) -> ast.stmt | None:
    if tree is None:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.If | ast.While | ast.For | ast.AsyncFor) and node.lineno == line:
            return node
    return None


@hookimpl
def register_gates(register: Callable[[Gate], None]) -> None:
    """Register the ``coverage`` gate."""
    register(CoverageGate())
