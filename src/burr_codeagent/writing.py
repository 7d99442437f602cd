"""Writing generated code to files: ``codeagent run TASK --write DIR`` and :meth:`AgentResult.files`.

Generated tests import the code as module ``solution``. Written out, the module gets a real name (``--module``, else
one derived from ``function_name``: ``LRUCache`` -> ``lru_cache.py``), its tests ``test_<name>.py``, and the tests'
imports of ``solution`` are renamed to it with libcst (``from solution import f``, ``import solution``, and patch
targets such as ``"solution.time.sleep"``), so the pair runs as it is under pytest. Nothing is overwritten unless
``force`` says so.
"""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from .errors import ConfigurationError

__all__ = ["GeneratedFiles", "generated_files", "module_name_for", "rename_module", "write_files"]

SOLUTION = "solution"
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@dataclass(frozen=True)
class GeneratedFiles:
    """A module and its tests, named and ready to write."""

    module_name: str
    code: str
    test_code: str

    @property
    def module_file(self) -> str:
        """``<module_name>.py``."""
        return f"{self.module_name}.py"

    @property
    def test_file(self) -> str:
        """``test_<module_name>.py``."""
        return f"test_{self.module_name}.py"


def module_name_for(function_name: str) -> str:
    """A module name for code whose main function or class is ``function_name``: snake_case, never a keyword,
    never the name of a standard-library module it would shadow, never a test module's name."""
    words = _CAMEL.sub("_", function_name.strip()).lower()
    name = re.sub(r"\W+", "_", words).strip("_") or SOLUTION
    if name[0].isdigit():
        name = f"m_{name}"
    if keyword.iskeyword(name) or name in sys.stdlib_module_names or name.startswith("test"):
        name = f"{name}_module"
    return name


def _check_module_name(name: str) -> str:
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ConfigurationError(f"--module {name!r} is not a valid Python module name")
    return name


class _RenameSolution(cst.CSTTransformer):
    def __init__(self, new: str) -> None:
        self.new = new

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:  # noqa: N802 - libcst naming
        module = updated.module
        if updated.relative or module is None:
            return updated
        dotted = cst.helpers.get_full_name_for_node(module) or ""
        if dotted == SOLUTION or dotted.startswith(SOLUTION + "."):
            renamed = self.new + dotted[len(SOLUTION) :]
            return updated.with_changes(module=cst.parse_expression(renamed))
        return updated

    def leave_Import(self, original: cst.Import, updated: cst.Import) -> cst.Import:  # noqa: N802 - libcst naming
        names = []
        for alias in updated.names:
            dotted = cst.helpers.get_full_name_for_node(alias.name) or ""
            if dotted == SOLUTION and alias.asname is None:  # `import solution` keeps working as `solution`
                alias = alias.with_changes(
                    name=cst.Name(self.new), asname=cst.AsName(name=cst.Name(SOLUTION))
                )
            elif dotted == SOLUTION:
                alias = alias.with_changes(name=cst.Name(self.new))
            names.append(alias)
        return updated.with_changes(names=names)

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.SimpleString:  # noqa: N802 - libcst naming
        value = updated.evaluated_value
        if isinstance(value, str) and (value == SOLUTION or value.startswith(SOLUTION + ".")):
            quote = updated.quote
            return updated.with_changes(
                value=f"{updated.prefix}{quote}{self.new}{value[len(SOLUTION) :]}{quote}"
            )
        return updated


def rename_module(test_code: str, module_name: str) -> str:
    """``test_code`` with its imports of (and patch targets in) ``solution`` pointing at ``module_name``.

    Test code that does not parse is returned unchanged (it is written as generated; the report says it fails).
    """
    if module_name == SOLUTION:
        return test_code
    try:
        tree = cst.parse_module(test_code)
    except cst.ParserSyntaxError:
        return test_code
    return tree.visit(_RenameSolution(module_name)).code


def generated_files(
    function_name: str, code: str, test_code: str, module: str | None = None
) -> GeneratedFiles:
    """The module and tests named after ``module`` (else ``function_name``), tests importing it by that name."""
    name = _check_module_name(module) if module else module_name_for(function_name)
    return GeneratedFiles(name, code, rename_module(test_code, name))


def write_files(
    files: GeneratedFiles, directory: Path, *, force: bool = False, dry_run: bool = False
) -> dict[str, Path]:
    """Write the module and its tests into ``directory`` (created if needed); ``{"module": path, "tests": path}``.

    ``dry_run`` only checks that the files could be written (so a run can refuse before it spends tokens).

    Raises:
        ConfigurationError: a file exists and ``force`` is off (nothing is written then), or ``directory`` is a file.
    """
    if directory.exists() and not directory.is_dir():
        raise ConfigurationError(f"--write {directory} is a file, not a directory")
    paths = {"module": directory / files.module_file, "tests": directory / files.test_file}
    existing = [str(p) for p in paths.values() if p.exists()]
    if existing and not force:
        raise ConfigurationError(
            f"not overwriting {' and '.join(existing)}: pass --force (force=True) to replace, or choose another "
            "directory or --module name"
        )
    if dry_run:
        return paths
    directory.mkdir(parents=True, exist_ok=True)
    paths["module"].write_text(files.code, encoding="utf-8")
    paths["tests"].write_text(files.test_code, encoding="utf-8")
    return paths
