"""Find the pytest file of a module the way projects lay them out (``codeagent check --find-tests``)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["find_tests_for", "looks_like_tests"]


def looks_like_tests(path: Path) -> bool:
    """``test_*.py``, ``*_test.py`` and ``conftest.py``: pytest's own files, not code to check on their own."""
    return path.name == "conftest.py" or path.name.startswith("test_") or path.stem.endswith("_test")


def find_tests_for(path: Path, root: Path | None = None) -> Path | None:
    """The first existing tests file for ``path``, or None.

    Looked for, in order: ``test_<stem>.py`` and ``<stem>_test.py`` beside the module, in a ``tests/`` directory
    beside it, in ``<root>/tests/`` mirroring the module's package path (without a leading ``src/``), and directly
    in ``<root>/tests/``. ``root`` defaults to the working directory (the repository root under pre-commit and
    GitHub Actions).
    """
    base = (root or Path.cwd()).resolve()
    module = path.resolve()
    names = [f"test_{module.stem}.py", f"{module.stem}_test.py"]
    folders = [module.parent, module.parent / "tests"]
    if module.is_relative_to(base):
        package = module.parent.relative_to(base).parts
        if package[:1] == ("src",):
            package = package[1:]
        folders += [base.joinpath("tests", *package), base / "tests"]
    for folder in folders:
        for name in names:
            candidate = folder / name
            if candidate.is_file() and candidate != module:
                return candidate
    return None
