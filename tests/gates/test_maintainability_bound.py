"""The complexity gate's maintainability index: radon's, with radon's Halstead walk left out where bounds on the
volume already decide the verdict (and the score reported)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
import radon.metrics
from radon.metrics import h_visit_ast, mi_compute

from burr_codeagent import AgentConfig
from burr_codeagent.gates._radon_visitors import radon_visitors
from burr_codeagent.gates.base import GateContext
from burr_codeagent.gates.complexity import maintainability, raw_counts

MODULES = (
    "shlex",
    "textwrap",
    "pprint",
    "dataclasses",
    "argparse",
    "typing",
    "_pydecimal",
    "colorsys",
    "glob",
)
SMALL = {
    "decorated only": "@register(1 + 2)\ndef f(x=3 * 4) -> None:\n    pass\n",
    "no operators": "def f():\n    return g()\n",
    "one comparison": "def f(x):\n    if x == 1:\n        return 2\n    return 3\n",
    "branchy": "def f(x):\n"
    + "".join(f"    if x == {i} and x != {i + 1}:\n        x += {i}\n" for i in range(60)),
}


def _inputs(source: str) -> tuple[GateContext, int, int, float, float]:
    tree = ast.parse(source)
    ctx = GateContext(code=source, test_code=None, config=AgentConfig(), code_tree=tree)
    lloc, sloc, comments = raw_counts(ctx)
    complexity = radon_visitors().ComplexityVisitor.from_ast(tree).total_complexity
    percent = comments / sloc * 100 if sloc else 0.0
    exact = mi_compute(h_visit_ast(tree).total.volume, complexity, lloc, percent)
    return ctx, complexity, lloc, percent, exact


def _sources() -> dict[str, str]:
    found = {
        name: Path(str(importlib.import_module(name).__file__)).read_text(encoding="utf-8")
        for name in MODULES
    }
    return {**found, **SMALL}


@pytest.mark.parametrize("name", list(_sources()))
@pytest.mark.parametrize("limit", [10, 20, 40, 65])
def test_the_verdict_and_a_reported_score_are_radons(name: str, limit: int) -> None:
    ctx, complexity, lloc, percent, exact = _inputs(_sources()[name])
    score = maintainability(ctx, complexity, lloc, percent, limit)
    assert (score < limit) == (exact < limit)
    if exact < limit:
        assert score == exact


def test_large_and_small_modules_need_no_halstead_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = {name: _inputs(_sources()[name]) for name in ("_pydecimal", "argparse", "textwrap")}

    def no_walk(tree: ast.AST) -> object:
        raise AssertionError("the Halstead walk ran")

    monkeypatch.setattr(radon.metrics, "h_visit_ast", no_walk)
    assert maintainability(*inputs["_pydecimal"][:4], 10) == 0.0
    assert maintainability(*inputs["argparse"][:4], 10) == 0.0
    assert maintainability(*inputs["textwrap"][:4], 10) >= 10
