"""``codeagent improve PATH``: a diff or the files updated (with a backup), through the real OpenAI SDK and a
loopback server that counts the model requests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from burr_codeagent.cli import app

from .backends.fakes import FakeProvider, Reply, Stall
from .test_improve import FIX, GOOD, TESTS, WRONG


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("CODEAGENT_TRACKING", "false")
    (tmp_path / "mymod.py").write_text(WRONG)
    (tmp_path / "test_mymod.py").write_text(TESTS)
    return tmp_path


def _improve(fake: FakeProvider, project: Path, *extra: str) -> tuple[int, str]:
    args = ["improve", str(project / "mymod.py"), "--tests", str(project / "test_mymod.py")]
    args += ["--backend", "openai", "--base-url", fake.url + "/v1", "--model", "gpt-4o", "-q"]
    args += ["--output-dir", str(project / "reports"), "--max-retries", "2", *extra]
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.output


def test_passing_code_makes_no_request_and_changes_nothing(project: Path) -> None:
    (project / "mymod.py").write_text(GOOD)
    with FakeProvider("openai", [Reply(FIX)]) as fake:
        code, output = _improve(fake, project, "--write")
    assert code == 0, output
    assert fake.requests == [] and "no change" in output
    assert (project / "mymod.py").read_text() == GOOD and not (project / "mymod.py.orig").exists()
    assert list((project / "reports").glob("*.json")), "the reports are written as by run"


def test_without_write_it_prints_a_unified_diff_and_writes_nothing(project: Path) -> None:
    with FakeProvider("openai", [Reply(FIX)]) as fake:
        code, output = _improve(fake, project)
    assert code == 0, output
    assert len(fake.requests) == 1
    name = (project / "mymod.py").as_posix().lstrip("/")
    assert f"--- a/{name}\n+++ b/{name}\n" in output
    assert "-    return a - b\n+    return a + b\n" in output
    assert "test_mymod.py" not in output.split("(nothing written")[0].replace(str(project / "reports"), "")
    assert (project / "mymod.py").read_text() == WRONG and not (project / "mymod.py.orig").exists()


def test_write_updates_the_module_and_keeps_a_backup_but_never_overwrites_one(project: Path) -> None:
    with FakeProvider("openai", [Reply(FIX)]) as fake:
        code, output = _improve(fake, project, "--write")
        assert code == 0, output
        assert (project / "mymod.py").read_text() == GOOD
        assert (project / "mymod.py.orig").read_text() == WRONG
        assert (project / "test_mymod.py").read_text() == TESTS and not (
            project / "test_mymod.py.orig"
        ).exists()
        (project / "mymod.py").write_text(WRONG)
        again, refused = _improve(fake, project, "--write")
    assert again == 2 and "mymod.py.orig exists" in refused
    assert len(fake.requests) == 1, "refused before any model call"
    assert (project / "mymod.py").read_text() == WRONG and (project / "mymod.py.orig").read_text() == WRONG


def test_code_that_stays_failing_exits_1_with_the_diff_of_the_best_attempt(project: Path) -> None:
    useless = {"edits": [{"target": "code", "search": "no such text", "replace": "x"}]}
    with FakeProvider("openai", [Reply(useless)]) as fake:
        code, output = _improve(fake, project, "--max-retries", "1")
    assert code == 1, output
    assert len(fake.requests) == 1 and "no change" in output
    assert (project / "mymod.py").read_text() == WRONG


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "is empty"),
        (b"x = '\xff'\n", "not valid UTF-8"),
        (b"\x00\x01binary", "binary"),
        (b"x = 1\n" * 400_000, "larger than"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2_with_nothing_written(
    project: Path, content: bytes | None, message: str
) -> None:
    target = project / "mymod.py"
    target.unlink()
    if content is not None:
        target.write_bytes(content)
    with FakeProvider("openai", [Reply(FIX)]) as fake:
        code, output = _improve(fake, project, "--write")
    assert code == 2 and message in output and "Traceback" not in output
    assert fake.requests == [] and not (project / "reports").exists()
    assert sorted(p.name for p in project.iterdir()) == sorted(
        ["test_mymod.py", *(["mymod.py"] if content is not None else [])]
    )


def test_sigterm_while_the_model_answers_exits_143_and_says_where_the_reports_are(project: Path) -> None:
    env = {**os.environ, "CODEAGENT_API_BACKOFF_SECONDS": "0.001"}
    with FakeProvider("openai", [Stall(60)]) as fake:
        args = ["improve", "mymod.py", "--tests", "test_mymod.py", "--backend", "openai"]
        args += ["--base-url", fake.url + "/v1", "--output-dir", "reports", "--no-execution", "--task", "Add"]
        child = subprocess.Popen(
            [sys.executable, "-c", "from burr_codeagent.cli import main; main()", *args],
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        fake.wait_for_requests(1, child)
        assert len(fake.requests) == 1, child.communicate(timeout=5)
        child.send_signal(signal.SIGTERM)
        stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 143, stdout + stderr
    assert "interrupted: the reports of the attempts that finished are in reports" in stderr
    assert (project / "mymod.py").read_text() == WRONG
