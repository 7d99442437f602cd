"""The module the checked tests import: its name, and for a module inside a project, where the project is.

Generated code has no name of its own: it is ``solution``. A user's file has one. ``check mymod.py --tests
test_mymod.py`` imports it as ``mymod``; inside a project (a ``pyproject.toml``, ``setup.cfg``, ``setup.py`` or
``.git`` above it) ``src/pkg/mod.py`` is ``pkg.mod``, and its tests may import it the way the project does
(``from pkg.mod import f``, ``from pkg import mod``). :meth:`ModuleUnderTest.of_file` works that out from the path;
the sandbox then mounts the project read-only and puts its import root (``src/`` for a src layout) on ``sys.path``,
so the module's own imports of the rest of the package resolve too.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PROJECT_MARKERS", "SOLUTION", "ModuleUnderTest", "find_project_root", "valid_module_name"]

SOLUTION = "solution"
PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")
"""Files (or directories) that mark the root of a project, looked for from the module's directory upward."""


def valid_module_name(name: str) -> bool:
    """Whether ``name`` is a dotted Python module name (``pkg.mod``): identifiers, no keywords."""
    parts = name.split(".")
    return all(part.isidentifier() and not keyword.iskeyword(part) for part in parts)


def find_project_root(start: Path) -> Path | None:
    """The nearest directory at or above ``start`` holding one of :data:`PROJECT_MARKERS`, or None."""
    for directory in [start, *start.parents]:
        if any((directory / marker).exists() for marker in PROJECT_MARKERS):
            return directory
    return None


def _package_parts(path: Path, stop: Path) -> tuple[Path, list[str]]:
    """The directory the module is imported from and its dotted name, climbing packages (``__init__.py``)."""
    parts = [path.stem]
    directory = path.parent
    while directory != stop and (directory / "__init__.py").is_file():
        parts.insert(0, directory.name)
        directory = directory.parent
    if directory == stop and (directory / "__init__.py").is_file() and directory.parent != directory:
        parts.insert(0, directory.name)  # the project root is itself a package: import it from its parent
        directory = directory.parent
    return directory, parts


@dataclass(frozen=True)
class ModuleUnderTest:
    """The name the tests import the code by, and the project it lives in (None: a lone module).

    Attributes:
        name: Dotted module name (``solution``, ``mymod``, ``pkg.mod``).
        import_root: The directory that must be on ``sys.path`` for ``name`` to import (``src/`` in a src layout).
        project_root: The project's root, mounted read-only in the sandbox.
    """

    name: str = SOLUTION
    import_root: Path | None = None
    project_root: Path | None = None

    def __post_init__(self) -> None:
        if not valid_module_name(self.name):
            raise ValueError(f"{self.name!r} is not a Python module name (dotted identifiers, no keywords)")

    @property
    def in_project(self) -> bool:
        """Whether the module is imported from a project on disk (the sandbox mounts it)."""
        return self.import_root is not None and self.project_root is not None

    def mounts(self) -> list[Path]:
        """What of the project the sandbox mounts read-only: the importable entries of the import root.

        Its packages and modules (``*.py`` files and directories named like identifiers), never a dotfile or
        dot-directory (``.env``, ``.git``, ``.venv``), so a project's secrets stay out of the sandbox.
        """
        if self.import_root is None or self.project_root is None:
            return []
        found = []
        for entry in sorted(self.import_root.iterdir()):
            name = entry.name
            if name.startswith(".") or name == "__pycache__":
                continue
            if (entry.is_dir() and name.isidentifier()) or (entry.is_file() and entry.suffix == ".py"):
                found.append(entry)
        return found

    @property
    def stem(self) -> str:
        """The last part of the name (``mod`` for ``pkg.mod``)."""
        return self.name.rpartition(".")[2]

    def to_state(self) -> dict[str, str | None]:
        """This module as JSON data (kept in the Burr state, so a resumed run imports the code the same way)."""
        return {
            "name": self.name,
            "import_root": str(self.import_root) if self.import_root else None,
            "project_root": str(self.project_root) if self.project_root else None,
        }

    @classmethod
    def from_state(cls, data: object) -> ModuleUnderTest | None:
        """The module :meth:`to_state` saved, or None when nothing (or something unreadable) was saved."""
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            return None
        roots = [
            Path(data[k]) if isinstance(data.get(k), str) else None for k in ("import_root", "project_root")
        ]
        try:
            return cls(data["name"], import_root=roots[0], project_root=roots[1])
        except ValueError:
            return None

    @classmethod
    def of_file(cls, path: Path) -> ModuleUnderTest:
        """The module ``path`` is, found from the file system.

        Inside a project, packages (directories with ``__init__.py``) are climbed up to the project root, so
        ``src/pkg/mod.py`` is ``pkg.mod`` imported from ``src/``; a module at the project root or in ``src/``
        is named by its stem. Outside any project the module is named by its stem and nothing is mounted.
        """
        path = path.resolve()
        if not valid_module_name(path.stem):
            return cls()  # `my-module.py` cannot be imported by name: the tests use `solution`
        root = find_project_root(path.parent)
        if root is None:
            return cls(path.stem)
        src = root / "src"
        if src in path.parents:  # src layout: named from src/, namespace packages included
            import_root, parts = src, [*path.relative_to(src).parent.parts, path.stem]
        else:
            import_root, parts = _package_parts(path, root)
        name = ".".join(parts)
        if not valid_module_name(name):
            return cls(path.stem)
        project_root = root if root in (import_root, *import_root.parents) else import_root
        return cls(name, import_root=import_root, project_root=project_root)
