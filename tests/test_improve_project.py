"""``codeagent improve src/pkg/mod.py --tests tests/test_mod.py`` in a src-layout project: every attempt runs the
project's own tests as written, in the sandbox with the project read-only, and ``--write`` updates the module."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from burr_codeagent.cli import app

from .backends.fakes import FakeProvider, Reply
from .test_project_check import MOD, TESTS, make_project

FIX = {
    "edits": [{"target": "code", "search": "return double(value)", "replace": "return double(double(value))"}]
}


def test_improve_fixes_a_project_module_its_own_tests_import_by_its_dotted_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("CODEAGENT_TRACKING", "false")
    module = make_project(tmp_path, src_layout=True)
    module.write_text(MOD.replace("return double(double(value))", "return double(value)"))
    args = ["improve", str(module), "--tests", str(tmp_path / "tests" / "test_mod.py"), "--write", "-q"]
    args += ["--backend", "openai", "--model", "gpt-4o", "--max-retries", "1"]
    args += ["--output-dir", str(tmp_path.parent / f"{tmp_path.name}-reports")]
    with FakeProvider("openai", [Reply(FIX)]) as fake:
        result = CliRunner().invoke(app, [*args, "--base-url", fake.url + "/v1"])
    assert result.exit_code == 0, result.output
    assert module.read_text() == MOD and (module.parent / "mod.py.orig").is_file()
    prompt = fake.requests[0].body["messages"][-1]["content"]
    assert "module `pkg.mod`" in prompt and "from pkg.mod import quadruple" in prompt
    assert (tmp_path / "tests" / "test_mod.py").read_text() == TESTS
