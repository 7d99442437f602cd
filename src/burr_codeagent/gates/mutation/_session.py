"""One sandboxed pytest session that tests every mutant (see :mod:`._pytest_plugin`) and its parsed verdicts.

It is a session of its own, not an extension of the ``execution`` gate's run: it needs its own time budget (a
minute, not the tests' ten seconds) and its own ``--tb`` setting, and it runs only once the tests are known to pass.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from ...sandbox import PytestResult, PytestRun, Sandbox, run_pytest
from ._mutants import Mutant

__all__ = ["MutationRun", "Verdict", "run_mutants"]

PLUGIN_MODULE = "_codeagent_mutation"
SPEC_FILE = ".codeagent-mutants.json"
RESULTS_FILE = ".codeagent-mutation.jsonl"
DEFAULT_FACTOR = 10.0
DEFAULT_MARGIN = 0.2
_STARTUP_RESERVE = 3.0  # seconds of the session's time limit kept for pytest's start-up and shutdown

Verdict = Literal["killed", "timeout", "survived", "unpatchable", "not_run"]
_VERDICTS = frozenset({"killed", "timeout", "survived", "unpatchable", "not_run"})


@dataclass(frozen=True)
class MutationRun:
    """What the session found: the baseline, a verdict per mutant id, and the pytest run itself."""

    baseline_passed: bool
    verdicts: dict[int, Verdict]
    killers: dict[int, str] = field(default_factory=dict)
    """The test that killed each killed mutant."""
    reached: dict[int, int] = field(default_factory=dict)
    """How many tests reach each mutant's function."""
    result: PytestResult | None = None
    finished: bool = True

    def count(self, *verdicts: Verdict) -> int:
        """How many mutants got one of ``verdicts``."""
        return sum(1 for v in self.verdicts.values() if v in verdicts)


@cache
def _plugin_source() -> str:
    return Path(__file__).with_name("_pytest_plugin.py").read_text(encoding="utf-8")


def run_mutants(
    code: str,
    test_code: str,
    mutants: Sequence[Mutant],
    sandbox: Sandbox,
    *,
    timeout: float = 60.0,
    factor: float = DEFAULT_FACTOR,
    margin: float = DEFAULT_MARGIN,
    module: str = "solution",
) -> MutationRun:
    """Run the baseline and every mutant in one pytest session inside ``sandbox``."""
    spec_data = {
        "module": module,
        "factor": factor,
        "margin": margin,
        "budget": max(1.0, timeout - _STARTUP_RESERVE),
        "mutants": [
            {"id": m.id, "unit": m.unit, "first_line": m.first_line, "source": m.source} for m in mutants
        ],
    }
    spec = PytestRun(
        code=code,
        test_code=test_code,
        module=module,
        plugins=(PLUGIN_MODULE,),
        files={f"{PLUGIN_MODULE}.py": _plugin_source(), SPEC_FILE: json.dumps(spec_data)},
        collect=(RESULTS_FILE,),
        args=("--tb=line",),
        env={"CODEAGENT_MUTANTS": SPEC_FILE, "CODEAGENT_MUTATION_RESULTS": RESULTS_FILE},
        timeout=timeout,
    )
    result = run_pytest(spec, sandbox)
    return _parse(result.files.get(RESULTS_FILE, b""), [m.id for m in mutants], result)


def _parse(raw: bytes, ids: list[int], result: PytestResult) -> MutationRun:
    """Read the results file defensively: it was written next to untrusted code."""
    verdicts: dict[int, Verdict] = {}
    killers: dict[int, str] = {}
    reached: dict[int, int] = {}
    baseline = finished = False
    known = set(ids)
    for line in raw.decode("utf-8", "replace").splitlines():
        try:
            record = json.loads(line)
            kind = record["kind"]
        except (ValueError, KeyError, TypeError):
            continue
        if kind == "baseline":
            baseline = record.get("passed") is True
        elif kind == "done":
            finished = True
        elif kind == "mutant" and record.get("id") in known and record.get("status") in _VERDICTS:
            verdicts[record["id"]] = record["status"]
            if isinstance(record.get("test"), str):
                killers[record["id"]] = record["test"]
            if isinstance(record.get("tests"), int):
                reached[record["id"]] = record["tests"]
    if finished:  # a complete session also wrote pytest's report, which must agree
        baseline = baseline and result.outcome.succeeded
    if baseline and not finished:
        # The session was cut short: the mutant it was testing ran past every limit (killed, as a timeout).
        pending = [i for i in ids if i not in verdicts]
        if pending:
            verdicts[pending[0]] = "timeout"
        for i in pending[1:]:
            verdicts[i] = "not_run"
    return MutationRun(baseline, verdicts, killers, reached, result, finished)
