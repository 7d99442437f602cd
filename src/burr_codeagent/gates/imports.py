"""The ``imports`` gate: imports that cannot resolve, star imports, and declared dependencies against reality.

Modules are located with :func:`importlib.util.find_spec` on the top-level name only (looking up ``a.b`` would
import ``a``), so checking never runs the imported code. The tests may import the code under test as ``solution``;
the names they take from it must exist in the code.

An import that cannot resolve is critical when the generated tests will run (``enable_code_execution``), because
the tests would then fail at import time; otherwise it is a warning. Imports guarded by ``try: ... except
ImportError`` or ``if TYPE_CHECKING:`` are optional by construction and reported as info.
"""

from __future__ import annotations

import ast
import functools
import importlib.machinery
import importlib.util
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from ..hookspecs import hookimpl
from ..models import Finding, Severity, Target
from ._shared import NodeIndex
from .base import Gate, GateContext, GateSkipped, finding

__all__ = ["ImportsGate", "register_gates"]


RULES = {
    "imports.unresolvable": "An imported module is not installed or does not exist.",
    "imports.optional_missing": "A guarded (optional) import is not installed.",
    "imports.relative": "A relative import in a single-module solution, which has no package.",
    "imports.missing_name": "The tests import a name the code does not define.",
    "imports.star": "`from module import *` hides where names come from.",
    "imports.undeclared": "A third-party module is imported but not listed in `dependencies`.",
    "imports.not_installed": "A declared dependency is not installed.",
    "imports.stdlib_declared": "A standard-library module is listed as a dependency.",
}

CODE_MODULE = "solution"
# Provided by the environment that runs the generated tests, so tests need not declare them.
TEST_RUNTIME = frozenset({"pytest", "_pytest", CODE_MODULE})
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


class ImportsGate:
    """Unresolvable and relative imports, star imports, and `dependencies` checked against what is installed."""

    name = "imports"
    description = (
        "Imports resolve (find_spec, never importing), no `import *`, dependencies declared and installed."
    )
    rules: Mapping[str, str] = RULES
    after = ("dependencies",)

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        """Check the imports of the code and the tests, then the declared dependencies."""
        if ctx.code_tree is None and ctx.test_tree is None:
            raise GateSkipped("nothing parses; see the syntax gate")
        blocking = Severity.CRITICAL if ctx.config.enable_code_execution else Severity.WARNING
        env_path = getattr(ctx.shared.get("dependency_env"), "path", None)
        paths = (str(env_path),) if env_path is not None else ()
        if ctx.module.in_project:  # the rest of the project resolves from its import root, as in the sandbox
            paths = (str(ctx.module.import_root), *paths)
        # The dependencies gate already reported these in one finding; saying it again here helps no one.
        reported = {_requirement_name(m) for m in ctx.shared.get("dependency_missing", ())}
        # A module inside a package may import its siblings relatively; the sandbox imports it as `pkg.mod`.
        in_package = ctx.module.in_project and "." in ctx.module.name
        for found in self._check(ctx, blocking, paths):
            if in_package and found.rule == "imports.relative" and found.target == "code":
                continue
            subject = found.message.split("`")[1] if "`" in found.message else ""
            if found.rule in ("imports.unresolvable", "imports.not_installed") and (
                _requirement_name(subject) in reported
            ):
                continue
            yield found

    def _check(self, ctx: GateContext, blocking: Severity, paths: tuple[str, ...]) -> Iterator[Finding]:
        declared = _declared(ctx.dependencies)
        imported: dict[str, Finding] = {}
        targets: list[tuple[Target, ast.Module | None]] = [("code", ctx.code_tree)]
        if ctx.test_code:
            targets.append(("tests", ctx.test_tree))
        for target, tree in targets:
            if tree is None:
                continue
            checker = _ImportChecker(ctx.node_index(target), target, blocking, declared, ctx.code_tree, paths)
            yield from checker.run()
            imported = {**checker.third_party, **imported}
        yield from _dependency_findings(declared, imported, paths)


class _ImportChecker:
    def __init__(
        self,
        index: NodeIndex,
        target: Target,
        blocking: Severity,
        declared: Mapping[str, str],
        code_tree: ast.Module | None,
        paths: tuple[str, ...] = (),
    ) -> None:
        self.paths = paths
        self.index = index
        self.target: Target = target
        self.blocking = blocking
        self.declared = declared
        self.code_tree = code_tree
        self.optional = _guarded_imports(index)
        # third-party module -> an `imports.undeclared` finding at its first import, kept if no dependency has it
        self.third_party: dict[str, Finding] = {}

    def _finding(
        self, rule: str, severity: Severity, message: str, node: ast.AST, suggestion: str
    ) -> Finding:
        return finding("imports", rule, severity, message, node, target=self.target, suggestion=suggestion)

    def run(self) -> Iterator[Finding]:
        for node in self.index.of(ast.Import, ast.ImportFrom):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield from self._module(alias.name, alias, node)
            elif isinstance(node, ast.ImportFrom):
                yield from self._import_from(node)

    def _import_from(self, node: ast.ImportFrom) -> Iterator[Finding]:
        if node.level:
            yield self._finding(
                "imports.relative",
                self.blocking,
                f"Relative import `from {'.' * node.level}{node.module or ''} import ...` has no package to be "
                "relative to: the code runs as the single module `solution`.",
                node,
                "Import absolutely, or define what you need in the module itself.",
            )
            return
        module = node.module or ""
        if any(alias.name == "*" for alias in node.names):
            yield self._finding(
                "imports.star",
                Severity.WARNING,
                f"`from {module} import *` hides where names come from and can shadow your own.",
                node,
                f"Import the names you use: `from {module} import name1, name2`.",
            )
        yield from self._module(module, node, node)
        if self.target == "tests" and module == CODE_MODULE and self.code_tree is not None:
            yield from self._names_from_code(node)

    def _module(self, dotted: str, anchor: ast.AST, statement: ast.stmt) -> Iterator[Finding]:
        top = dotted.split(".")[0]
        if not top or top == CODE_MODULE or top == "__future__":
            return
        if top in sys.stdlib_module_names and top in sys.builtin_module_names:
            return
        location = _location(top, self.paths)
        if location is not None:
            if _installed_distribution(location) and top not in self.third_party:
                self.third_party[top] = self._finding(
                    "imports.undeclared",
                    Severity.INFO,
                    f"Third-party module `{top}` is imported but no distribution in `dependencies` provides it.",
                    anchor,
                    f"Add the distribution that provides `{top}` to `dependencies`.",
                )
            return
        if id(statement) in self.optional:
            yield self._finding(
                "imports.optional_missing",
                Severity.INFO,
                f"Optional module `{top}` is not installed; the guarded fallback will be used.",
                anchor,
                "Nothing to do if the fallback is intended.",
            )
            return
        where = (
            "the standard library of this Python" if top in sys.stdlib_module_names else "this environment"
        )
        yield self._finding(
            "imports.unresolvable",
            self.blocking,
            f"Module `{top}` cannot be found in {where}; importing it raises ModuleNotFoundError.",
            anchor,
            f"Use the standard library instead, or add `{top}`'s distribution to `dependencies`"
            + (" (the tests import the code as `solution`)." if self.target == "tests" else "."),
        )

    def _names_from_code(self, node: ast.ImportFrom) -> Iterator[Finding]:
        assert self.code_tree is not None
        defined = _top_level_names(self.code_tree)
        if defined is None:  # a star import or module __getattr__: anything may exist
            return
        for alias in node.names:
            if alias.name != "*" and alias.name not in defined:
                yield self._finding(
                    "imports.missing_name",
                    self.blocking,
                    f"The tests import `{alias.name}` from `solution`, which does not define it.",
                    alias,
                    f"Define `{alias.name}` in the code or import one of: {', '.join(sorted(defined)[:8]) or '-'}.",
                )


def _location(top: str, paths: tuple[str, ...] = ()) -> str | None:
    """Where module ``top`` would be loaded from ("" for built-in modules), or None when it cannot be found.

    ``paths`` are extra directories the tests will have on ``PYTHONPATH`` (the dependency environment).
    """
    module = sys.modules.get(top)
    try:
        spec = module.__spec__ if module is not None else importlib.util.find_spec(top)
        if spec is None and module is None and paths:
            spec = importlib.machinery.PathFinder.find_spec(top, list(paths))
    except (ImportError, ValueError):
        return "" if module is not None else None
    if spec is None:
        return "" if module is not None else None
    if spec.origin and spec.origin not in ("built-in", "frozen"):
        return spec.origin
    return next(iter(spec.submodule_search_locations or ()), "")


def _installed_distribution(location: str) -> bool:
    """Whether a module found at ``location`` was installed from a distribution (not the stdlib, not local)."""
    parts = Path(location).parts
    return "site-packages" in parts or "dist-packages" in parts


def _guarded_imports(index: NodeIndex) -> set[int]:
    """Ids of import statements inside ``try: ... except ImportError`` or ``if TYPE_CHECKING:``."""
    guarded: set[int] = set()
    if not index.of(ast.Import, ast.ImportFrom):
        return guarded
    for node in index.of(ast.Try, ast.TryStar, ast.If):
        bodies: list[list[ast.stmt]] = []
        if (
            isinstance(node, ast.Try | ast.TryStar) and any(_catches_import_error(h) for h in node.handlers)
        ) or (isinstance(node, ast.If) and _is_type_checking(node.test)):
            bodies.append(node.body)
        for body in bodies:
            for statement in body:
                guarded.update(
                    id(n) for n in ast.walk(statement) if isinstance(n, ast.Import | ast.ImportFrom)
                )
    return guarded


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names = {k.id if isinstance(k, ast.Name) else getattr(k, "attr", "") for k in kinds}
    return bool(names & _IMPORT_ERRORS)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level_names(tree: ast.Module) -> set[str] | None:
    """Names the module defines at top level (also inside top-level if/try/with/for); None if unknowable."""
    names: set[str] = set()
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if node.name == "__getattr__":
                return None
            names.add(node.name)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    return None
                names.add(alias.asname or alias.name.split(".")[0])
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        pending.extend(ast.iter_child_nodes(node))
    return names


def _requirement_name(requirement: str) -> str:
    """The normalised distribution name of a requirement (``Foo_Bar>=2`` -> ``foo-bar``)."""
    return _normalise(re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0])


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(dependencies: tuple[str, ...]) -> dict[str, str]:
    """Normalised distribution name -> the requirement as written."""
    declared: dict[str, str] = {}
    for requirement in dependencies:
        match = _REQUIREMENT_NAME.match(requirement)
        if match:
            declared[_normalise(match.group(1))] = requirement.strip()
    return declared


@functools.cache
def _provided_modules(distribution: str, paths: tuple[str, ...] = ()) -> frozenset[str]:
    """The top-level modules an installed distribution provides (empty when it is not installed)."""
    from importlib.metadata import PackageNotFoundError, distributions
    from importlib.metadata import distribution as find_distribution

    try:
        dist = find_distribution(distribution)
    except PackageNotFoundError:
        found = next(iter(distributions(name=distribution, path=list(paths))), None) if paths else None
        if found is None:
            return frozenset()
        dist = found
    listed = dist.read_text("top_level.txt")
    if listed:
        return frozenset(line.strip() for line in listed.splitlines() if line.strip())
    modules = {_normalise(distribution).replace("-", "_")}
    for file in dist.files or ():
        top = file.parts[0]
        if top.endswith(".py"):
            modules.add(top[:-3])
        elif len(file.parts) > 1 and not top.endswith((".dist-info", ".egg-info", ".data")) and top != "..":
            modules.add(top)
    return frozenset(modules)


def _dependency_findings(
    declared: Mapping[str, str], imported: Mapping[str, Finding], paths: tuple[str, ...] = ()
) -> Iterator[Finding]:
    for name, requirement in declared.items():
        if name in sys.stdlib_module_names:
            yield Finding(
                gate="imports",
                rule="imports.stdlib_declared",
                severity=Severity.INFO,
                message=f"`{requirement}` is part of the standard library, not a distribution to install.",
                suggestion=f"Remove `{name}` from `dependencies`.",
            )
        elif not _provided_modules(name, paths):
            yield Finding(
                gate="imports",
                rule="imports.not_installed",
                severity=Severity.WARNING,
                message=f"Declared dependency `{requirement}` is not installed here, so it cannot be checked or run.",
                suggestion=f"Install it (pip install '{requirement}') or use the standard library instead.",
            )
    provided: set[str] = set()
    for name in declared:
        provided |= _provided_modules(name, paths)
    for module, anchor in sorted(imported.items()):
        if module not in provided and module not in TEST_RUNTIME:
            yield anchor


@hookimpl
def register_gates(register: Callable[[Gate], None]) -> None:
    """Register the ``imports`` gate."""
    register(ImportsGate())
