"""One sandboxed pytest session that tests every mutant (see :mod:`._pytest_plugin`) and its parsed verdicts.

It is a session of its own, not an extension of the ``execution`` gate's run: it needs its own time limit (the
gate's budget, not the tests' ten seconds) and its own ``--tb`` setting, and it runs only once the tests are known
to pass. Its baseline -- which test reaches which function, and how long it takes -- comes from the execution
gate's run when that run measured it (:mod:`._reach`); otherwise the session runs the tests once first.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ._mutants import Mutant
from ._reach import Reach

if TYPE_CHECKING:
    from ...sandbox import PytestResult, RunExtension, Sandbox

__all__ = ["STARTUP_RESERVE", "MutationRun", "Verdict", "read_session", "run_mutants", "session_extension"]

PLUGIN_MODULE = "_codeagent_mutation"
SPEC_FILE = ".codeagent-mutants.json"
RESULTS_FILE = ".codeagent-mutation.jsonl"
DEFAULT_FACTOR = 10.0
DEFAULT_MARGIN = 0.2
STARTUP_RESERVE = 3.0
"""Seconds of the session's time limit kept for pytest's start-up and shutdown."""

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
    timed_out: bool = False
    """The session ran past its time limit and was killed."""

    def count(self, *verdicts: Verdict) -> int:
        """How many mutants got one of ``verdicts``."""
        return sum(1 for v in self.verdicts.values() if v in verdicts)


@cache
def _plugin_source() -> str:
    return Path(__file__).with_name("_pytest_plugin.py").read_text(encoding="utf-8")


def session_extension(
    mutants: Sequence[Mutant],
    *,
    timeout: float = 60.0,
    factor: float = DEFAULT_FACTOR,
    margin: float = DEFAULT_MARGIN,
    module: str = "solution",
    reach: Reach | None = None,
) -> RunExtension:
    """The mutation plugin and its spec, to add to a pytest run of ``module``'s tests that lasts ``timeout``.

    With ``reach`` (the execution gate's baseline) the session runs no baseline of its own.
    """
    from ...sandbox import RunExtension

    spec_data: dict[str, object] = {
        "module": module,
        "factor": factor,
        "margin": margin,
        "budget": max(1.0, timeout - STARTUP_RESERVE),
        "mutants": [
            {"id": m.id, "unit": m.unit, "first_line": m.first_line, "source": m.source} for m in mutants
        ],
    }
    if reach is not None:
        spec_data["reach"] = reach.as_spec()
    return RunExtension(
        plugins=(PLUGIN_MODULE,),
        files={f"{PLUGIN_MODULE}.py": _plugin_source(), SPEC_FILE: json.dumps(spec_data)},
        collect=(RESULTS_FILE,),
        env={"CODEAGENT_MUTANTS": SPEC_FILE, "CODEAGENT_MUTATION_RESULTS": RESULTS_FILE},
    )


def run_mutants(
    code: str,
    test_code: str,
    mutants: Sequence[Mutant],
    sandbox: Sandbox,
    *,
    timeout: float = 60.0,
    factor: float = DEFAULT_FACTOR,
    margin: float = DEFAULT_MARGIN,
    reach: Reach | None = None,
) -> MutationRun:
    """Test ``mutants`` of ``code`` in one pytest session inside ``sandbox`` (outside a gate: benchmarks)."""
    from ...sandbox import PytestRun, run_pytest

    extension = session_extension(mutants, timeout=timeout, factor=factor, margin=margin, reach=reach)
    spec = PytestRun(code=code, test_code=test_code, args=("--tb=line",), timeout=timeout).extended(extension)
    return read_session(run_pytest(spec, sandbox), [m.id for m in mutants], derived=reach is not None)


def read_session(result: PytestResult, ids: list[int], *, derived: bool = False) -> MutationRun:
    """The verdicts of a session run with :func:`session_extension` (``derived``: it had the reach)."""
    return _parse(result.files.get(RESULTS_FILE, b""), ids, result, derived)


def _parse(raw: bytes, ids: list[int], result: PytestResult, derived: bool = False) -> MutationRun:
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
        # With a derived baseline no test runs outside the mutants, so the report only has to be trustworthy.
        baseline = baseline and (result.problem is None if derived else result.outcome.succeeded)
    timed_out = result.run.timed_out
    if baseline and not finished:
        # The session was cut short: the mutant it was testing ran past every limit (killed, as a timeout).
        pending = [i for i in ids if i not in verdicts]
        if pending:
            verdicts[pending[0]] = "timeout"
        for i in pending[1:]:
            verdicts[i] = "not_run"
    return MutationRun(baseline, verdicts, killers, reached, result, finished, timed_out)
