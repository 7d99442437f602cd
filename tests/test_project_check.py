"""``check src/pkg/mod.py --tests tests/test_mod.py`` inside a real project: the tests import the module as the
project does, through the real sandbox, with the project mounted read-only."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from burr_codeagent import AgentConfig
from burr_codeagent.checker import Checker
from burr_codeagent.cli import app
from burr_codeagent.module_under_test import ModuleUnderTest
from burr_codeagent.sandbox import available

HELPERS = '''"""Helpers."""


def double(value: int) -> int:
    """Return twice ``value``.

    Args:
        value: A number.

    Returns:
        Twice the number.
    """
    return value * 2
'''
MOD = '''"""Quadruple numbers."""

from .helpers import double


def quadruple(value: int) -> int:
    """Return four times ``value``.

    Args:
        value: A number.

    Returns:
        Four times the number.
    """
    return double(double(value))
'''
TESTS = """from unittest import mock

from pkg import mod
from pkg.mod import quadruple


def test_quadruple() -> None:
    assert quadruple(3) == 12


def test_the_package_module_and_patch_targets_are_the_checked_code() -> None:
    assert mod.quadruple is quadruple
    with mock.patch("pkg.mod.double", lambda value: value + 1):
        assert quadruple(1) == 3
"""
WRITES_INTO_PROJECT = """import errno
from pathlib import Path

import pkg
from pkg.mod import quadruple


def test_the_project_is_read_only() -> None:
    target = Path(pkg.__file__).parent / "written_by_tests.txt"
    try:
        target.write_text("x")
    except OSError as exc:
        assert exc.errno == errno.EROFS
    else:
        raise AssertionError("the tests wrote into the project")
    assert quadruple(1) == 4
"""


def make_project(root: Path, *, src_layout: bool, tests: str = TESTS) -> Path:
    """A project with ``pkg/__init__.py``, ``pkg/helpers.py``, ``pkg/mod.py`` and ``tests/test_mod.py``.

    Readable by others, as a checkout is: run as root, the sandbox drops to ``nobody`` (pytest's ``tmp_path`` is
    private to its owner).
    """
    root.chmod(0o755)
    (root / "pyproject.toml").write_text('[project]\nname = "pkg"\nversion = "0"\n')
    package = root / "src" / "pkg" if src_layout else root / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""A package."""\n')
    (package / "helpers.py").write_text(HELPERS)
    (package / "mod.py").write_text(MOD)
    (root / "tests").mkdir()
    (root / "tests" / "test_mod.py").write_text(tests)
    return package / "mod.py"


def _check(module: Path, tests: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["check", str(module), "--tests", str(tests), "-v"])
    return result.exit_code, result.output


@pytest.mark.parametrize("src_layout", [True, False], ids=["src-layout", "flat-layout"])
def test_tests_import_the_module_as_the_project_does(tmp_path: Path, src_layout: bool) -> None:
    module = make_project(tmp_path, src_layout=src_layout)
    code, output = _check(module, tmp_path / "tests" / "test_mod.py")
    assert code == 0, output
    assert "tests 2 passed / 0 failed" in output
    assert "imports.relative" not in output and "imports.unresolvable" not in output


@pytest.mark.skipif(not available("bwrap"), reason="bubblewrap is not usable on this machine")
def test_the_tests_cannot_write_into_the_project(tmp_path: Path) -> None:
    module = make_project(tmp_path, src_layout=True, tests=WRITES_INTO_PROJECT)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    code, output = _check(module, tmp_path / "tests" / "test_mod.py")
    assert code == 0, output
    assert "tests 1 passed / 0 failed" in output
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_the_checked_text_runs_not_the_file_on_disk(tmp_path: Path) -> None:
    module = make_project(tmp_path, src_layout=True)
    fixed_on_disk_only = MOD.replace("double(double(value))", "double(value)")
    module.write_text(fixed_on_disk_only)  # the disk has a bug; the text checked (an improve attempt) has not
    report = Checker(AgentConfig(gates={"enable": ["syntax", "execution"]})).check(
        MOD, TESTS, module=ModuleUnderTest.of_file(module)
    )
    assert report.passed and report.tests is not None and report.tests.passed == 2
    broken = Checker(AgentConfig(gates={"enable": ["syntax", "execution"]})).check(
        fixed_on_disk_only.replace("double(value)", "value"), TESTS, module=ModuleUnderTest.of_file(module)
    )
    assert broken.tests is not None and broken.tests.failed == 2


def test_tests_that_import_solution_keep_working_in_a_project(tmp_path: Path) -> None:
    module = make_project(tmp_path, src_layout=False, tests="")
    module.write_text(HELPERS.replace("Helpers.", "Doubling."))
    tests = tmp_path / "tests" / "test_mod.py"
    tests.write_text(
        "from solution import double\n\n\ndef test_double() -> None:\n    assert double(2) == 4\n"
    )
    code, output = _check(module, tests)
    assert code == 0, output
    assert "tests 1 passed / 0 failed" in output


@pytest.mark.parametrize(
    ("layout", "file", "name", "import_root"),
    [
        ({"pyproject.toml": "", "src/pkg/__init__.py": "", "src/pkg/sub/__init__.py": ""}, "src/pkg/sub/m.py",
         "pkg.sub.m", "src"),
        ({"setup.cfg": "", "pkg/__init__.py": ""}, "pkg/m.py", "pkg.m", "."),
        ({".git/HEAD": "", "src/nspkg/.keep": ""}, "src/nspkg/m.py", "nspkg.m", "src"),  # namespace package
        ({"pyproject.toml": ""}, "m.py", "m", "."),
        ({"pyproject.toml": "", "scripts/.keep": ""}, "scripts/m.py", "m", "scripts"),  # not a package
    ],
)  # fmt: skip
def test_the_dotted_name_and_the_import_root_come_from_the_layout(
    tmp_path: Path, layout: dict[str, str], file: str, name: str, import_root: str
) -> None:
    for relative, text in {**layout, file: '"""m."""\n'}.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    found = ModuleUnderTest.of_file(tmp_path / file)
    assert found.name == name
    assert found.import_root == (tmp_path / import_root).resolve()
    assert found.project_root == tmp_path.resolve()


def test_a_module_outside_any_project_is_named_by_its_stem_and_nothing_is_mounted(tmp_path: Path) -> None:
    (tmp_path / "shapes.py").write_text("X = 1\n")
    found = ModuleUnderTest.of_file(tmp_path / "shapes.py")
    if found.project_root is not None:  # the temporary directory itself lies inside some project
        pytest.skip(f"{tmp_path} is inside a project at {found.project_root}")
    assert (found.name, found.in_project) == ("shapes", False)
    assert ModuleUnderTest.of_file(tmp_path / "my-module.py").name == "solution"


READS_SECRETS = """from pathlib import Path

import pkg


def test_the_projects_dotfiles_are_not_in_the_sandbox() -> None:
    root = Path(pkg.__file__).parent.parent.parent
    assert (root / "src" / "pkg" / "helpers.py").is_file()
    assert not (root / ".env").exists() and not (root / ".git").exists()
    assert not (root / "pyproject.toml").exists()
"""


@pytest.mark.skipif(not available("bwrap"), reason="bubblewrap is not usable on this machine")
def test_only_the_importable_parts_of_the_project_are_mounted(tmp_path: Path) -> None:
    module = make_project(tmp_path, src_layout=True, tests=READS_SECRETS)
    (tmp_path / ".env").write_text("OPENAI_API_KEY=sk-canary-in-dotenv\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[remote]\n url = https://token@example.invalid\n")
    found = ModuleUnderTest.of_file(module)
    assert found.mounts() == [tmp_path.resolve() / "src" / "pkg"]
    code, output = _check(module, tmp_path / "tests" / "test_mod.py")
    assert code == 0, output
    assert "sk-canary" not in output
