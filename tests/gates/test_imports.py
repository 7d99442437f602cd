"""The imports gate: resolution without importing, relative and star imports, and declared dependencies."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from burr_codeagent import AgentConfig, Severity, check
from burr_codeagent.gates.base import GateContext
from burr_codeagent.gates.imports import ImportsGate
from burr_codeagent.models import Finding

from .reference_solutions import REFERENCE_SOLUTIONS

TESTS = "from solution import f\n\n\ndef test_f() -> None:\n    assert f() == 1\n"


def run_imports(
    code: str, test_code: str | None = None, *, execution: bool = False, dependencies: tuple[str, ...] = ()
) -> list[Finding]:
    config = AgentConfig(enable_code_execution=execution, tracking=False, gates={"enable": ["imports"]})
    return check(code, test_code, config=config, dependencies=dependencies).findings


def rules(findings: list[Finding]) -> set[tuple[str, Severity, int | None]]:
    return {(f.rule, f.severity, f.line) for f in findings}


def test_unresolvable_import_is_critical_only_when_tests_will_run() -> None:
    code = "import os\nimport surely_not_installed_xyz\n"
    assert rules(run_imports(code, execution=True)) == {("imports.unresolvable", Severity.CRITICAL, 2)}
    assert rules(run_imports(code, execution=False)) == {("imports.unresolvable", Severity.WARNING, 2)}


def test_span_points_at_the_module_in_a_multi_import() -> None:
    [found] = run_imports("import os, surely_not_installed_xyz\n")
    assert (found.line, found.column, found.end_column) == (1, 12, 36)


def test_checking_never_imports_the_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "imported.txt"
    (tmp_path / "side_effect_mod.py").write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert run_imports("import side_effect_mod\nimport side_effect_mod.sub\n") == []
    assert not marker.exists() and "side_effect_mod" not in sys.modules


def test_guarded_and_type_checking_imports_are_only_info() -> None:
    code = (
        "from typing import TYPE_CHECKING\n"
        "try:\n    import surely_not_installed_xyz as fast\nexcept ImportError:\n    fast = None\n"
        "if TYPE_CHECKING:\n    import another_missing_xyz\n"
    )
    found = run_imports(code, execution=True)
    assert {(f.rule, f.severity) for f in found} == {("imports.optional_missing", Severity.INFO)}
    assert len(found) == 2


def test_relative_and_star_imports() -> None:
    found = rules(run_imports("from . import helpers\nfrom os.path import *\n", execution=True))
    assert found == {("imports.relative", Severity.CRITICAL, 1), ("imports.star", Severity.WARNING, 2)}


def test_tests_import_solution_and_must_take_names_it_defines() -> None:
    code = "def f() -> int:\n    return 1\n"
    assert run_imports(code, TESTS, execution=True) == []
    bad_tests = "from solution import f, g\n\n\ndef test_f() -> None:\n    assert f() == 1\n"
    [found] = run_imports(code, bad_tests, execution=True)
    assert (found.rule, found.target, found.severity, found.column) == (
        "imports.missing_name",
        "tests",
        Severity.CRITICAL,
        25,
    )


def test_names_defined_conditionally_or_imported_count_as_defined() -> None:
    code = "import json as f\ntry:\n    g = 1\nexcept ValueError:\n    g = 2\n"
    found = run_imports(code, "from solution import f, g, json\n")
    assert [(x.rule, x.message) for x in found] == [
        ("imports.missing_name", "The tests import `json` from `solution`, which does not define it.")
    ]


def test_declared_dependencies_are_checked_against_what_is_installed() -> None:
    code = "import yaml\nimport requests\n"
    found = run_imports(code, dependencies=("PyYAML>=6", "json", "not-a-real-dist-xyz==1.0"))
    assert {(f.rule, f.severity) for f in found} == {
        ("imports.undeclared", Severity.INFO),  # requests comes from a distribution not listed
        ("imports.stdlib_declared", Severity.INFO),
        ("imports.not_installed", Severity.WARNING),
    }
    undeclared = next(f for f in found if f.rule == "imports.undeclared")
    assert "`requests`" in undeclared.message and undeclared.line == 2


def test_stdlib_only_code_needs_no_dependencies() -> None:
    found = run_imports("import json\nimport collections.abc\nfrom pathlib import Path\n")
    assert found == []


@pytest.mark.parametrize("name", sorted(REFERENCE_SOLUTIONS))
def test_reference_solutions_resolve(name: str) -> None:
    assert run_imports(REFERENCE_SOLUTIONS[name], execution=True) == []


def test_gate_used_directly() -> None:
    gate = ImportsGate()
    assert "imports.unresolvable" in gate.rules
    code = "import surely_not_installed_xyz\n"
    ctx = GateContext(
        code=code, test_code=None, config=AgentConfig(tracking=False), code_tree=ast.parse(code)
    )
    assert [(f.rule, f.severity) for f in gate.check(ctx)] == [("imports.unresolvable", Severity.CRITICAL)]
