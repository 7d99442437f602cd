"""Reports never carry credentials, and concurrent runs never overwrite each other's reports."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from burr_codeagent.cli import app
from burr_codeagent.plugins import default_manager
from burr_codeagent.reports.base import RenderContext
from burr_codeagent.reports.writer import reserve_path, write_reports

from ..conftest import make_response
from .conftest import FLAWED_CODE, run_agent

ENV_CANARY = "canary-env-secret-5f1e2d"
KEY_CANARY = "sk-canary-config-key-9a8b7c"


def test_no_format_contains_a_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", ENV_CANARY)
    formats = sorted(default_manager().renderer_names())
    # The model echoes an environment secret into its explanation: the reports must still not show it.
    response = make_response(explanation=f"Uses the key {ENV_CANARY} for nothing.")
    result = run_agent(
        tmp_path, [response], formats, api_key=KEY_CANARY, base_url="https://user:pw-canary@h.test/v1"
    )
    assert set(result.report_paths) == set(formats)
    for name, path in result.report_paths.items():
        text = path.read_text(encoding="utf-8")
        assert ENV_CANARY not in text, name
        assert KEY_CANARY not in text, name
        assert "pw-canary" not in text, name


def test_check_reports_contain_no_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_SERVICE_TOKEN", ENV_CANARY)
    monkeypatch.setenv("CODEAGENT_API_KEY", KEY_CANARY)
    source = tmp_path / "tool.py"
    source.write_text(FLAWED_CODE + f'\nTOKEN_HINT = "{ENV_CANARY}"\n')
    for fmt in sorted(default_manager().renderer_names()):
        done = CliRunner().invoke(app, ["check", str(source), "--format", fmt, "--no-execution"])
        assert done.exit_code in (0, 1), done.output
        assert ENV_CANARY not in done.stdout and KEY_CANARY not in done.stdout, fmt


def test_reserve_path_never_hands_out_a_name_twice(tmp_path: Path) -> None:
    barrier = threading.Barrier(16)

    def grab(_: int) -> Path:
        barrier.wait()
        return reserve_path(tmp_path, "report", "md")

    with ThreadPoolExecutor(16) as pool:
        paths = list(pool.map(grab, range(16)))
    assert len(set(paths)) == 16
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)


def test_concurrent_runs_started_in_the_same_second_keep_every_report(
    two_attempts,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    when = datetime(2025, 1, 2, 3, 4, 5)
    manager = default_manager()
    barrier = threading.Barrier(8)

    def write(n: int) -> dict[str, Path]:
        barrier.wait()
        result = two_attempts.model_copy(update={"app_id": f"run-{n}"})
        return write_reports(
            result, ["markdown", "json"], tmp_path / "out", manager, RenderContext(), when=when
        )

    with ThreadPoolExecutor(8) as pool:
        written = list(pool.map(write, range(8)))
    json_paths = {w["json"] for w in written}
    assert len(json_paths) == 8
    assert {f"run-{n}" for n in range(8)} == {
        next(part for part in p.read_text().split('"') if part.startswith("run-")) for p in json_paths
    }
