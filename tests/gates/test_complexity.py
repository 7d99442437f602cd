"""The complexity gate: radon's cyclomatic complexity ranks and maintainability index, with configurable limits."""

from __future__ import annotations

import ast

import pytest

from burr_codeagent import AgentConfig, Severity, check
from burr_codeagent.gates.base import GateContext
from burr_codeagent.gates.complexity import ComplexityGate
from burr_codeagent.models import Finding

from .reference_solutions import REFERENCE_SOLUTIONS


def branchy(name: str, branches: int, indent: str = "") -> str:
    """A function whose cyclomatic complexity is ``branches + 1``."""
    body = "".join(f"{indent}    if x == {i}:\n{indent}        return {i}\n" for i in range(branches))
    return f"{indent}def {name}(x: int) -> int:\n{body}{indent}    return -1\n"


def run_complexity(code: str, **options: object) -> list[Finding]:
    gates: dict[str, object] = {"enable": ["complexity"]}
    if options:
        gates["options"] = {"complexity": options}
    config = AgentConfig(enable_code_execution=False, tracking=False, gates=gates)
    return check(code, config=config).findings


def test_rank_c_warns_and_even_rank_e_is_never_critical_by_default() -> None:
    code = branchy("simple", 9) + "\n\n" + branchy("rank_c", 12) + "\n\n" + branchy("rank_e", 35)
    findings = run_complexity(code)
    by_name = {f.message.split("`")[1]: f for f in findings if f.rule == "complexity.cyclomatic"}
    assert set(by_name) == {"rank_c", "rank_e"}
    assert by_name["rank_c"].severity is Severity.WARNING and "rank C" in by_name["rank_c"].message
    assert by_name["rank_e"].severity is Severity.WARNING and "complexity 36" in by_name["rank_e"].message
    assert (by_name["rank_c"].line, by_name["rank_c"].column) == (
        code.splitlines().index("def rank_c(x: int) -> int:") + 1,
        1,
    )


def test_methods_are_measured_and_named_with_their_class() -> None:
    code = "class Router:\n" + branchy("route", 15, indent="    ")
    [found] = run_complexity(code)
    assert "Method `Router.route`" in found.message and found.line == 2 and found.column == 5


def test_limits_come_from_options() -> None:
    code = branchy("rank_c", 12)
    assert run_complexity(code, warn_above=15) == []
    [found] = run_complexity(code, warn_above=5, critical_above=10)
    assert found.severity is Severity.CRITICAL


def test_inconsistent_limits_are_a_clear_gate_error() -> None:
    config = AgentConfig(
        enable_code_execution=False,
        tracking=False,
        gates={"enable": ["complexity"], "options": {"complexity": {"warn_above": 20, "critical_above": 5}}},
    )
    report = check("x = 1\n", config=config)
    assert report.gates[0].status == "error"
    assert "critical_above (5) must not be below warn_above (20)" in (report.gates[0].error or "")


def test_low_maintainability_index_warns() -> None:
    code = "\n\n".join(branchy(f"f{i}", 9) for i in range(12))
    findings = run_complexity(code, min_maintainability=60)
    maintainability = [f for f in findings if f.rule == "complexity.maintainability"]
    assert len(maintainability) == 1 and maintainability[0].severity is Severity.WARNING
    assert run_complexity(code, min_maintainability=0) == []


@pytest.mark.parametrize("name", sorted(REFERENCE_SOLUTIONS))
def test_reference_solutions_are_simple(name: str) -> None:
    assert run_complexity(REFERENCE_SOLUTIONS[name]) == []


def test_gate_used_directly() -> None:
    gate = ComplexityGate()
    assert set(gate.rules) == {"complexity.cyclomatic", "complexity.maintainability"}
    code = branchy("f", 11)
    ctx = GateContext(
        code=code, test_code=None, config=AgentConfig(tracking=False), code_tree=ast.parse(code)
    )
    assert [f.rule for f in gate.check(ctx)] == ["complexity.cyclomatic"]
