"""Published JSON Schemas match the models, and real json reports validate against them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

from burr_codeagent import AgentResult, CheckReport
from burr_codeagent.cli import app
from burr_codeagent.formatting import round_floats
from burr_codeagent.reports.base import RenderContext
from burr_codeagent.reports.json_report import JsonRenderer
from burr_codeagent.reports.schema import SCHEMAS, json_schema, schema_text

PUBLISHED = Path(__file__).resolve().parents[2] / "docs" / "schemas"


def test_published_schemas_match_the_models() -> None:
    for name in SCHEMAS:
        published = PUBLISHED / f"{name}.schema.json"
        assert published.read_text(encoding="utf-8") == schema_text(name), (
            f"{published} is stale: run `python -m burr_codeagent.reports.schema`"
        )


def test_run_report_validates(two_attempts: AgentResult) -> None:
    data = json.loads(JsonRenderer().render(two_attempts, RenderContext()))
    schema = json_schema("agent-result")
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(data)
    assert data["attempts"][0]["report"]["critical_count"] == 1


def test_check_report_validates_and_a_broken_one_does_not(flawed_report: CheckReport) -> None:
    data = json.loads(JsonRenderer().render(flawed_report, RenderContext()))
    validator = jsonschema.Draft202012Validator(json_schema("check-report"))
    validator.validate(data)
    data["findings"][0]["severity"] = "catastrophic"
    assert not validator.is_valid(data)


def test_schema_command_prints_the_published_schema() -> None:
    done = CliRunner().invoke(app, ["schema", "check-report"])
    assert done.exit_code == 0
    assert done.stdout == (PUBLISHED / "check-report.schema.json").read_text(encoding="utf-8")
    bad = CliRunner().invoke(app, ["schema", "nope"])
    assert bad.exit_code == 2 and "agent-result" in bad.output


def test_json_report_text_is_what_json_dumps_writes(two_attempts: AgentResult) -> None:
    """Users diff reports between runs: the faster encoder must not change a byte (unicode kept, floats as Python)."""
    result = two_attempts.model_copy(update={"task": "Write factorial — für n ≥ 0"})
    text = JsonRenderer().render(result, RenderContext())
    expected = json.dumps(round_floats(result.model_dump(mode="json")), indent=2, ensure_ascii=False) + "\n"
    assert "für n ≥ 0" in text
    assert text == expected
