"""What ``improve`` costs on code that already passes: the check it runs first, next to what a user would run instead.

For a module that passes (with its tests, inside a small src-layout project), in the same run, medians over several
runs of:

1. ``codeagent check src/pkg/mod.py --tests tests/test_mod.py`` (the gates, the tests in the sandbox), and the same
   through ``check()`` in-process;
2. ``CodeAgent.improve`` on the same files through the API (the Burr graph started at ``code_checker``: the same
   check plus the graph, the state and the reports; no model call: the backend fails if it is asked);
3. plain ``pytest tests/`` on the project (what runs the tests without any gate or sandbox).

Usage::

    python bench/improve.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NoReturn

from burr_codeagent import AgentConfig, CodeAgent, check
from burr_codeagent.backends.base import Generation, GenerationRequest, LLMBackend, M
from burr_codeagent.module_under_test import ModuleUnderTest

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
TESTS = "from pkg.mod import quadruple\n\n\ndef test_quadruple() -> None:\n    assert quadruple(3) == 12\n"


class NoModel(LLMBackend):
    """Fails if asked: ``improve`` of passing code must not call the model."""

    name = "no-model"
    model = "none"

    def generate(self, request: GenerationRequest[M]) -> NoReturn:
        raise AssertionError("improve asked the model about code that passes")

    async def agenerate(self, request: GenerationRequest[M]) -> Generation[M]:
        self.generate(request)


def project(root: Path) -> Path:
    (root / "pyproject.toml").write_text('[project]\nname = "pkg"\nversion = "0"\n')
    package = root / "src" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""A package."""\n')
    (package / "helpers.py").write_text(HELPERS)
    (package / "mod.py").write_text(MOD)
    (root / "tests").mkdir()
    (root / "tests" / "test_mod.py").write_text(TESTS)
    root.chmod(0o755)
    return package / "mod.py"


def timed(action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        module = project(root)
        tests = root / "tests" / "test_mod.py"
        config = AgentConfig(output_dir=root / "reports", tracking=False, report_formats=["json"])
        agent = CodeAgent(config, backend=NoModel())

        def check_cli() -> None:
            done = subprocess.run(
                [sys.executable, "-m", "burr_codeagent", "check", str(module), "--tests", str(tests)],
                capture_output=True,
                check=False,
            )
            assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()

        seen = [0]

        def improve_api() -> None:
            seen[0] += 1  # a different text each run: a real check, not the checker's report cache
            code = module.read_text() + f"\n# run {seen[0]}\n"
            result = agent.improve(code, tests.read_text(), module_name=ModuleUnderTest.of_file(module))
            assert result.passed and result.metrics.api_calls == 0

        def check_api() -> None:
            seen[0] += 1
            code = module.read_text() + f"\n# run {seen[0]}\n"
            report = check(code, tests.read_text(), config=config, module=ModuleUnderTest.of_file(module))
            assert report.passed

        def plain_pytest() -> None:
            done = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                cwd=root,
                capture_output=True,
                env={
                    "PYTHONPATH": str(root / "src"),
                    "PATH": "/usr/bin:/bin",
                    "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
                },
                check=False,
            )
            assert done.returncode == 0, done.stdout.decode()

        figures: dict[str, list[float]] = {
            "codeagent check (CLI)": [],
            "check() (API)": [],
            "CodeAgent.improve": [],
            "pytest": [],
        }
        for _ in range(runs):  # interleaved, so load changes hit all three alike
            figures["codeagent check (CLI)"].append(timed(check_cli))
            figures["check() (API)"].append(timed(check_api))
            figures["CodeAgent.improve"].append(timed(improve_api))
            figures["pytest"].append(timed(plain_pytest))
    print(f"passing module in a src-layout project, {runs} runs each, median seconds (model calls: 0)")
    for name, values in figures.items():
        print(
            f"  {name:<24} {statistics.median(values):6.2f}   (min {min(values):.2f}, max {max(values):.2f})"
        )


if __name__ == "__main__":
    main()
