"""The GitHub Action's step: ``python -m burr_codeagent.integrations.github_action``.

``action.yml`` installs the package and runs this module with the action's inputs as ``INPUT_*`` variables. It runs
``codeagent check`` (the same command, exit codes and messages as on a laptop) over the Python files under the given
paths, writes SARIF for ``github/codeql-action/upload-sarif`` within GitHub's limits, prints annotations, appends a
Markdown summary to ``$GITHUB_STEP_SUMMARY`` and sets the outputs ``sarif-file``, ``exit-code``, ``passed`` and
``findings`` in ``$GITHUB_OUTPUT``.

Exit status: check's own code (0 passed, 1 not good enough, 2 usage or configuration error), except that
``fail-on-findings: false`` turns 1 into 0.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .github_reporting import fit_github_limits, step_summary, workflow_commands
from .tests_finder import looks_like_tests

__all__ = ["ActionInputs", "collect_python_files", "main", "run"]

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
_SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "site-packages", "build", "dist"})


@dataclass(frozen=True)
class ActionInputs:
    """The action's inputs (see ``action.yml``)."""

    paths: list[str]
    gates: list[str]
    warning_threshold: int | None
    execution: bool
    find_tests: bool
    fail_on_findings: bool
    sarif_file: Path
    category: str

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> ActionInputs:
        """Read ``INPUT_*`` variables; a malformed value raises ``ValueError`` naming the input."""

        def get(name: str, default: str = "") -> str:
            return env.get(f"INPUT_{name}", "").strip() or default

        def flag(name: str, default: str) -> bool:
            value = get(name, default).lower()
            if value not in ("true", "false"):
                raise ValueError(
                    f"input {name.lower().replace('_', '-')} must be true or false, not {value!r}"
                )
            return value == "true"

        threshold = get("WARNING_THRESHOLD")
        if threshold and not threshold.isdigit():
            raise ValueError(f"input warning-threshold must be a whole number, not {threshold!r}")
        return cls(
            paths=get("PATHS", ".").split(),
            gates=[g.strip() for g in get("GATES").replace("\n", ",").split(",") if g.strip()],
            warning_threshold=int(threshold) if threshold else None,
            execution=flag("EXECUTION", "false"),
            find_tests=flag("FIND_TESTS", "true"),
            fail_on_findings=flag("FAIL_ON_FINDINGS", "true"),
            sarif_file=Path(get("SARIF_FILE", "codeagent.sarif")),
            category=get("CATEGORY", "burr-codeagent"),
        )


def collect_python_files(paths: Sequence[str], root: Path) -> list[Path]:
    """The ``.py`` files named or under the named directories, relative to ``root``, without hidden or virtualenv
    directories and (they are found for their modules) without test files."""
    found: dict[Path, None] = {}
    for name in paths:
        path = (root / name).resolve()
        if path.is_file():
            candidates = [path] if path.suffix == ".py" else []
        elif path.is_dir():
            candidates = sorted(path.rglob("*.py"))
        else:
            raise ValueError(f"input paths: {name!r} does not exist under {root}")
        for candidate in candidates:
            relative = (
                candidate.relative_to(root.resolve())
                if candidate.is_relative_to(root.resolve())
                else candidate
            )
            parts = relative.parts[:-1]
            if any(p.startswith(".") or p in _SKIPPED_DIRS or p.endswith("venv") for p in parts):
                continue
            if candidate != path and looks_like_tests(candidate):
                continue
            found[relative] = None
    return list(found)


def check_command(inputs: ActionInputs, files: Sequence[Path]) -> list[str]:
    """The ``codeagent check`` command line for ``files``."""
    argv = [sys.executable, "-m", "burr_codeagent", "check", *map(str, files)]
    argv += ["--format", "sarif", "--output", str(inputs.sarif_file)]
    if not inputs.execution:
        argv.append("--no-execution")
    if inputs.find_tests:
        argv.append("--find-tests")
    if inputs.warning_threshold is not None:
        argv += ["--warning-threshold", str(inputs.warning_threshold)]
    return argv


def _write_github_file(variable: str, text: str, env: Mapping[str, str]) -> None:
    target = env.get(variable)
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(text)


def run(env: Mapping[str, str], root: Path) -> int:
    """Run the step in ``root`` with the variables ``env``; returns the exit status."""
    try:
        inputs = ActionInputs.from_environment(env)
        files = collect_python_files(inputs.paths, root)
    except ValueError as exc:
        print(f"::error::{exc}", flush=True)
        return EXIT_USAGE
    if not files:
        print(f"::notice::no Python files under {' '.join(inputs.paths)}; nothing to check", flush=True)
        _write_github_file("GITHUB_OUTPUT", "exit-code=0\npassed=true\nfindings=0\n", env)
        return EXIT_PASSED
    child_env = dict(env)
    if inputs.gates:
        child_env["CODEAGENT_GATES__ENABLE"] = json.dumps(inputs.gates)
    sarif_path = root / inputs.sarif_file
    sarif_path.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        check_command(inputs, files), cwd=root, env=child_env, capture_output=True, text=True
    )
    if done.returncode not in (EXIT_PASSED, EXIT_FAILED) or not sarif_path.is_file():
        message = (done.stderr or done.stdout).strip() or f"codeagent check exited with {done.returncode}"
        print(f"::error title=codeagent check::{message.replace(chr(10), '%0A')}", flush=True)
        _write_github_file("GITHUB_OUTPUT", f"exit-code={done.returncode}\npassed=false\n", env)
        return done.returncode or EXIT_USAGE
    log = fit_github_limits(json.loads(sarif_path.read_text(encoding="utf-8")), inputs.category)
    sarif_path.write_text(json.dumps(log, indent=1) + "\n", encoding="utf-8")
    for line in workflow_commands(log):
        print(line, flush=True)
    passed = done.returncode == EXIT_PASSED
    findings = sum(len(r["results"]) for r in log["runs"])
    _write_github_file(
        "GITHUB_STEP_SUMMARY",
        step_summary(log, passed=passed, exit_code=done.returncode, files=len(files)),
        env,
    )
    _write_github_file(
        "GITHUB_OUTPUT",
        f"sarif-file={inputs.sarif_file}\nexit-code={done.returncode}\n"
        f"passed={'true' if passed else 'false'}\nfindings={findings}\n",
        env,
    )
    if passed or not inputs.fail_on_findings:
        return EXIT_PASSED
    return EXIT_FAILED


def main() -> None:
    """Entry point: run in ``$GITHUB_WORKSPACE`` (default: the working directory) and exit with the status."""
    root = Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd())
    sys.exit(run(os.environ, root))


if __name__ == "__main__":
    main()
