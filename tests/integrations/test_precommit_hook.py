"""The pre-commit hooks in ``.pre-commit-hooks.yaml``, run by pre-commit itself on a throwaway repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import GOOD_CODE, GOOD_TESTS

REPO = Path(__file__).resolve().parents[2]
# Read before the autouse fixture points HOME at a temporary directory: pip's cache makes the hook's install fast.
PIP_CACHE = os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")
CLEAN = '"""Addition."""\n\n\ndef add(a: int, b: int) -> int:\n    """Return a + b."""\n    return a + b\n'
FAILING = "def run(expression):\n    return eval(expression)\n"

pytestmark = pytest.mark.skipif(
    not (REPO / ".git").exists(),
    reason="pre-commit installs hooks from a git repository; this is no checkout",
)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def throwaway_repository(path: Path, files: dict[str, str]) -> Path:
    path.mkdir()
    git(path, "init", "-q")
    git(path, "config", "user.email", "dev@example.com")
    git(path, "config", "user.name", "dev")
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    git(path, "add", ".")
    return path


def pre_commit(cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(home),
        "PIP_CACHE_DIR": PIP_CACHE,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "CODEAGENT_PLUGINS": "",
    }
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
    )


@pytest.mark.slow
def test_try_repo_installs_the_hook_and_fails_only_on_the_failing_file(tmp_path: Path) -> None:
    repo = throwaway_repository(
        tmp_path / "project", {"clean.py": CLEAN, "failing.py": FAILING, "test_clean.py": "import clean\n"}
    )
    home = tmp_path / "pre-commit-home"
    both = pre_commit(repo, home, "try-repo", str(REPO), "codeagent-check", "--all-files")
    assert both.returncode == 1, both.stdout + both.stderr
    assert "failing.py:2:12: security.injection [critical]" in both.stdout
    assert "failing.py: not good enough: 1 critical" in both.stdout
    assert "clean.py: passed" in both.stdout
    assert "test_clean.py" not in both.stdout, "test files are excluded: they are found for their modules"
    assert "skipped: " in both.stdout and "execution" in both.stdout.split("skipped: ")[1]

    clean = pre_commit(repo, home, "try-repo", str(REPO), "codeagent-check", "--files", "clean.py")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "codeagent check" in clean.stdout and "Passed" in clean.stdout


@pytest.mark.slow
def test_hook_options_from_a_pre_commit_config(tmp_path: Path) -> None:
    rev = git(REPO, "rev-parse", "HEAD").strip()
    config = (
        f"repos:\n  - repo: {REPO}\n    rev: {rev}\n    hooks:\n      - id: codeagent-check-system\n"
        "        args: [--find-tests, --warning-threshold, '0']\n"
    )
    maths_tests = GOOD_TESTS.replace("from solution import", "from maths import")
    repo = throwaway_repository(
        tmp_path / "project",
        {
            ".pre-commit-config.yaml": config,
            "maths.py": GOOD_CODE,
            "tests/test_maths.py": maths_tests,
            "undocumented.py": '"""Module."""\n\n\ndef double(x: int) -> int:\n    return 2 * x\n',
        },
    )
    home = tmp_path / "pre-commit-home"
    run = pre_commit(repo, home, "run", "--all-files")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "maths.py: passed: 0 critical, 0 warnings (threshold 0)" in run.stdout
    assert "tests 2 passed / 0 failed" in run.stdout
    assert "undocumented.py: not good enough: 0 critical, 1 warning (threshold 0)" in run.stdout
