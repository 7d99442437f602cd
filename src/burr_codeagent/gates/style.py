"""The ``style`` gate: PEP 8 and pyflakes through the ruff binary, one run per source, JSON output.

Ruff is run from the ruff wheel with ``--isolated`` (no user or project configuration leaks in), ``--preview``
(pycodestyle's whitespace and blank-line rules, E1/E2/E3, are preview rules in ruff) and the source on stdin.
Each diagnostic becomes a finding ``style.<CODE>`` with ruff's exact span and, when ruff has one, its fix
message as the suggestion.
"""

from __future__ import annotations

import ast
import functools
import json
import re
import subprocess
import tokenize
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .._ruff import ruff_binary
from ..hookspecs import hookimpl
from ..models import SOURCE_FILES, Finding, Severity, Target
from ._source_lines import Position, literal_tokens
from .base import Gate, GateContext, GateSkipped

__all__ = ["DEFAULT_LINE_LENGTH", "StyleGate", "register_gates"]

DEFAULT_LINE_LENGTH = 100
"""Longest line accepted (``E501``) unless the ``line_length`` option says otherwise."""

SELECT = ("E", "W", "N", "F")
# Owned by other gates, so they are never reported twice: star imports (imports), statements that do not
# compile (syntax).
IGNORE = ("F403", "F405", "F406", "F701", "F702", "F704", "F706", "F707")
# Importing a fixture and naming it as a test parameter is how pytest works, not a redefinition.
IGNORE_IN_TESTS = ("F811",)
# Names that do not exist and locals read before assignment raise at run time: real bugs, not style.
CRITICAL = frozenset({"F821", "F823"})
# Whitespace, indentation, blank lines, one statement per line: a formatter repairs these without the model.
FORMATTER_PREFIXES = ("E1", "E2", "E3", "E701", "E702", "E703", "E704", "W1", "W2", "W3")
RUFF_TIMEOUT_SECONDS = 60.0

_FALLBACK_RULES = {
    "style.E501": "Line too long.",
    "style.F401": "Module imported but unused.",
    "style.F821": "Undefined name (raises NameError at run time).",
    "style.F823": "Local variable referenced before assignment.",
    "style.F841": "Local variable assigned but never used.",
    "style.W291": "Trailing whitespace.",
}


class StyleGate:
    """PEP 8 (pycodestyle E with preview, W), pep8-naming (N) and pyflakes (F) through ruff."""

    waits_on_subprocess = True  # runs in a thread while in-process gates use the interpreter
    name = "style"
    description = "PEP 8 and pyflakes through ruff (E with --preview, W, N, F), one run per source."

    rules: Mapping[str, str]

    def __init__(self) -> None:
        self.rules = _RuleCatalogue()

    def requirement(self, options: Mapping[str, Any]) -> str | None:
        """The style bar: the line length and the rule families ruff checks."""
        return (
            f"PEP 8 and pyflakes as ruff checks them (E, W, N, F rules), lines at most {_line_length(options)} "
            "characters, in the code and in the tests"
        )

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        """Run ruff once on the code and once on the tests (concurrently); map its diagnostics to findings."""
        line_length = _line_length(ctx.options)
        sources = {t: ctx.source(t) for t in _parsed_targets(ctx)}
        if not sources:
            raise GateSkipped("nothing parses; see the syntax gate")
        for target, diagnostics in _run_ruff(sources, line_length).items():
            ignored = IGNORE_IN_TESTS if target == "tests" else ()
            unwrappable: set[int] = set()
            if any(d.get("code") == "E501" for d in diagnostics):
                unwrappable = _unwrappable_rows(sources[target], line_length, _literal_tokens(ctx, target))
            probed = (
                _probed_names(ctx.tree(target))
                if any(d.get("code") == "F821" for d in diagnostics)
                else set()
            )
            for diagnostic in diagnostics:
                code = diagnostic.get("code")
                if not code or code in ignored:
                    continue  # code None is a syntax error: the syntax gate reports those
                found = _to_finding(diagnostic, target, unwrappable)
                named = _UNDEFINED.search(found.message) if code == "F821" else None
                if named is not None and named.group(1) in probed:
                    found = found.model_copy(update={"severity": Severity.WARNING})
                yield found


_UNDEFINED = re.compile(r"Undefined name `([^`]+)`")


def _probed_names(tree: ast.Module | None) -> set[str]:
    """Names the code looks up inside ``try: ... except NameError:`` (``try: get_ipython except NameError: return``):
    it knows they may be missing, so using them is a decision, not a crash waiting to happen."""
    probed: set[str] = set()
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, ast.Try) and any(_catches_name_error(h.type) for h in node.handlers):
            probed.update(n.id for s in node.body for n in ast.walk(s) if isinstance(n, ast.Name))
    return probed


def _catches_name_error(kind: ast.expr | None) -> bool:
    kinds = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return any(isinstance(k, ast.Name) and k.id == "NameError" for k in kinds)


def _parsed_targets(ctx: GateContext) -> list[Target]:
    targets: list[Target] = []
    if ctx.code_tree is not None:
        targets.append("code")
    if ctx.test_code and ctx.test_tree is not None:
        targets.append("tests")
    return targets


def _line_length(options: Mapping[str, Any]) -> int:
    value = options.get("line_length", DEFAULT_LINE_LENGTH)
    if isinstance(value, bool) or not isinstance(value, int) or not 40 <= value <= 320:
        raise ValueError(f"style option line_length must be a whole number from 40 to 320, got {value!r}")
    return value


def _run_ruff(sources: Mapping[Target, str], line_length: int) -> dict[Target, list[dict[str, Any]]]:
    command = [
        ruff_binary(),
        "check",
        "--isolated",
        "--preview",
        "--no-cache",
        "--output-format",
        "json",
        "--target-version",
        "py311",
        "--line-length",
        str(line_length),
        "--select",
        ",".join(SELECT),
        "--ignore",
        ",".join(IGNORE),
        "--exit-zero",
    ]
    running = {
        target: subprocess.Popen(
            [*command, "--stdin-filename", SOURCE_FILES[target], "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for target in sources
    }
    results: dict[Target, list[dict[str, Any]]] = {}
    for target, process in running.items():
        try:
            out, err = process.communicate(sources[target].encode("utf-8"), timeout=RUFF_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise RuntimeError(f"ruff took more than {RUFF_TIMEOUT_SECONDS:.0f} s on the {target}") from None
        if process.returncode != 0:
            detail = err.decode(errors="replace").strip()
            raise RuntimeError(f"ruff failed (exit {process.returncode}): {detail}")
        results[target] = json.loads(out or b"[]")
    return results


def _to_finding(diagnostic: Mapping[str, Any], target: Target, unwrappable: set[int]) -> Finding:
    code: str = diagnostic["code"]
    start = diagnostic.get("location") or {}
    end = diagnostic.get("end_location") or {}
    fix = diagnostic.get("fix") or {}
    row = start.get("row")
    fixable = row not in unwrappable if code == "E501" else code.startswith(FORMATTER_PREFIXES)
    suggestion = fix.get("message") or _DEFAULT_SUGGESTIONS.get(code)
    if suggestion is None and diagnostic.get("url"):
        suggestion = f"See {diagnostic['url']}"
    return Finding(
        gate="style",
        rule=f"style.{code}",
        severity=Severity.CRITICAL if code in CRITICAL else Severity.WARNING,
        message=f"{code} {diagnostic.get('message', '')}".strip(),
        line=row,
        column=start.get("column"),
        end_line=end.get("row"),
        end_column=end.get("column"),
        target=target,
        suggestion=suggestion,
        fixable=fixable,
    )


_DEFAULT_SUGGESTIONS = {
    "E501": "Wrap the line at a bracket or operator, or split the long literal.",
    "F821": "Define or import the name before using it (check for a typo).",
    "F823": "Assign the local variable before reading it, or declare it `global`/`nonlocal`.",
}


def _literal_tokens(ctx: GateContext, target: Target) -> list[tuple[int, Position, Position]] | None:
    """The string and comment tokens of a source that parses, from a regex scan (a tenth of a tokenize pass),
    else from the check's shared tokens; None when the source does not tokenize."""
    found = literal_tokens(ctx.source(target), ctx.source_scan(target))
    if found is not None:
        return found
    tokenized = ctx.tokens(target)
    return [(t.type, t.start, t.end) for t in tokenized.tokens] if tokenized.complete else None


def _unwrappable_rows(
    source: str, line_length: int, tokens: list[tuple[int, Position, Position]] | None
) -> set[int]:
    """Rows whose overflow no formatter can fix (``tokens`` as :func:`_literal_tokens`; None: every row).

    That is when the overflow is inside a comment, inside a multi-line string, or inside a string literal too
    long to fit even on a line of its own; anything else (calls, collections, operators) splits at a bracket.
    """
    lines = source.splitlines()
    rows: set[int] = set()
    if tokens is None:
        return set(range(1, len(lines) + 1))
    for kind, (start_row, start_col), (end_row, end_col) in tokens:
        if kind not in (tokenize.COMMENT, tokenize.STRING):
            continue
        if start_row != end_row:
            rows.update(range(start_row, end_row + 1))
            continue
        line = lines[start_row - 1] if start_row <= len(lines) else ""
        indent = len(line) - len(line.lstrip())
        if end_col > line_length and (
            kind == tokenize.COMMENT or end_col - start_col + indent + 4 > line_length
        ):
            rows.add(start_row)
    return rows


class _RuleCatalogue(Mapping[str, str]):
    """Every ruff rule the gate can report (``style.<CODE>`` -> summary), read from ruff on first use."""

    def __getitem__(self, key: str) -> str:
        return _rule_catalogue()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(_rule_catalogue())

    def __len__(self) -> int:
        return len(_rule_catalogue())


@functools.cache
def _rule_catalogue() -> Mapping[str, str]:
    try:
        completed = subprocess.run(
            [ruff_binary(), "rule", "--all", "--output-format", "json"],
            capture_output=True,
            timeout=RUFF_TIMEOUT_SECONDS,
            check=True,
        )
        catalogue = json.loads(completed.stdout)
    except (OSError, subprocess.SubprocessError, ValueError):
        return dict(_FALLBACK_RULES)
    rules = {
        f"style.{rule['code']}": _describe(rule)
        for rule in catalogue
        if (rule.get("code") or "").startswith(SELECT)
        and rule.get("linter") in {"pycodestyle", "pep8-naming", "Pyflakes"}
        and not rule["code"].startswith(IGNORE)
    }
    return rules or dict(_FALLBACK_RULES)


def _describe(rule: Mapping[str, Any]) -> str:
    summary = str(rule.get("summary") or "")
    if not summary or "{" in summary:  # summaries with placeholders read badly outside a diagnostic
        return str(rule["name"]).replace("-", " ").capitalize() + "."
    return summary


@hookimpl
def register_gates(register: Callable[[Gate], None]) -> None:
    """Register the ``style`` gate."""
    register(StyleGate())
