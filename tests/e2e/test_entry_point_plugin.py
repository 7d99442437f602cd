"""A gate shipped as its own package with an entry point: listed by `codeagent gates`, drives a retry, and is
filtered by CODEAGENT_PLUGINS. The example package is really installed (pip --target) into a temporary directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PLUGIN_SOURCE = REPO / "examples" / "gate-plugin"


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(PLUGIN_SOURCE)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return target


def run(args: list[str], site: Path, plugins: str | None, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CODEAGENT_PLUGINS"}
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    if plugins is not None:
        env["CODEAGENT_PLUGINS"] = plugins
    return subprocess.run(args, capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def test_installed_plugin_is_listed_with_its_source(plugin_site: Path, tmp_path: Path) -> None:
    proc = run(
        [sys.executable, "-m", "burr_codeagent", "gates", "--format", "json"], plugin_site, None, tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    rows = {row["name"]: row for row in json.loads(proc.stdout)}
    assert rows["no_print"]["plugin"] == "codeagent-no-print:no_print"
    assert "no_print.call" in rows["no_print"]["rules"]


@pytest.mark.parametrize(("allowed", "listed"), [("", False), ("no_print", True), ("something_else", False)])
def test_codeagent_plugins_selects_external_plugins(
    plugin_site: Path, tmp_path: Path, allowed: str, listed: bool
) -> None:
    proc = run(
        [sys.executable, "-m", "burr_codeagent", "gates", "--format", "json"], plugin_site, allowed, tmp_path
    )
    names = {row["name"] for row in json.loads(proc.stdout)}
    assert ("no_print" in names) is listed


SCRIPT = """
import json
from burr_codeagent import AgentConfig, CodeAgent, PythonCodeGenerationResponse
from burr_codeagent.backends import ScriptedBackend

clean = '''\\"\\"\\"Greeting.\\"\\"\\"


def greet(name: str) -> str:
    \\"\\"\\"Return a greeting.

    Args:
        name: Who to greet.

    Returns:
        The greeting.
    \\"\\"\\"
    return f"Hello, {name}!"
'''
noisy = clean.replace('    return f"Hello, {name}!"', '    print("greeting", name)\\n    return f"Hello, {name}!"')
tests = "from solution import greet\\n\\n\\ndef test_greet() -> None:\\n    assert greet('Ada') == 'Hello, Ada!'\\n"


def answer(code):
    return PythonCodeGenerationResponse(function_name="greet", code=code, explanation="x", test_code=tests,
                                        usage_examples=["greet('Ada')"])


config = AgentConfig(storage_dir="burr", output_dir="reports", gates={"severity": {"no_print.call": "critical"}})
result = CodeAgent(config, backend=ScriptedBackend([answer(noisy), answer(clean)])).run("Greet someone")
print(json.dumps({"attempts": len(result.attempts), "passed": result.passed,
                  "first": [f.rule for f in result.attempts[0].report.findings]}))
"""


def test_installed_plugin_findings_drive_a_retry(plugin_site: Path, tmp_path: Path) -> None:
    proc = run([sys.executable, "-c", SCRIPT], plugin_site, "no_print", tmp_path)
    assert proc.returncode == 0, proc.stderr
    outcome = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "no_print.call" in outcome["first"]
    assert outcome["attempts"] == 2 and outcome["passed"]
