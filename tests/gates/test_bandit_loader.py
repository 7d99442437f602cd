"""The security gate loads bandit's tests from bandit's own entry points: the same test set as stock bandit, without
stevedore's scan of every installed distribution, bandit's report formatters, its scan manager or its configuration
module (issue 13)."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version

import pytest

from burr_codeagent.gates.security._bandit_loader import BANDIT_NAMESPACES, bandit_entry_points

# Each bandit test set as {check type: ["B602 subprocess_popen_with_shell_equals_true", ...], "blacklisted": [ids of
# the calls and imports its blacklists flag]}, built in a fresh process (bandit builds its extension manager once,
# on first import).
DUMP = (
    "import json\n"
    "def dump(tests):\n"
    "    from bandit.core.extension_loader import MANAGER\n"
    "    found = {kind: sorted(f'{t._test_id} {t.__name__} {getattr(t, \"_config\", None)!r}' for t in ts)"
    " for kind, ts in tests.tests.items()}\n"
    "    found['blacklisted'] = sorted(MANAGER.blacklist_by_id)\n"
    "    print(json.dumps(found))\n"
)
STOCK = DUMP + (
    "from bandit.core import config, test_set\n"
    "dump(test_set.BanditTestSet(config.BanditConfig(), profile={}))\n"
)
OURS = DUMP + (
    "import sys\n"
    "from stevedore import _cache\n"
    "def scan_everything(*args, **kwargs):\n"
    "    raise AssertionError('stevedore read the entry points of every distribution')\n"
    "_cache.get_group_all = scan_everything\n"
    "from burr_codeagent.gates.security import _bandit_adapter\n"
    "dump(_bandit_adapter._test_set())\n"
    "unused = ('bandit.formatters', 'bandit.core.config', 'bandit.core.manager', 'yaml', 'rich.progress')\n"
    "print(json.dumps(sorted(m for m in sys.modules if m.startswith(unused))))\n"
    "import bandit\n"  # what the package's __init__ defines is still there when asked for
    "print(bandit.core.manager.BanditManager.__name__, bandit.__version__, bandit.HIGH, bandit.core.Issue.__name__)\n"
)


def run(script: str) -> list[str]:
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout.splitlines()


@pytest.fixture(scope="module")
def stock() -> dict[str, list[str]]:
    tests: dict[str, list[str]] = json.loads(run(STOCK)[0])
    return tests


def test_the_gate_runs_the_test_set_stock_bandit_builds(stock: dict[str, list[str]]) -> None:
    ours, unused, later = run(OURS)
    assert json.loads(ours) == stock  # the same tests, with the same configuration, for each node type
    assert any(entry.startswith("B001 blacklist") for entry in stock["Call"])
    assert {"B307", "B403"} <= set(stock["blacklisted"])
    assert any(entry.startswith("B602 ") for entry in stock["Call"])
    # No report formatter, nor bandit's scan manager (rich.progress) or configuration (yaml) was imported ...
    assert json.loads(unused) == []
    # ... and bandit's package still answers as bandit's own __init__ made it.
    assert later.split() == ["BanditManager", version("bandit"), "HIGH", "Issue"]


def test_entry_points_come_from_the_bandit_distribution_alone() -> None:
    found = bandit_entry_points()
    assert set(found) == set(BANDIT_NAMESPACES)
    assert {ep.value.split(":")[0].split(".")[1] for eps in found.values() for ep in eps} == {
        "plugins",
        "blacklists",
    }
    assert {ep.name for ep in found["bandit.blacklists"]} == {"calls", "imports"}
