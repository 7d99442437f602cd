"""``codeagent check DIR``: one batch through ``check_many`` versus the former one-file-at-a-time loop, beside ruff.

Run: ``python bench/check_directory.py [--files 12] [--runs 3] [--execution]``.

A project of ``--files`` modules (the factorial example, each with its pytest file when ``--execution``) is
checked three ways, each in a fresh process, and the median wall time over ``--runs`` is printed side by side:

* ``codeagent check DIR``: the directory walk and ``check_many`` (files checked at once, one sandbox each);
* ``serial loop``: the same files checked one after another in one process (``Checker.check`` per file), as
  ``codeagent check a.py b.py ...`` did before;
* ``ruff check DIR``: the linter a user would otherwise run (it runs no tests and far fewer rules).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "factorial"

SERIAL = """
import sys
from pathlib import Path
from burr_codeagent import AgentConfig
from burr_codeagent.checker import Checker
from burr_codeagent.integrations.module_alias import alias_module_imports
from burr_codeagent.plugins import default_manager
execution = sys.argv[2] == "1"
checker = Checker(AgentConfig(tracking=False, enable_code_execution=execution), default_manager())
for path in sorted(Path(sys.argv[1]).rglob("*.py")):
    if path.name.startswith("test_"):
        continue
    tests = path.with_name("test_" + path.name)
    test_code = alias_module_imports(tests.read_text(), path.stem) if execution else None
    checker.check(path.read_text(), test_code)
"""


def project(root: Path, files: int) -> None:
    code = (EXAMPLE / "solution.py").read_text(encoding="utf-8")
    tests = (EXAMPLE / "test_solution.py").read_text(encoding="utf-8")
    for n in range(files):
        package = root / f"pkg{n % 3}"
        package.mkdir(exist_ok=True)
        (package / f"fact{n}.py").write_text(code, encoding="utf-8")
        (package / f"test_fact{n}.py").write_text(tests.replace("solution", f"fact{n}"), encoding="utf-8")


def timed(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=12)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--execution", action="store_true", help="also run each module's tests in the sandbox"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        project(root, args.files)
        flags = ["--find-tests"] if args.execution else ["--no-execution"]
        ways = {
            "codeagent check DIR": [sys.executable, "-m", "burr_codeagent", "check", str(root), *flags],
            "serial loop": [sys.executable, "-c", SERIAL, str(root), "1" if args.execution else "0"],
        }
        ruff = shutil.which("ruff")
        if ruff:
            ways["ruff check DIR"] = [ruff, "check", "--no-cache", str(root)]
        results = {name: [timed(argv, root) for _ in range(args.runs)] for name, argv in ways.items()}
    mode = "with the tests run in the sandbox" if args.execution else "static gates only (--no-execution)"
    print(f"{args.files} modules, {mode}; median of {args.runs} runs, each in a fresh process")
    for name, seconds in results.items():
        median = statistics.median(seconds)
        print(f"  {name:<22} {median:7.2f} s  ({1000 * median / args.files:6.0f} ms per file)")


if __name__ == "__main__":
    main()
