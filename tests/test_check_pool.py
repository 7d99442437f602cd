"""``arun`` checks on the bounded check pool, never on the event loop's default thread pool."""

from __future__ import annotations

import threading
from pathlib import Path

from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.backends import ScriptedBackend
from burr_codeagent.check_pool import CHECK_THREADS
from burr_codeagent.events import AgentEvent

from .conftest import make_response


async def test_arun_checks_on_the_check_pool(tmp_path: Path) -> None:
    threads: list[str] = []

    def listener(event: AgentEvent) -> None:
        if event.kind == "check_started":
            threads.append(threading.current_thread().name)

    config = AgentConfig(
        storage_dir=tmp_path / "burr", output_dir=tmp_path / "r", gates={"enable": ["syntax"]}, tracking=False
    )
    agent = CodeAgent(config, backend=ScriptedBackend([make_response()]), listeners=[listener])
    result = await agent.arun("Write factorial")
    assert result.passed
    assert threads and all(name.startswith("codeagent-check") for name in threads), threads
    assert CHECK_THREADS >= 1
