"""The ``complexity`` gate: radon's cyclomatic complexity per function and maintainability index per module.

Defaults follow radon's ranks: a function above 10 (rank C or worse) is a warning; a module whose maintainability
index is below 10 (rank C) is a warning. Complexity is never critical by default: long, branchy functions are common
in mature, well-tested code (textwrap, shlex, pprint, dataclasses); set ``critical_above`` to make it one. Only the code is measured, not
the tests. Radon reuses the syntax tree the checker parsed.
"""

from __future__ import annotations

import ast
import math
import tokenize
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from ..hookspecs import hookimpl
from ..models import Finding, Severity
from ._radon_visitors import radon_visitors
from ._source_lines import line_counts
from .base import Gate, GateContext, GateSkipped

__all__ = ["ComplexityGate", "ComplexityLimits", "register_gates"]

RULES = {
    "complexity.cyclomatic": "A function has too many independent paths (radon cyclomatic complexity).",
    "complexity.maintainability": "The module's maintainability index (radon) is low.",
}


class ComplexityLimits:
    """The gate's options: ``warn_above``, ``critical_above`` (None: never critical) and ``min_maintainability``."""

    def __init__(self, options: Mapping[str, Any]) -> None:
        self.warn_above = _number(options, "warn_above", 10)
        critical = options.get("critical_above")
        self.critical_above = None if critical is None else _number(options, "critical_above", 0)
        self.min_maintainability = _number(options, "min_maintainability", 10)
        if self.critical_above is not None and self.critical_above < self.warn_above:
            raise ValueError(
                f"complexity option critical_above ({self.critical_above}) must not be below "
                f"warn_above ({self.warn_above})"
            )


def _number(options: Mapping[str, Any], key: str, default: int) -> int:
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"complexity option {key} must be a non-negative number, got {value!r}")
    return int(value)


class ComplexityGate:
    """Cyclomatic complexity of every function and method, and the module's maintainability index, by radon."""

    name = "complexity"
    description = "radon: cyclomatic complexity (rank C+ warns) and maintainability index."
    rules: Mapping[str, str] = RULES

    def requirement(self, options: Mapping[str, Any]) -> str | None:
        """The complexity limits the code must keep to."""
        limits = ComplexityLimits(options)
        return (
            f"cyclomatic complexity at most {limits.warn_above} per function or method (split larger ones into "
            f"helpers); maintainability index at least {limits.min_maintainability}"
        )

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        """Measure the code; options ``warn_above``, ``critical_above``, ``min_maintainability``."""
        from radon.complexity import add_inner_blocks, cc_rank
        from radon.metrics import mi_rank

        visitors = radon_visitors()
        ComplexityVisitor, Function = visitors.ComplexityVisitor, visitors.Function  # noqa: N806

        limits = ComplexityLimits(ctx.options)
        tree = ctx.code_tree
        if tree is None:
            raise GateSkipped("the code does not parse; see the syntax gate")
        visitor = ComplexityVisitor.from_ast(tree)
        for block in add_inner_blocks(visitor.blocks):
            if not isinstance(block, Function) or block.complexity <= limits.warn_above:
                continue
            critical = limits.critical_above is not None and block.complexity > limits.critical_above
            kind = "Method" if block.is_method else "Function"
            yield Finding(
                gate=self.name,
                rule="complexity.cyclomatic",
                severity=Severity.CRITICAL if critical else Severity.WARNING,
                message=(
                    f"{kind} `{block.fullname}` has cyclomatic complexity {block.complexity} "
                    f"(rank {cc_rank(block.complexity)}; limit {limits.warn_above})."
                ),
                line=block.lineno,
                column=block.col_offset + 1,
                end_line=block.endline,
                target="code",
                suggestion="Split it into smaller functions, replace branch chains with a lookup table, "
                "or return early.",
            )
        if ctx.out_of_time():
            ctx.cut_short("the maintainability index")
            return
        lloc, sloc, comment_lines = raw_counts(ctx)
        if lloc == 0:
            return
        if ctx.out_of_time():  # the Halstead volume may be one more walk of the whole tree
            ctx.cut_short("the maintainability index")
            return
        comment_percent = comment_lines / sloc * 100 if sloc else 0.0
        score = maintainability(
            ctx, visitor.total_complexity, lloc, comment_percent, limits.min_maintainability
        )
        if score < limits.min_maintainability:
            yield Finding(
                gate=self.name,
                rule="complexity.maintainability",
                severity=Severity.WARNING,
                message=(
                    f"Maintainability index {score:.1f} (rank {mi_rank(score)}) is below "
                    f"{limits.min_maintainability}."
                ),
                line=1,
                target="code",
                suggestion="Shorten long functions, remove duplication and split the module by responsibility.",
            )


def maintainability(
    ctx: GateContext, complexity: int, lloc: int, comment_percent: float, limit: float
) -> float:
    """radon's maintainability index of the code where it is below ``limit``; where it is not, a value at least
    ``limit`` (all the gate needs to know).

    The index falls as the Halstead volume grows, and the volume is at most ``N * log2(N)`` for ``N`` the operators
    and operands of every operator node in the index (radon counts a subset: it skips decorators and signatures).
    So when even that bound keeps the index at the limit or above, or when a volume of 1 (the least a module with
    one counted operator has) already brings it to 0 (large, branchy modules), radon's Halstead walk is not needed.
    """
    from radon.metrics import h_visit_ast, mi_compute

    index = ctx.nodes_by_type("code")
    most = _operator_count_bound(index)
    at_least = mi_compute(most * math.log2(most) if most > 1 else 0, complexity, lloc, comment_percent)
    if at_least >= limit:
        return float(at_least)
    if _counts_an_operator(index) and mi_compute(1, complexity, lloc, comment_percent) <= 0:
        return 0.0
    tree = ctx.code_tree
    volume = h_visit_ast(tree).total.volume if tree is not None else 0
    return float(mi_compute(volume, complexity, lloc, comment_percent))


def _operator_count_bound(index: Mapping[type[ast.AST], list[ast.AST]]) -> int:
    """Operators plus operands of every operator node: at least radon's Halstead length ``N1 + N2``."""
    total = 3 * (len(index.get(ast.BinOp, [])) + len(index.get(ast.AugAssign, [])))
    total += 2 * len(index.get(ast.UnaryOp, []))
    total += sum(1 + len(node.values) for node in index.get(ast.BoolOp, []) if isinstance(node, ast.BoolOp))
    total += sum(
        len(node.ops) + len(node.comparators) + 1
        for node in index.get(ast.Compare, [])
        if isinstance(node, ast.Compare)
    )
    return total


_OPERATOR_NODES = (ast.Compare, ast.BoolOp, ast.UnaryOp, ast.BinOp)


def _counts_an_operator(index: Mapping[type[ast.AST], list[ast.AST]]) -> bool:
    """Whether radon's Halstead visitor surely counts an operator: an augmented assignment, or the test of an
    ``if``, ``while`` or ``assert`` that is one (statements, which radon always visits)."""
    if index.get(ast.AugAssign):
        return True
    tests = (node for kind in (ast.If, ast.While, ast.Assert) for node in index.get(kind, []))
    return any(isinstance(getattr(node, "test", None), _OPERATOR_NODES) for node in tests)


def raw_counts(ctx: GateContext) -> tuple[int, int, int]:
    """(logical lines, source lines, comment and docstring lines) of the code, as radon's raw metrics count them.

    From the shared tree and one scan of the source (:mod:`._source_lines`; the shared tokenize pass when the code
    does not parse): radon's own ``analyze`` re-tokenizes every logical line, which takes minutes on a module holding
    a 2,000-line literal (one logical line).
    """
    nodes = ctx.nodes_by_type("code")
    lloc = sum(len(found) for kind, found in nodes.items() if issubclass(kind, ast.stmt))
    docstring_lines: set[int] = set()
    for expr in nodes.get(ast.Expr, []):
        if (
            isinstance(expr, ast.Expr)
            and isinstance(expr.value, ast.Constant)
            and isinstance(expr.value.value, str)
        ):
            docstring_lines.update(range(expr.lineno, (expr.end_lineno or expr.lineno) + 1))
    counted = line_counts(ctx.code, ctx.source_scan("code")) if ctx.code_tree is not None else None
    code_lines, comments = counted if counted is not None else _token_line_counts(ctx.tokens("code").tokens)
    sloc = len(code_lines - docstring_lines)
    return lloc, sloc, comments + len(docstring_lines)


def _token_line_counts(tokens: Iterable[tokenize.TokenInfo]) -> tuple[set[int], int]:
    """(lines holding a token other than newlines, indents and comments; comment tokens), as radon counts them."""
    code_lines: set[int] = set()
    comments = 0
    skip = (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)
    for token in tokens:
        if token.type == tokenize.COMMENT:
            comments += 1
        elif token.type not in skip:
            start, end = token.start[0], token.end[0]
            if start == end:
                code_lines.add(start)
            else:
                code_lines.update(range(start, end + 1))
    return code_lines, comments


@hookimpl
def register_gates(register: Callable[[Gate], None]) -> None:
    """Register the ``complexity`` gate."""
    register(ComplexityGate())
