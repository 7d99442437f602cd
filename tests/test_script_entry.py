"""The ``codeagent`` console script, run as pip writes it from ``[project.scripts]``: the same output and exit codes
as the command line, and no collector pass while the command line is imported (the entry point holds automatic
collection off before importing it, and the command's own work runs with the collector on)."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CODE = '"""Add."""\n\n\ndef add(a: int, b: int) -> int:\n    """The sum."""\n    return a + b\n'


def entry_point() -> tuple[str, str]:
    """The module and function ``[project.scripts]`` names for ``codeagent``."""
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    module, function = scripts["codeagent"].split(":")
    return module, function


def console_script(before: str = "") -> str:
    """The script pip installs for the entry point (``before``: lines run first)."""
    module, function = entry_point()
    return (
        f"import sys\n{before}from {module} import {function}\nif __name__ == '__main__':\n"
        f"    sys.argv[0] = sys.argv[0].removesuffix('.exe')\n    sys.exit({function}())\n"
    )


def run_script(tmp_path: Path, script: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "codeagent"
    path.write_text(script, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(path), *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        check=False,
    )


@pytest.mark.parametrize(
    ("code", "exit_code", "shown"),
    [
        (CODE, 0, "sample.py: passed: 0 critical, 0 warnings"),
        ("def add(a, b:\n", 1, "sample.py: not good enough: 1 critical"),
    ],
    ids=["passes", "fails"],
)
def test_the_script_checks_a_file(tmp_path: Path, code: str, exit_code: int, shown: str) -> None:
    (tmp_path / "sample.py").write_text(code, encoding="utf-8")
    completed = run_script(tmp_path, console_script(), "check", "--no-execution", "sample.py")
    assert completed.returncode == exit_code, completed.stderr[-2000:]
    assert shown in completed.stdout


def test_the_script_reports_a_usage_error(tmp_path: Path) -> None:
    completed = run_script(tmp_path, console_script(), "check", "missing.py")
    assert completed.returncode == 2
    assert "error:" in completed.stderr and "missing.py" in completed.stderr


def test_the_script_prints_its_version(tmp_path: Path) -> None:
    completed = run_script(tmp_path, console_script(), "--version")
    assert completed.returncode == 0
    assert completed.stdout.startswith("codeagent (burr-codeagent) ")


# The package's own import (typing, re: what any entry point inside it pays first) and the entry module's (compiled
# from source where no byte-code is cached, PYTHONDONTWRITEBYTECODE) are done before counting starts.
PROBE = """\
import atexit, gc
import burr_codeagent, burr_codeagent.entry_point
collections = []
gc.callbacks.append(lambda phase, info: collections.append(gc.get_freeze_count()) if phase == "start" else None)
def probe():
    seen = {"while_starting": sum(1 for frozen in collections if frozen == 0), "exit_enabled": gc.isenabled()}
    sys.stderr.write(f"\\nPROBE {seen!r}\\n")
atexit.register(probe)
"""


def test_no_collection_while_the_command_line_loads_and_the_collector_is_on_after(tmp_path: Path) -> None:
    (tmp_path / "sample.py").write_text(CODE, encoding="utf-8")
    completed = run_script(tmp_path, console_script(PROBE), "check", "--no-execution", "sample.py")
    assert completed.returncode == 0, completed.stderr[-2000:]
    seen = ast.literal_eval(completed.stderr.rsplit("PROBE ", 1)[1].strip())
    # `check` freezes what the start-up built just before its checks: every pass before that is a start-up pass.
    assert seen == {"while_starting": 0, "exit_enabled": True}
