"""``codeagent check``: tests that import the module by its file name, and ``--find-tests`` (used by the pre-commit
hook and the GitHub Action)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from burr_codeagent.cli import app
from burr_codeagent.integrations.tests_finder import find_tests_for

from ..conftest import GOOD_CODE, GOOD_TESTS

BY_NAME = GOOD_TESTS.replace("from solution import", "from maths import")


def check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["check", *args])
    return result.exit_code, result.output


@pytest.mark.slow
def test_tests_may_import_the_checked_file_by_its_own_name(tmp_path: Path) -> None:
    (tmp_path / "maths.py").write_text(GOOD_CODE)
    (tmp_path / "test_maths.py").write_text(BY_NAME)
    code, output = check(str(tmp_path / "maths.py"), "--tests", str(tmp_path / "test_maths.py"), "-f", "json")
    assert code == 0, output
    report = json.loads(output)
    assert report["tests"]["passed"] == 2
    assert not [f for f in report["findings"] if f["rule"] == "tests.no_solution_import"]


@pytest.mark.slow
def test_find_tests_pairs_each_file_with_its_tests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(
        "CODEAGENT_EXECUTION_TIMEOUT", "60"
    )  # a loaded machine must not turn a failure into a timeout
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "tests" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "maths.py").write_text(GOOD_CODE)
    (tmp_path / "tests" / "pkg" / "test_maths.py").write_text(BY_NAME)
    (tmp_path / "broken.py").write_text(GOOD_CODE)
    (tmp_path / "broken_test.py").write_text(GOOD_TESTS.replace("== 120", "== 121"))
    (tmp_path / "lonely.py").write_text(GOOD_CODE)

    code, output = check("src/pkg/maths.py", "broken.py", "lonely.py", "--find-tests")
    assert code == 1, output
    assert "src/pkg/maths.py: passed" in output
    assert "broken_test.py:" in output and "execution.failed [critical]" in output
    assert "broken.py: not good enough" in output
    assert "lonely.py: passed" in output and "skipped: " in output.split("lonely.py: passed")[1]

    code, output = check("src/pkg/maths.py", "lonely.py", "--find-tests", "-f", "json")
    assert code == 0
    reports = json.loads(output)
    assert reports[0]["tests"]["passed"] == 2 and reports[1]["tests"] is None


def test_where_tests_are_found(tmp_path: Path) -> None:
    (tmp_path / "app" / "tests").mkdir(parents=True)
    module = tmp_path / "app" / "shapes.py"
    module.write_text("x = 1\n")
    assert find_tests_for(module, tmp_path) is None
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_shapes.py").write_text("")
    assert find_tests_for(module, tmp_path) == tmp_path / "tests" / "test_shapes.py"
    (tmp_path / "app" / "tests" / "test_shapes.py").write_text("")
    assert find_tests_for(module, tmp_path) == tmp_path / "app" / "tests" / "test_shapes.py"
    (tmp_path / "app" / "test_shapes.py").write_text("")
    assert find_tests_for(module, tmp_path) == tmp_path / "app" / "test_shapes.py"
