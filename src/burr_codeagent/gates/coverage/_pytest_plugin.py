"""pytest plugin shipped into the sandbox: line and branch coverage of the module under test (coverage.py API).

Loaded with ``-p _codeagent_coverage`` in the same pytest process that runs the tests, so coverage costs no second
run. Measurement starts when pytest imports the plugin, before the test module (and the module under test) is
imported, and the JSON report is written when pytest unconfigures. Standalone on purpose: it imports nothing from
burr_codeagent, so the sandboxed interpreter does not pay for pydantic and friends.
"""

from __future__ import annotations

import json
import os

import coverage
import pytest

MODULE_FILE = os.environ.get("CODEAGENT_COVERAGE_MODULE", "solution.py")
REPORT_FILE = os.environ.get("CODEAGENT_COVERAGE_REPORT", ".codeagent-coverage.json")
# The host decides which lines may be left out (coverage.py's configured exclude_lines, minus "pragma: no cover"
# for the model's own code): this file does not read any configuration next to the untrusted code.
EXCLUDED = json.loads(os.environ.get("CODEAGENT_COVERAGE_EXCLUDE", "[]"))

_COV = coverage.Coverage(
    data_file=None, branch=True, include=[os.path.abspath(MODULE_FILE)], config_file=False
)
_COV.clear_exclude()
for _pattern in EXCLUDED:
    _COV.exclude(_pattern)
_COV.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop measuring and write the JSON report (or why there is none)."""
    _COV.stop()
    try:
        _COV.json_report(outfile=REPORT_FILE)
    except coverage.CoverageException as exc:
        with open(REPORT_FILE, "w", encoding="utf-8") as handle:
            json.dump({"error": f"{type(exc).__name__}: {exc}"}, handle)
