"""Running real tests: published solutions with their reference tests pass, broken variants fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from burr_codeagent.models import CASES_CAP, MESSAGE_CAP, TRACEBACK_CAP
from burr_codeagent.sandbox import PytestRun, RunExtension, Sandbox, available, run_pytest
from burr_codeagent.sandbox.layers import IsolationUnavailable, resolve_isolation
from tests.conftest import GOOD_CODE, GOOD_TESTS

BINARY_SEARCH = '''\
"""Binary search over a sorted sequence."""

from collections.abc import Sequence


def binary_search(items: Sequence[int], target: int) -> int:
    """Return the index of target in items, or -1 if it is absent."""
    low, high = 0, len(items) - 1
    while low <= high:
        middle = (low + high) // 2
        if items[middle] == target:
            return middle
        if items[middle] < target:
            low = middle + 1
        else:
            high = middle - 1
    return -1
'''
BINARY_SEARCH_TESTS = """\
import pytest

from solution import binary_search


@pytest.mark.parametrize("target", [1, 3, 5, 7, 9, 11])
def test_finds_every_element(target):
    items = [1, 3, 5, 7, 9, 11]
    assert binary_search(items, target) == items.index(target)


@pytest.mark.parametrize("target", [0, 2, 12])
def test_missing_is_minus_one(target):
    assert binary_search([1, 3, 5, 7, 9, 11], target) == -1


def test_empty_and_single():
    assert binary_search([], 1) == -1
    assert binary_search([4], 4) == 0
"""
FIZZBUZZ = '''\
def fizzbuzz(n: int) -> list[str]:
    """FizzBuzz from 1 to n."""
    out = []
    for i in range(1, n + 1):
        if i % 15 == 0:
            out.append("FizzBuzz")
        elif i % 3 == 0:
            out.append("Fizz")
        elif i % 5 == 0:
            out.append("Buzz")
        else:
            out.append(str(i))
    return out
'''
FIZZBUZZ_TESTS = """\
from solution import fizzbuzz


def test_first_fifteen():
    assert fizzbuzz(15) == ["1", "2", "Fizz", "4", "Buzz", "Fizz", "7", "8", "Fizz", "Buzz", "11", "Fizz", "13",
                            "14", "FizzBuzz"]


def test_zero():
    assert fizzbuzz(0) == []


class TestMultiples:
    def test_thirty(self):
        assert fizzbuzz(30)[-1] == "FizzBuzz"
"""

SOLUTIONS = {
    "factorial": (GOOD_CODE, GOOD_TESTS, 2),
    "binary_search": (BINARY_SEARCH, BINARY_SEARCH_TESTS, 10),
    "fizzbuzz": (FIZZBUZZ, FIZZBUZZ_TESTS, 3),
}
BROKEN = {
    "factorial-off-by-one": ("factorial", "if n in (0, 1):", "if n in (0, 1, 2):"),
    "factorial-no-validation": ("factorial", 'raise ValueError("n must be non-negative")', "return 0"),
    "binary-search-off-by-one": ("binary_search", "len(items) - 1", "len(items) - 2"),
    "binary-search-wrong-branch": ("binary_search", "low = middle + 1", "low = middle + 2"),
    "fizzbuzz-wrong-order": ("fizzbuzz", "i % 15 == 0", "i % 5 == 0"),
    "fizzbuzz-range": ("fizzbuzz", "range(1, n + 1)", "range(1, n)"),
}
LAYERS = [
    pytest.param(
        layer, marks=pytest.mark.skipif(not available(layer), reason=f"{layer} is not available here")
    )
    for layer in ("bwrap", "unshare", "none")
]


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_published_solutions_pass_their_reference_tests(name: str, layer: str) -> None:
    code, tests, count = SOLUTIONS[name]
    result = run_pytest(PytestRun(code, tests), Sandbox(layer))
    assert result.outcome.succeeded, result.outcome.output
    assert result.outcome.passed == count
    assert result.outcome.isolation == layer
    assert result.problem is None


@pytest.mark.parametrize("variant", list(BROKEN))
def test_broken_variants_fail(variant: str) -> None:
    name, old, new = BROKEN[variant]
    code, tests, _ = SOLUTIONS[name]
    assert old in code
    result = run_pytest(PytestRun(code.replace(old, new), tests), Sandbox())
    assert not result.outcome.succeeded
    assert result.outcome.failed >= 1
    assert result.failures and all(case.message for case in result.failures)


def test_failure_has_assertion_and_traceback_and_pytest_output_stays_for_humans() -> None:
    result = run_pytest(PytestRun(GOOD_CODE.replace("n * factorial", "n + factorial"), GOOD_TESTS), Sandbox())
    [failure] = result.failures
    assert failure.name == "test_small_values"
    assert "assert 15 == 120" in failure.message
    assert "test_solution.py:9" in failure.traceback
    assert "assert factorial(5) == 120" in failure.traceback
    assert "1 failed, 1 passed" in result.outcome.output  # pytest's own summary line


STRUCTURED_TESTS = """\
import pytest

from solution import factorial


@pytest.mark.parametrize(("n", "expected"), [(5, 120), (3, 7)])
def test_values(n, expected):
    assert factorial(n) == expected


class TestErrors:
    @pytest.fixture
    def database(self):
        raise RuntimeError("no database here")

    def test_needs_database(self, database):
        pass

    @pytest.mark.skip(reason="not written yet")
    def test_later(self):
        pass
"""


def test_every_test_is_a_structured_case_with_name_outcome_reason_and_place() -> None:
    result = run_pytest(PytestRun(GOOD_CODE, STRUCTURED_TESTS), Sandbox())
    cases = {case.label: case for case in result.outcome.cases}
    assert list(cases) == [
        "test_values[5-120]",
        "test_values[3-7]",
        "TestErrors.test_needs_database",
        "TestErrors.test_later",
    ]
    passed, failed, setup, skipped = cases.values()
    assert passed.outcome == "passed" and passed.nodeid == "test_solution.py::test_values[5-120]"
    assert failed.outcome == "failed" and failed.message.startswith("assert 6 == 7")
    assert failed.traceback.endswith("E   assert 6 == 7\nE    +  where 6 = factorial(3)")
    assert failed.file == "test_solution.py" and failed.line == 6  # the decorator's line, 1-based
    assert setup.outcome == "error" and "no database here" in setup.message
    assert setup.nodeid == "test_solution.py::TestErrors::test_needs_database"
    assert skipped.outcome == "skipped" and skipped.message == "not written yet"
    assert (result.outcome.passed, result.outcome.failed, result.outcome.errors) == (1, 1, 1)
    assert [c.label for c in result.outcome.failures()] == [
        "test_values[3-7]",
        "TestErrors.test_needs_database",
    ]
    assert "/sandbox" not in result.outcome.model_dump_json()  # the work dir path is not a reader's business


def test_a_collection_error_is_a_case_named_after_the_module() -> None:
    result = run_pytest(PytestRun(GOOD_CODE, "import json\nfrom solution import nothing_here\n"), Sandbox())
    [case] = result.outcome.cases
    assert (case.nodeid, case.outcome, case.message) == ("test_solution.py", "error", "collection failure")
    assert "cannot import name 'nothing_here'" in case.traceback
    assert "importlib" not in case.traceback  # frames of installed code say nothing about the tests


def test_huge_suites_and_huge_messages_are_capped_keeping_the_failures() -> None:
    tests = (
        "import pytest\n\n@pytest.mark.parametrize('n', range(700))\n"
        "def test_many(n):\n    assert n != 650, 'x' * 50_000\n"
    )
    result = run_pytest(PytestRun(GOOD_CODE, tests, timeout=60), Sandbox())
    outcome = result.outcome
    assert (outcome.passed, outcome.failed) == (699, 1)
    assert len(outcome.cases) == CASES_CAP and outcome.cases_omitted == 700 - CASES_CAP
    [failure] = outcome.failures()
    assert failure.name == "test_many[650]" and len(failure.message) <= MESSAGE_CAP
    assert len(failure.traceback) <= TRACEBACK_CAP
    assert [c.name for c in outcome.cases[:2]] == ["test_many[0]", "test_many[1]"]  # run order kept
    assert len(outcome.model_dump_json()) < 200_000


def test_no_tests_is_not_a_pass() -> None:
    result = run_pytest(PytestRun(GOOD_CODE, "from solution import factorial\n"), Sandbox())
    assert result.outcome.passed == 0
    assert not result.outcome.succeeded
    assert result.problem is None


def test_collection_error_is_reported() -> None:
    result = run_pytest(
        PytestRun(GOOD_CODE, "from solution import nothing_here\n\ndef test_x():\n    pass\n")
    )
    assert result.collection_errors
    assert "nothing_here" in result.outcome.output
    assert not result.outcome.succeeded


def test_forged_report_does_not_count() -> None:
    forge = (
        "import os, pathlib\n\ndef test_forge():\n"
        '    xml = \'<testsuite name="pytest" tests="5"><testcase name="a"/></testsuite>\'\n'
        "    for name in os.listdir('.'):\n"
        "        if name.endswith('.xml'):\n            pathlib.Path(name).write_text(xml)\n"
        "    pathlib.Path('.codeagent-0000.xml').write_text(xml)\n    os._exit(0)\n"
    )
    result = run_pytest(PytestRun(GOOD_CODE, forge))
    assert not result.outcome.succeeded
    assert result.problem is not None


def test_extra_plugin_files_and_collected_results() -> None:
    plugin = (
        "import json\n\ndef pytest_sessionfinish(session, exitstatus):\n"
        "    with open('extra.json', 'w') as handle:\n"
        "        json.dump({'collected': session.testscollected, 'status': int(exitstatus)}, handle)\n"
    )
    spec = PytestRun(
        GOOD_CODE,
        GOOD_TESTS,
        plugins=("extra_plugin",),
        files={"extra_plugin.py": plugin},
        collect=("extra.json", "never-written.txt"),
        args=("-x",),
    )
    result = run_pytest(spec)
    assert json.loads(result.files["extra.json"]) == {"collected": 2, "status": 0}
    assert "never-written.txt" not in result.files


def test_keep_workdir_keeps_the_files_and_says_where(caplog: pytest.LogCaptureFixture) -> None:
    result = run_pytest(PytestRun(GOOD_CODE, GOOD_TESTS), keep_workdir=True)
    try:
        assert (result.run.workdir / "solution.py").read_text() == GOOD_CODE
        assert str(result.run.workdir) in result.outcome.output
    finally:
        import shutil

        shutil.rmtree(result.run.workdir)


def test_work_dir_is_removed_by_default() -> None:
    result = run_pytest(PytestRun(GOOD_CODE, GOOD_TESTS))
    assert not result.run.workdir.exists()


@pytest.mark.parametrize("name", ["/etc/passwd", "../escape.py", "a/../../b"])
def test_file_names_must_stay_inside_the_work_dir(name: str) -> None:
    with pytest.raises(ValueError, match="relative paths inside the work dir"):
        PytestRun(GOOD_CODE, GOOD_TESTS, files={name: "x"})


def test_bad_module_name_and_timeout_are_rejected() -> None:
    with pytest.raises(ValueError, match="not a Python identifier"):
        PytestRun(GOOD_CODE, GOOD_TESTS, module="my-module")
    with pytest.raises(ValueError, match="timeout must be positive"):
        PytestRun(GOOD_CODE, GOOD_TESTS, timeout=0)


def test_installed_third_party_plugins_are_not_loaded(tmp_path: Path) -> None:
    tests = "import sys\n\ndef test_plugins():\n    assert 'hypothesis' not in sys.modules\n    assert 'pytest_cov' not in sys.modules\n"
    result = run_pytest(PytestRun(GOOD_CODE, tests))
    assert result.outcome.succeeded, result.outcome.output


def test_unavailable_isolation_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import burr_codeagent.sandbox.layers as layers

    monkeypatch.setattr(layers, "available", lambda layer: layer == "none")
    with pytest.raises(IsolationUnavailable, match="'bwrap' is not available"):
        resolve_isolation("bwrap")
    assert resolve_isolation("auto") == "none"


def test_extensions_add_up_and_may_not_replace_what_the_run_has() -> None:
    base = PytestRun(GOOD_CODE, GOOD_TESTS, plugins=("a",), env={"SHARED": "1"})
    one = RunExtension(plugins=("a", "b"), files={"b.py": "x = 1"}, collect=("b.json",), env={"SHARED": "1"})
    two = RunExtension(plugins=("c",), collect=("b.json", "c.json"), env={"C": "on"})
    spec = base.extended(one).extended(two)
    assert spec.plugins == ("a", "b", "c") and spec.collect == ("b.json", "c.json")
    assert dict(spec.files) == {"b.py": "x = 1"} and dict(spec.env) == {"SHARED": "1", "C": "on"}
    assert base.plugins == ("a",)  # the original run is unchanged
    for clash in (
        RunExtension(files={"solution.py": "evil = True"}),
        RunExtension(files={"test_solution.py": ""}),
        RunExtension(files={"b.py": "x = 2"}),
        RunExtension(env={"SHARED": "2"}),
    ):
        with pytest.raises(ValueError, match="the test run extension would replace the"):
            spec.extended(clash)
    with pytest.raises(ValueError, match="relative paths inside the work dir"):
        base.extended(RunExtension(files={"../escape.py": ""}))
