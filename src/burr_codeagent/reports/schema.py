"""JSON Schemas of the ``json`` report, generated from the pydantic models.

The published copies live in ``docs/schemas/``; regenerate them with ``python -m burr_codeagent.reports.schema``
(a test fails when they drift from the models) or print one with ``codeagent schema``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..models import AgentResult, CheckReport

__all__ = ["SCHEMAS", "json_schema", "schema_text", "write_schemas"]

SCHEMAS: dict[str, type[BaseModel]] = {"agent-result": AgentResult, "check-report": CheckReport}
"""Schema name -> model: ``agent-result`` for ``codeagent run``'s json report, ``check-report`` for ``check``."""

_BASE_ID = "https://github.com/burr-codeagent/burr-codeagent/blob/main/docs/schemas/"


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the json report named ``name`` (a key of :data:`SCHEMAS`).

    Raises:
        KeyError: ``name`` is not a known schema; the message lists the known ones.
    """
    if name not in SCHEMAS:
        raise KeyError(f"unknown schema {name!r}; choose from: {', '.join(sorted(SCHEMAS))}")
    schema = SCHEMAS[name].model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{_BASE_ID}{name}.schema.json",
        **schema,
    }


def schema_text(name: str) -> str:
    """:func:`json_schema` as the exact text of the published file."""
    return json.dumps(json_schema(name), indent=2, sort_keys=True) + "\n"


def write_schemas(directory: Path) -> list[Path]:
    """Write every schema as ``<name>.schema.json`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in sorted(SCHEMAS):
        path = directory / f"{name}.schema.json"
        path.write_text(schema_text(name), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/schemas")
    for written_path in write_schemas(target):
        print(written_path)
