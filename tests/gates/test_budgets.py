"""Time budgets: a gate past its budget stops, keeps what it measured and says it was cut short."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from burr_codeagent import AgentConfig, Severity, check
from burr_codeagent.gates.base import GateContext, GateTraits
from burr_codeagent.gates.complexity import raw_counts

VULNERABLE = """\
import pickle


def restore(blob: bytes) -> object:
    return pickle.loads(blob)


def run(expression: str) -> object:
    return eval(expression)
"""


def run(gate: str, code: str, **options: object) -> tuple[list[str], object]:
    config = AgentConfig(
        enable_code_execution=False, tracking=False, gates={"enable": [gate], "options": {gate: options}}
    )
    report = check(code, config=config)
    return [f.rule for f in report.findings], report.gates[0]


def test_a_gate_past_its_budget_keeps_its_findings_and_says_it_was_cut_short() -> None:
    rules, gate = run("security", VULNERABLE, time_budget=1e-9)
    assert gate.status == "ok" and gate.cut_short  # type: ignore[attr-defined]
    assert "time budget" in (gate.error or "")  # type: ignore[attr-defined]
    assert "security.cut_short" in rules
    assert "security.injection" in rules  # measured before the budget ran out
    assert not [r for r in rules if r.startswith("security.B")]  # bandit's scan was skipped


def test_the_cut_short_note_is_info_and_does_not_fail_clean_code() -> None:
    config = AgentConfig(
        enable_code_execution=False,
        tracking=False,
        gates={"enable": ["complexity"], "options": {"complexity": {"time_budget": 1e-9}}},
    )
    report = check('"""Nothing."""\n\n\ndef one() -> int:\n    """One."""\n    return 1\n', config=config)
    notes = [f for f in report.findings if f.rule == "complexity.cut_short"]
    assert [n.severity for n in notes] == [Severity.INFO] and report.passed
    assert "maintainability index" in notes[0].message


def test_within_budget_nothing_is_cut() -> None:
    rules, gate = run("security", VULNERABLE)
    assert not gate.cut_short  # type: ignore[attr-defined]
    assert "security.cut_short" not in rules


def test_a_bad_budget_is_a_clear_gate_error() -> None:
    _, gate = run("security", "x = 1\n", time_budget="fast")
    assert gate.status == "error"  # type: ignore[attr-defined]
    assert "time_budget must be a positive number" in (gate.error or "")  # type: ignore[attr-defined]


def test_in_process_gates_have_a_default_budget_and_subprocess_gates_bound_themselves() -> None:
    class InProcess:
        name = "mine"

    class Waiting:
        name = "waits"
        waits_on_subprocess = True

    assert GateTraits.of(InProcess()).time_budget == 1.0
    assert GateTraits.of(Waiting()).time_budget is None
    with pytest.raises(TypeError, match="time_budget"):

        class Broken:
            name = "broken"
            time_budget = -1

        GateTraits.of(Broken())


def test_a_module_that_is_mostly_one_huge_literal_gets_its_maintainability_index() -> None:
    # radon's own raw metrics re-tokenize every logical line: minutes on this module.
    rows = "".join(f"    ({i}, 'item{i}', {i * 1.5}),\n" for i in range(2000))
    code = f'"""Data."""\n\nDATA = [\n{rows}]\n\n\ndef row(x: int) -> tuple:\n    """One row."""\n    return DATA[x]\n'
    ctx = GateContext(
        code=code, test_code=None, config=AgentConfig(tracking=False), code_tree=ast.parse(code)
    )
    lloc, sloc, comments = raw_counts(ctx)
    assert (lloc, sloc, comments) == (5, 2004, 2)


@pytest.mark.parametrize("module", ["textwrap", "shlex", "fnmatch"])
def test_raw_counts_agree_with_radon_on_ordinary_modules(module: str) -> None:
    from radon.raw import analyze

    code = Path(str(importlib.import_module(module).__file__)).read_text(encoding="utf-8")
    ours = raw_counts(
        GateContext(code=code, test_code=None, config=AgentConfig(tracking=False), code_tree=ast.parse(code))
    )
    radon = analyze(code)
    assert ours[1] == radon.sloc
    assert abs(ours[0] - radon.lloc) <= 0.15 * radon.lloc
