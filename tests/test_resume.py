"""A run that dies half-way resumes from Burr's SQLite persister without repeating finished model calls."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from burr_codeagent import AgentConfig, CodeAgent, ConfigurationError
from burr_codeagent.backends import ScriptedBackend

from .conftest import make_response

CRASHING_RUN = """
import os, sys
import subprocess
import sys
from pathlib import Path
from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.backends import ScriptedBackend
sys.path.insert(0, {repo!r})
from tests.conftest import broken


class CrashOnThirdCall(ScriptedBackend):
    def generate(self, request):
        if len(self.calls) == 2:
            os._exit(17)  # the process dies mid-run, as with a kill or an OOM
        return super().generate(request)


tmp = Path({tmp!r})
config = AgentConfig(storage_dir=tmp / "burr", output_dir=tmp / "r", persistence=tmp / "runs.db")
CodeAgent(config, backend=CrashOnThirdCall([broken(1), broken(2)], usage=(10, 5))).run("Write factorial", app_id="run-1")
"""


def test_crashed_run_resumes_without_repeating_finished_generations(tmp_path: Path) -> None:
    script = CRASHING_RUN.format(repo=str(Path(__file__).resolve().parents[1]), tmp=str(tmp_path))
    crashed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert crashed.returncode == 17, crashed.stderr

    config = AgentConfig(
        storage_dir=tmp_path / "burr", output_dir=tmp_path / "r", persistence=tmp_path / "runs.db"
    )
    second = ScriptedBackend([make_response()], usage=(10, 5))
    result = CodeAgent(config, backend=second).resume("run-1")
    assert len(second.calls) == 1  # only the generation that never finished is asked for again
    assert [a.index for a in result.attempts] == [1, 2, 3]
    assert result.passed and result.app_id == "run-1"
    assert result.metrics.api_calls == 3  # the two saved generations still count
    assert "syntax.error" in second.calls[0].prompt  # the retry prompt is built from the saved attempt


def test_resume_needs_persistence_and_a_saved_run(tmp_path: Path) -> None:
    plain = AgentConfig(storage_dir=tmp_path / "burr", output_dir=tmp_path / "r")
    with pytest.raises(ConfigurationError, match="persistence"):
        CodeAgent(plain, backend=ScriptedBackend([])).resume("x")
    saved = plain.model_copy(update={"persistence": tmp_path / "runs.db"})
    with pytest.raises(ConfigurationError, match="no saved run 'nope'"):
        CodeAgent(saved, backend=ScriptedBackend([])).resume("nope")


def test_a_run_saved_with_the_old_flat_counters_is_refused_clearly(tmp_path: Path) -> None:
    from burr.core import State

    from burr_codeagent.agent import open_persister

    config = AgentConfig(
        storage_dir=tmp_path / "burr", output_dir=tmp_path / "r", persistence=tmp_path / "runs.db"
    )
    old = {"task": "Write factorial", "attempts": [], "retries": 0, "input_tokens": 10, "api_call_count": 1}
    open_persister(config.persistence).save(None, "old-run", 1, "code_generator", State(old), "completed")
    with pytest.raises(ConfigurationError, match="older burr-codeagent"):
        CodeAgent(config, backend=ScriptedBackend([make_response()])).resume("old-run")


def test_dropping_a_persister_while_an_executor_submits_does_not_hang(tmp_path: Path) -> None:
    """A batch hung for good when the garbage collector dropped a run's persister inside ThreadPoolExecutor.submit,
    which holds a process-wide lock that closing the persister (on a thread pool) took again."""
    import gc
    import threading
    from concurrent.futures import thread

    from burr_codeagent.agent import open_persister

    holder = [open_persister(tmp_path / "runs.sqlite")]
    done = threading.Event()

    def drop_inside_the_lock() -> None:
        with thread._global_shutdown_lock:  # type: ignore[attr-defined]  # what submit() holds
            holder.clear()
            gc.collect()
        done.set()

    threading.Thread(target=drop_inside_the_lock, daemon=True).start()
    assert done.wait(10), "closing the persister deadlocked"
