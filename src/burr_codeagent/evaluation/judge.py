"""Judging a solution with a HumanEval problem's own tests, in the sandbox, without pytest.

The dataset's tests are a ``check(candidate)`` function. The sandboxed command imports the solution as module
``solution``, runs the test code in the solution's namespace (HumanEval tests may use the prompt's imports), calls
``check(<entry point>)`` and only then writes a verdict file whose name is an unguessable nonce. No verdict file
(an early ``os._exit(0)``, a crash, a timeout) is a failure. Each solution gets a fresh sandbox (its own work dir,
namespaces and limits), like every test run of this library; skipping pytest's start-up is what makes bulk judging
fast (see ``bench/humaneval_check.py``).
"""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass
from functools import cache

from ..sandbox import Sandbox, workdir
from .dataset import Problem

__all__ = ["RUNNER", "Verdict", "judge"]

RUNNER = """\
import sys

sys.path[1:1] = IMPORT_PATH


def _judge():
    nonce = sys.argv.pop(1)  # out of argv before any solution code runs
    import solution

    namespace = dict(vars(solution))
    with open("humaneval_test.py", encoding="utf-8") as handle:
        exec(compile(handle.read(), "humaneval_test.py", "exec"), namespace)
    namespace["check"](namespace[sys.argv[1]])
    with open(".verdict-" + nonce, "w") as handle:
        handle.write(nonce)


_judge()
"""


@cache
def _runner() -> str:
    """:data:`RUNNER` with this interpreter's import path spelled out.

    The judge starts Python with ``-E -s -S``: no ``site`` and no ``.pth`` files to run (about a third of a bare
    judge's CPU time where a ``.pth`` imports something), the solution still finding every installed package and
    every directory a ``.pth`` added. Packages that an import hook in a ``.pth`` provides are not importable.
    """
    path = [entry for entry in sys.path if entry and os.path.isabs(entry) and os.path.isdir(entry)]
    return RUNNER.replace("IMPORT_PATH", repr(path), 1)


@dataclass(frozen=True)
class Verdict:
    """Whether a solution passed its problem's tests, and if not, what the run said.

    ``unverified``: the sandbox could not start (twice), so the solution was neither passed nor failed.
    """

    passed: bool
    detail: str = ""
    seconds: float = 0.0
    unverified: bool = False


def judge(problem: Problem, code: str, sandbox: Sandbox, timeout: float = 10.0) -> Verdict:
    """Run ``problem``'s tests against ``code`` in a fresh sandbox; a sandbox that could not start, or a run the
    machine starved of CPU, is retried once, then the verdict is ``unverified``."""
    verdict = _judge_once(problem, code, sandbox, timeout)
    if verdict.unverified:
        verdict = _judge_once(problem, code, sandbox, timeout)
    return verdict


def _judge_once(problem: Problem, code: str, sandbox: Sandbox, timeout: float) -> Verdict:
    nonce = secrets.token_hex(16)
    with workdir() as host:
        (host / "solution.py").write_text(code, encoding="utf-8")
        (host / "humaneval_test.py").write_text(problem.test, encoding="utf-8")
        (host / "_judge.py").write_text(_runner(), encoding="utf-8")
        run = sandbox.run(
            [sys.executable, "-E", "-s", "-S", "_judge.py", nonce, problem.entry_point], host, timeout=timeout
        )
        verdict = host / f".verdict-{nonce}"
        try:
            passed = verdict.read_text(encoding="utf-8") == nonce and run.returncode == 0
        except (OSError, UnicodeDecodeError):
            passed = False
    if passed:
        return Verdict(True, seconds=run.seconds)
    if run.launcher_failed:
        return Verdict(False, f"the sandbox could not start: {run.output.strip()[-300:]}", run.seconds, True)
    if run.starved is not None:  # killed at the deadline while the machine, not the code, held it back
        detail = f"starved: {run.starved.cpu:.1f} s of CPU in {run.seconds:.1f} s"
        return Verdict(False, detail, run.seconds, True)
    if run.timed_out:
        return Verdict(False, f"timed out after {timeout:g}s", run.seconds)
    tail = run.output.strip().splitlines()[-3:]
    return Verdict(False, " | ".join(tail) or f"exit status {run.returncode}", run.seconds)
