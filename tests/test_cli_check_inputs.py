"""`codeagent check` takes what linters take: directories (recursively, minus excluded paths), stdin (`-`), and
several files with one summary line; `run --format json` keeps stdout for the result; help shows no `<bool>`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from burr_codeagent import bulk
from burr_codeagent.cli import app

from .backends.fakes import FakeProvider
from .conftest import GOOD_CODE

runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})
BROKEN = "def f(x:\n    return x\n"


def _tree(root: Path) -> None:
    """A project: two modules in a package, one broken; a test file; files in paths that must be skipped."""
    (root / "pkg" / "sub").mkdir(parents=True)
    (root / "pkg" / "good.py").write_text(GOOD_CODE)
    (root / "pkg" / "sub" / "bad.py").write_text(BROKEN)
    (root / "pkg" / "test_good.py").write_text("from good import factorial\n")
    for skipped in (".venv/lib/x.py", "build/lib/y.py", "pkg/__pycache__/z.py", "generated/gen.py"):
        (root / skipped).parent.mkdir(parents=True, exist_ok=True)
        (root / skipped).write_text(BROKEN)


def test_a_directory_is_checked_recursively_minus_excluded_paths(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.codeagent]\nextend_exclude = ["generated"]\n')
    result = runner.invoke(app, ["check", str(tmp_path), "--no-execution"])
    assert result.exit_code == 1, result.output
    checked = re.findall(r"^(\S+\.py): (?:passed|not good enough)", result.stdout, re.MULTILINE)
    assert [Path(p).relative_to(tmp_path).as_posix() for p in checked] == ["pkg/good.py", "pkg/sub/bad.py"]
    assert "syntax.error" in result.stdout
    for skipped in (".venv", "build", "__pycache__", "generated", "test_good.py"):
        assert skipped not in result.stdout


def test_exclude_replaces_the_defaults(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.codeagent]\nexclude = ["pkg"]\n')
    result = runner.invoke(app, ["check", str(tmp_path), "--no-execution"])
    names = {
        Path(p).relative_to(tmp_path).as_posix() for p in re.findall(r"^(\S+\.py):", result.stdout, re.M)
    }
    assert names == {".venv/lib/x.py", "build/lib/y.py", "generated/gen.py"}


def test_several_files_end_with_one_summary_line(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.codeagent]\nextend_exclude = ["generated"]\n')
    result = runner.invoke(app, ["check", str(tmp_path / "pkg"), "--no-execution"])
    last = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(
        r"Found 1 critical finding and \d+ warnings? in 1 of 2 files; 1 passed, 1 not good enough\.", last
    ), last


def test_several_files_go_through_the_bulk_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path)
    calls: list[int] = []
    real = bulk.check_many

    def counting(pairs, **kwargs):  # type: ignore[no-untyped-def]
        pairs = list(pairs)
        calls.append(len(pairs))
        return real(pairs, **kwargs)

    monkeypatch.setattr(bulk, "check_many", counting)
    result = runner.invoke(app, ["check", str(tmp_path / "pkg"), "--no-execution"])
    assert result.exit_code == 1
    assert calls == [2]  # one batch of both files, not a loop of single checks


def test_stdin_is_read_with_a_dash(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", "-", "--no-execution"], input=BROKEN)
    assert result.exit_code == 1
    assert "stdin:1:" in result.stdout and "syntax.error" in result.stdout


def test_stdin_that_is_not_utf8_is_a_usage_error() -> None:
    result = runner.invoke(app, ["check", "-"], input=b"x = '\xe9'\n")
    assert result.exit_code == 2 and "stdin: is not valid UTF-8" in result.output


def test_stdin_as_sarif_for_ci(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", "-", "--no-execution", "-f", "json"], input=GOOD_CODE)
    assert result.exit_code == 0 and json.loads(result.stdout)["passed"] is True


def test_run_format_json_puts_only_the_result_on_stdout(tmp_path: Path) -> None:
    with FakeProvider("openai") as fake:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "burr_codeagent",
                *fake.run_args(),
                "--no-execution",
                "--format",
                "json",
                "--output-dir",
                str(tmp_path / "reports"),
            ],
            capture_output=True,
            text=True,
            env=_env(tmp_path),
            cwd=tmp_path,
            timeout=300,
            check=False,
        )
    data = json.loads(done.stdout)  # nothing else on stdout
    assert data["passed"] is True and data["attempts"] and data["report_paths"]
    assert "PASSED" in done.stderr  # the progress and summary went to stderr


def _env(tmp_path: Path) -> dict[str, str]:
    import os

    return {**os.environ, "HOME": str(tmp_path), "CODEAGENT_STORAGE_DIR": str(tmp_path / "burr")}


@pytest.mark.parametrize(
    "argv", [["--help"], ["run", "--help"], ["check", "--help"], ["eval", "humaneval", "-h"]]
)
def test_help_shows_no_bool_type_after_any_flag(argv: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "burr_codeagent", *argv],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "COLUMNS": "200", "NO_COLOR": "1"},
        timeout=60,
        check=True,
    )
    flags = [
        line
        for line in done.stdout.splitlines()
        if re.search(r"--(help|install-completion|find-tests|quiet)", line)
    ]
    assert flags and not any("<bool>" in line for line in flags), flags
    assert "<bool>" not in done.stdout


def test_the_example_renderer_plugin_works_from_the_installed_command_line() -> None:
    plugin = Path(__file__).resolve().parents[1] / "examples" / "plugins" / "csv_renderer.py"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "burr_codeagent",
            "--plugin",
            str(plugin),
            "check",
            "-",
            "--no-execution",
            "-f",
            "csv",
        ],
        input=BROKEN,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("file,") and any("syntax.error" in line for line in lines[1:])
