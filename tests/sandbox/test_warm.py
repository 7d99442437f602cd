"""Warm sandboxed workers: runs forked from an interpreter that imported pytest once, each still in namespaces,
a work dir, ``/tmp`` and a uid of its own; nothing one run does reaches the next."""

from __future__ import annotations

import pytest

from burr_codeagent.sandbox import PytestRun, Sandbox, available, run_pytest
from burr_codeagent.sandbox.layers import is_root

pytestmark = pytest.mark.skipif(
    not (available("bwrap") and is_root()), reason="warm workers need bubblewrap and root"
)

# The first run leaves traces everywhere it can write or change state; the second, on the same worker, looks.
LEAVE = """\
import json, os, sys

def test_leave():
    for path in ("/tmp/leak", "/dev/shm/leak", "leak"):
        with open(path, "w") as handle:
            handle.write(str(os.getuid()))
    json.LEAKED = True
    sys.modules["leaked_module"] = json
    os.environ["LEAKED"] = "1"
    with open("uid.txt", "w") as handle:
        handle.write(str(os.getuid()))
"""
LOOK = """\
import json, os, sys

def test_look():
    assert not any(os.path.exists(p) for p in ("/tmp/leak", "/dev/shm/leak", "leak"))
    assert not hasattr(json, "LEAKED") and "leaked_module" not in sys.modules
    assert "LEAKED" not in os.environ
    assert os.listdir("/proc").count("1") == 1 and len([p for p in os.listdir("/proc") if p.isdigit()]) <= 3
    with open("uid.txt", "w") as handle:
        handle.write(str(os.getuid()))
"""


def test_runs_on_one_warm_worker_share_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEAGENT_SANDBOX_WARM", "1")
    sandbox = Sandbox("bwrap", memory_mb=256)
    first = run_pytest(PytestRun("", LEAVE, timeout=20, collect=("uid.txt",)), sandbox)
    second = run_pytest(PytestRun("", LOOK, timeout=20, collect=("uid.txt",)), sandbox)
    for result in (first, second):
        assert result.run.workdir.parent.name.startswith("codeagent-spool-"), "not run on a warm worker"
        assert result.outcome.succeeded, result.outcome.output
    uids = [r.files["uid.txt"] for r in (first, second)]
    assert uids[0] != uids[1] and b"0" not in uids


def test_warm_workers_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEAGENT_SANDBOX_WARM", "0")
    result = run_pytest(PytestRun("", LOOK, timeout=20), Sandbox("bwrap", memory_mb=256))
    assert result.outcome.succeeded, result.outcome.output
    assert not result.run.workdir.parent.name.startswith("codeagent-spool-")


def test_a_worker_that_cannot_start_sends_the_run_to_a_fresh_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    from burr_codeagent.sandbox import warm

    warm.close_idle_workers()
    monkeypatch.setenv("CODEAGENT_SANDBOX_WARM", "1")
    monkeypatch.setattr(warm, "_zygote_source", lambda: "raise SystemExit(3)")
    result = run_pytest(PytestRun("", LOOK, timeout=20), Sandbox("bwrap", memory_mb=256))
    assert result.outcome.succeeded, result.outcome.output
    assert not result.run.workdir.parent.name.startswith("codeagent-spool-")
    assert not warm._IDLE.get(warm._key(Sandbox("bwrap", memory_mb=256)))  # the broken worker was not kept


# The worker freezes what it imported before forking (a run's session would otherwise copy its pages): a run's
# own objects must still be collected as in any interpreter.
COLLECTS = """\
import gc, weakref

class Node:
    pass

def test_cycles_of_the_run_are_collected():
    assert gc.isenabled()
    node = Node()
    node.self = node
    alive = weakref.ref(node)
    del node
    gc.collect()
    assert alive() is None
"""


def test_a_warm_run_collects_its_own_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEAGENT_SANDBOX_WARM", "1")
    result = run_pytest(PytestRun("", COLLECTS, timeout=20), Sandbox("bwrap", memory_mb=256))
    assert result.run.workdir.parent.name.startswith("codeagent-spool-"), "not run on a warm worker"
    assert result.outcome.succeeded and result.outcome.passed == 1, result.outcome.output
