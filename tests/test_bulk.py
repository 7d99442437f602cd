"""``check_many``: many candidates on sandboxed workers; every hostile case stays contained, none sees another."""

from __future__ import annotations

from pathlib import Path

import pytest

from burr_codeagent import AgentConfig, check_many
from burr_codeagent.errors import ConfigurationError
from burr_codeagent.sandbox import resolve_isolation

from .conftest import GOOD_CODE, GOOD_TESTS
from .sandbox.test_hostile import (
    EXIT_AT_IMPORT,
    EXIT_EARLY,
    FORK_BOMB,
    IGNORE_SIGTERM,
    INFINITE_LOOP,
    KILL_PARENT,
    KILL_SELF,
    MEMORY_BOMB,
    SEGFAULT,
    STEAL_SECRETS,
    VANDAL,
    Host,
)

HOSTILE = [
    INFINITE_LOOP,
    IGNORE_SIGTERM,
    MEMORY_BOMB,
    SEGFAULT,
    KILL_SELF,
    KILL_PARENT,
    EXIT_EARLY,
    EXIT_AT_IMPORT,
    STEAL_SECRETS,
    VANDAL,
    FORK_BOMB,
]

# Each snoop leaves a marker in its own work dir, waits while the others run, then looks for the others' markers
# (in /tmp, beside its work dir, anywhere it can list) and for their processes.
SNOOP = """\
import glob, os, time

def test_snoop_{n}():
    open("MINE-{n}", "w").close()
    time.sleep(1.5)
    places = ["/tmp/**/MINE-*", os.path.join(os.path.dirname(os.getcwd()), "*", "MINE-*"), "/**/MINE-*"]
    seen = set()
    for pattern in places:
        try:
            seen.update(os.path.basename(p) for p in glob.glob(pattern, recursive=pattern.startswith("/tmp")))
        except OSError:
            pass
    assert seen <= {{"MINE-{n}"}}, seen
    ancestors, pid = set(), os.getpid()
    while pid >= 1:
        ancestors.add(pid)
        if pid == 1:
            break
        with open(f"/proc/{{pid}}/status") as handle:
            pid = int(next(line for line in handle if line.startswith("PPid:")).split()[1])
    others = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in ancestors:
            try:
                with open(f"/proc/{{entry}}/cmdline", "rb") as handle:
                    if b"pytest" in handle.read():
                        others.append(entry)
            except OSError:
                pass
    assert not others, others
"""


@pytest.fixture
def host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Host:
    return Host(tmp_path, monkeypatch)


def config() -> AgentConfig:
    return AgentConfig(gates={"enable": ["execution"]}, execution_timeout=5.0, sandbox={"memory_mb": 256})


def test_hostile_candidates_fail_contained_while_a_good_one_passes(host: Host) -> None:
    pairs = [(GOOD_CODE, GOOD_TESTS)] + [("", host.fill(program)) for program in HOSTILE]
    reports = check_many(pairs, config=config(), workers=2)
    assert reports[0].passed, reports[0].findings
    # Every hostile candidate fails; one whose sandbox could not start is unverified and says so, never passed.
    for number, report in enumerate(reports[1:], start=1):
        findings = [(f.rule, f.message[:200]) for f in report.findings]
        assert not report.passed, (number, findings)
        unavailable = [f for f in report.findings if f.rule == "execution.unavailable"]
        assert report.verdict == "failed" or (report.verdict == "unverified" and unavailable), (
            number,
            findings,
        )
    assert host.canary.read_text() == "canary: do not touch" and host.doomed.read_text() == "still here"
    for report in reports:
        assert report.tests is not None
        assert "canary-secret" not in report.tests.output


@pytest.mark.skipif(
    resolve_isolation("auto") == "none", reason="needs a namespaced sandbox layer (bwrap/unshare)"
)
def test_candidates_cannot_see_each_others_files_or_processes() -> None:
    pairs = [(GOOD_CODE, SNOOP.format(n=n)) for n in range(4)]
    reports = check_many(pairs, config=config(), workers=2)
    for report in reports:
        assert report.tests is not None and report.tests.passed == 1, report.tests.output


def test_reports_come_back_in_input_order_and_bad_pairs_are_refused() -> None:
    broken = GOOD_CODE.replace("return n * factorial(n - 1)", "return 0")
    reports = check_many([(broken, GOOD_TESTS), (GOOD_CODE, GOOD_TESTS), (GOOD_CODE, None)], config=config())
    assert [r.passed for r in reports[:2]] == [False, True]
    assert reports[2].gates[0].status == "skipped"
    with pytest.raises(ConfigurationError, match="pair 2"):
        check_many([(GOOD_CODE, None), (b"bytes", None)], config=config())  # type: ignore[list-item]
    with pytest.raises(ConfigurationError, match="workers"):
        check_many([], workers=0)
