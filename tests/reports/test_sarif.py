"""SARIF output validates against the 2.1.0 schema and meets GitHub code scanning's rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from burr_codeagent import AgentResult, CheckReport, Finding, Severity
from burr_codeagent.cli import app
from burr_codeagent.reports.base import RenderContext
from burr_codeagent.reports.sarif import SarifRenderer

from .conftest import FLAWED_CODE, SARIF_SCHEMA, run_agent


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(
            f"the SARIF 2.1.0 schema is not at {SARIF_SCHEMA} (the shared schemas folder beside the repo)"
        )
    return json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))


def render(obj: AgentResult | CheckReport, **context: Any) -> dict[str, Any]:
    return json.loads(SarifRenderer().render(obj, RenderContext(**context)))


def assert_github_ready(log: dict[str, Any]) -> None:
    """The properties GitHub's upload-sarif checks or needs to show an alert well."""
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (
        driver["name"] == "burr-codeagent"
        and driver["version"]
        and driver["informationUri"].startswith("https")
    )
    rules = driver["rules"]
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
        assert rule["properties"]["tags"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        (location,) = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%" and not artifact["uri"].startswith("/")
        region = location["physicalLocation"]["region"]
        assert set(region) == {"startLine", "startColumn", "endLine", "endColumn"}
        assert (region["endLine"], region["endColumn"]) > (region["startLine"], region["startColumn"])
        assert result["partialFingerprints"]


def test_check_report_validates_and_is_github_ready(
    flawed_report: CheckReport, sarif_schema: dict[str, Any]
) -> None:
    log = render(flawed_report, source_paths={"code": "src/tool.py"}, sources={"code": FLAWED_CODE})
    jsonschema.validate(log, sarif_schema)
    assert_github_ready(log)
    results = log["runs"][0]["results"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {
        "src/tool.py"
    }
    assert any(r["level"] == "error" for r in results)


def test_security_rules_carry_a_security_severity(flawed_report: CheckReport) -> None:
    rules = render(flawed_report, source_paths={"code": "tool.py"})["runs"][0]["tool"]["driver"]["rules"]
    security = [r for r in rules if r["id"].startswith("security.")]
    assert security, "the flawed code should trip a security rule"
    for rule in security:
        assert "security" in rule["properties"]["tags"]
        assert float(rule["properties"]["security-severity"]) >= 7.0  # critical findings show as "high"
    others = [r for r in rules if not r["id"].startswith("security.")]
    assert all("security-severity" not in r["properties"] for r in others)


def test_rule_descriptions_come_from_the_gates_in_the_context(flawed_report: CheckReport) -> None:
    from burr_codeagent.plugins import PluginManager
    from burr_codeagent.reports.writer import gates_of

    gates = gates_of(PluginManager(load_entry_points=False))
    log = render(flawed_report, source_paths={"code": "tool.py"}, gates=gates)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    described = 0
    for rule in rules:
        text = gates[rule["id"].split(".")[0]].rules.get(rule["id"])
        if text:
            described += 1
            assert rule["fullDescription"]["text"].startswith(text)
    assert described >= 3


def test_a_per_agent_plugin_gates_rules_keep_their_descriptions(tmp_path: Path) -> None:
    from collections.abc import Callable, Iterator

    from burr_codeagent import AgentConfig, CodeAgent, hookimpl
    from burr_codeagent.backends import ScriptedBackend
    from burr_codeagent.gates import Gate, GateContext

    from ..conftest import make_response

    class NoTodo:
        name = "no_todo"
        description = "Forbids TODO comments."
        rules = {"no_todo.found": "A TODO comment is left in the code."}

        def check(self, ctx: GateContext) -> Iterator[Finding]:
            yield Finding(
                gate="no_todo", rule="no_todo.found", severity=Severity.WARNING, message="TODO here", line=1
            )

    class Plugin:
        @hookimpl
        def register_gates(self, register: Callable[[Gate], None]) -> None:
            register(NoTodo())

    config = AgentConfig(
        report_formats=["sarif"],
        output_dir=tmp_path,
        tracking=False,
        max_retries=0,
        enable_code_execution=False,
    )
    result = CodeAgent(config, backend=ScriptedBackend([make_response()]), plugins=[Plugin()]).run(
        "factorial"
    )
    log = json.loads(result.report_paths["sarif"].read_text())
    [rule] = [r for r in log["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "no_todo.found"]
    assert rule["shortDescription"]["text"] == "A TODO comment is left in the code."
    assert "Forbids TODO comments." in rule["fullDescription"]["text"]


def test_fingerprints_survive_code_moving_down_the_file(sarif_schema: dict[str, Any]) -> None:
    from burr_codeagent import AgentConfig, check

    shifted = FLAWED_CODE.replace(
        '"""Runs a shell command."""\n', '"""Runs a shell command."""\n\n# moved\n', 1
    )
    config = AgentConfig(enable_code_execution=False)

    def prints(code: str) -> dict[str, tuple[str, int]]:
        report = check(code, config=config)
        log = render(report, source_paths={"code": "tool.py"}, sources={"code": code})
        return {
            r["partialFingerprints"]["codeagentFindingHash/v1"]: (
                r["ruleId"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
            )
            for r in log["runs"][0]["results"]
            if r["ruleId"].startswith("security.")
        }

    before, after = prints(FLAWED_CODE), prints(shifted)
    assert before.keys() == after.keys()
    assert [line for _, line in before.values()] != [line for _, line in after.values()]


def test_findings_without_a_position_get_a_full_region() -> None:
    report = CheckReport.from_findings(
        [Finding(gate="tests", rule="tests.missing", severity=Severity.CRITICAL, message="No tests.")],
        gates=[],
        tests=None,
        seconds=0.0,
        warning_threshold=5,
    )
    log = render(report, source_paths={"code": "a.py"}, sources={"code": "x = 1\n"})
    region = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 6}
    # an unregistered rule id still gets a described rule
    rule = log["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["id"] == "tests.missing" and rule["shortDescription"]["text"]


def test_agent_result_uses_the_generated_file_names(tmp_path: Path, sarif_schema: dict[str, Any]) -> None:
    result = run_agent(tmp_path / "flawed", [_flawed_response()], ["sarif"])
    log = json.loads(result.report_paths["sarif"].read_text())
    jsonschema.validate(log, sarif_schema)
    assert_github_ready(log)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]
    }
    assert "solution.py" in uris and uris <= {"solution.py", "test_solution.py"}
    assert log["runs"][0]["properties"]["appId"] == result.app_id


def _flawed_response() -> Any:
    from ..conftest import make_response

    return make_response(
        code=FLAWED_CODE,
        function_name="run",
        test_code="from solution import run\n\n\ndef test_run() -> None:\n    assert run\n",
    )


def test_check_format_sarif_merges_files_into_one_valid_run(
    tmp_path: Path, sarif_schema: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the repository root in CI; an absolute path inside it becomes relative
    (tmp_path / "a.py").write_text(FLAWED_CODE)
    (tmp_path / "b.py").write_text(
        '"""B."""\n\nimport pickle\n\n\ndef load(blob: bytes) -> object:\n    """Load."""\n    return pickle.loads(blob)\n'
    )
    out = tmp_path / "out.sarif"
    done = CliRunner().invoke(
        app, ["check", str(tmp_path / "a.py"), "b.py", "--format", "sarif", "-o", str(out), "--no-execution"]
    )
    assert done.exit_code == 1, (
        done.output
    )  # findings over the threshold: CI fails, the SARIF is still written
    log = json.loads(out.read_text())
    jsonschema.validate(log, sarif_schema)
    assert len(log["runs"]) == 1
    assert_github_ready(log)
    files = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]
    }
    assert files == {"a.py", "b.py"}
