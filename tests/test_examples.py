"""The runnable examples run (with --demo they replay canned answers: no model is involved)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run_example(name: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(EXAMPLES)}
    return subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=180)  # fmt: skip


def test_factorial_example_passes_codeagent_check(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "burr_codeagent", "check", str(EXAMPLES / "factorial" / "solution.py"),
         "--tests", str(EXAMPLES / "factorial" / "test_solution.py")],
        capture_output=True, text=True, cwd=tmp_path, timeout=180,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "passed" in proc.stdout


def test_embed_pipeline_demo(tmp_path: Path) -> None:
    proc = run_example("embed_pipeline.py", "--demo", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("PASS") == 2


def test_subgraph_demo_publishes_the_best_attempt(tmp_path: Path) -> None:
    proc = run_example("subgraph.py", "--demo", "--out", "slug.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "def slugify" in (tmp_path / "slug.py").read_text()


def test_custom_renderer_prints_csv(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f(:\n")
    proc = run_example("plugins/csv_renderer.py", str(bad), cwd=tmp_path)
    assert proc.stdout.splitlines()[0] == "file,severity,rule,target,line,column,message"
    assert "syntax.error" in proc.stdout
    assert proc.returncode == 1
