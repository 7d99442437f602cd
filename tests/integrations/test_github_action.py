"""The GitHub Action's step script run locally with the ``GITHUB_*`` variables a runner sets, and ``action.yml``."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from burr_codeagent.integrations.github_action import ActionInputs
from burr_codeagent.integrations.github_reporting import fit_github_limits, workflow_commands

from ..reports.conftest import SARIF_SCHEMA

REPO = Path(__file__).resolve().parents[2]
CLEAN = '"""Addition."""\n\n\ndef add(a: int, b: int) -> int:\n    """Return a + b."""\n    return a + b\n'
FAILING = '"""Runs expressions."""\n\n\ndef run(expression: str) -> object:\n    """Evaluate it."""\n    return eval(expression)\n'


def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "workspace"
    (root / "pkg").mkdir(parents=True)
    (root / ".venv" / "lib").mkdir(parents=True)
    (root / "pkg" / "clean.py").write_text(CLEAN)
    (root / "pkg" / "failing.py").write_text(FAILING)
    (root / ".venv" / "lib" / "vendored.py").write_text(FAILING)
    (root / "pkg" / "test_clean.py").write_text(
        "from clean import add\n\n\ndef test_add() -> None:\n    assert add(1, 2) == 3\n"
    )
    (root / "README.md").write_text("not python\n")
    return root


def run_step(root: Path, tmp_path: Path, **inputs: str) -> tuple[int, str, dict[str, str], str]:
    """Run the action's step as the composite action does; returns (status, log, outputs, summary)."""
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    env = {
        **os.environ,
        "CODEAGENT_PLUGINS": "",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(root),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(output),
        **{f"INPUT_{name.upper()}": value for name, value in inputs.items()},
    }
    done = subprocess.run(
        [sys.executable, "-m", "burr_codeagent.integrations.github_action"],
        cwd=tmp_path,  # the script runs in GITHUB_WORKSPACE whatever the step's directory
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines()) if output.exists() else {}
    return (
        done.returncode,
        done.stdout + done.stderr,
        outputs,
        summary.read_text() if summary.exists() else "",
    )


@pytest.mark.slow
def test_step_writes_sarif_annotations_summary_and_outputs(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    status, log, outputs, summary = run_step(root, tmp_path, paths="pkg .venv README.md", execution="true")
    assert status == 1, log
    assert outputs == {
        "sarif-file": "codeagent.sarif",
        "exit-code": "1",
        "passed": "false",
        "findings": outputs["findings"],
    }

    sarif = json.loads((root / "codeagent.sarif").read_text())
    assert len(sarif["runs"]) == 1
    run = sarif["runs"][0]
    assert run["automationDetails"]["id"] == "burr-codeagent/"
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert "pkg/failing.py" in uris
    assert not any("vendored" in uri or uri.endswith("test_clean.py") for uri in uris)
    assert int(outputs["findings"]) == len(run["results"]) > 0

    assert "::error file=pkg/failing.py,line=6,endLine=6,col=12," in log
    assert "title=security.injection::" in log
    assert "::error" not in log.replace("::error file=pkg/failing.py", ""), (
        "only failing.py has critical findings"
    )

    assert "## burr-codeagent check: :x: not good enough" in summary
    assert "2 file(s) checked: 1 critical" in summary
    assert "| `pkg/failing.py` | 1 |" in summary
    assert "| critical | `security.injection` | `pkg/failing.py:6` |" in summary

    if not SARIF_SCHEMA.is_file():
        pytest.skip(
            f"everything else passed; the SARIF 2.1.0 schema to validate against is not at {SARIF_SCHEMA}"
        )
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text()))


@pytest.mark.slow
def test_findings_do_not_fail_the_job_when_asked_and_usage_errors_always_do(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    status, _, outputs, _ = run_step(root, tmp_path, paths="pkg/failing.py", fail_on_findings="false")
    assert (status, outputs["exit-code"], outputs["passed"]) == (0, "1", "false")

    status, log, _, _ = run_step(root, tmp_path, paths="pkg", warning_threshold="many")
    assert status == 2 and "::error::input warning-threshold must be a whole number" in log

    status, log, outputs, _ = run_step(root, tmp_path, paths="pkg/clean.py", gates="no_such_gate")
    assert status == 2 and outputs["exit-code"] == "2"
    assert "::error title=codeagent check::" in log and "no_such_gate" in log

    status, log, outputs, _ = run_step(root, tmp_path, paths="pkg/clean.py", gates="syntax,security")
    assert (status, outputs["passed"]) == (0, "true"), log


def test_results_fit_githubs_limits_most_severe_first() -> None:
    def result(i: int, level: str) -> dict[str, Any]:
        region = {"startLine": i + 1, "endLine": i + 1}
        location = {"physicalLocation": {"artifactLocation": {"uri": "a.py"}, "region": region}}
        return {
            "ruleId": f"r.{i % 7}",
            "level": level,
            "message": {"text": f"finding {i} " + "x" * 40},
            "locations": [location],
        }

    results = [result(i, "note") for i in range(20_000)] + [result(i, "error") for i in range(10_000)]
    run = {"tool": {"driver": {"name": "burr-codeagent", "rules": []}}, "results": results}
    log = fit_github_limits({"version": "2.1.0", "runs": [run]}, "lint/python")
    kept = log["runs"][0]["results"]
    assert len(kept) == 25_000
    assert all(r["level"] == "error" for r in kept[:10_000])
    assert log["runs"][0]["properties"]["droppedResults"] == 5_000
    assert log["runs"][0]["automationDetails"] == {"id": "lint/python/"}

    small = fit_github_limits(
        {"version": "2.1.0", "runs": [dict(run, results=list(results))]}, "c", max_gzip_bytes=50_000
    )
    assert len(gzip.compress(json.dumps(small).encode())) <= 50_000
    assert 0 < len(small["runs"][0]["results"]) < 25_000


def test_annotations_escape_what_workflow_commands_require() -> None:
    region = {"startLine": 3, "endLine": 4}
    location = {"physicalLocation": {"artifactLocation": {"uri": "dir,x/a:b.py"}, "region": region}}
    log = {
        "runs": [
            {
                "results": [
                    {
                        "ruleId": "style.E1",
                        "level": "warning",
                        "message": {"text": "100%\nbad"},
                        "locations": [location],
                    }
                ]
            }
        ]
    }
    assert workflow_commands(log) == [
        "::warning file=dir%2Cx/a%3Ab.py,line=3,endLine=4,title=style.E1::100%25%0Abad"
    ]


def test_action_yml_passes_every_input_to_the_script() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "check")
    assert step["run"] == "python -m burr_codeagent.integrations.github_action"
    env = step["env"]
    for name in action["inputs"]:
        if name in ("python-version", "package"):
            continue
        variable = "INPUT_" + name.upper().replace("-", "_")
        assert env[variable] == "${{ inputs." + name + " }}"
    read = {field.upper() for field in ActionInputs.__dataclass_fields__}
    assert {v.removeprefix("INPUT_") for v in env} == read
