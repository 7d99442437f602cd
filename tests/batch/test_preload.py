"""What the ``processes`` executor's fork server builds before it forks the workers, and what agents share."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from burr_codeagent.reports.html import HtmlRenderer
from burr_codeagent.reports.markdown import MarkdownRenderer


def test_every_agent_shares_one_compiled_copy_of_the_report_templates() -> None:
    """Each agent has a plugin manager, so renderers, of its own: the templates are compiled once per process,
    not once per agent (~0.15 s of CPU on an agent's first report)."""
    assert MarkdownRenderer()._env is MarkdownRenderer()._env
    assert HtmlRenderer()._env is HtmlRenderer()._env


def test_the_fork_server_builds_what_a_first_run_would_freezes_it_and_starts_no_thread() -> None:
    script = textwrap.dedent(
        """
        import gc, json, sys, threading
        import burr_codeagent.executors._preload
        from burr_codeagent import models
        from burr_codeagent.reports import html, markdown
        compiled = sorted(str(key[1]) for env in (markdown._environment(), html._environment()) for key in env.cache)
        print(json.dumps({
            "threads": threading.active_count(),
            "compiled": compiled,
            "models_built": all(m.__pydantic_complete__ for m in (models.AgentResult, models.Attempt, models.Usage)),
            "frozen": gc.get_freeze_count(),
            "mutation": all(f"burr_codeagent.gates.mutation.{m}" in sys.modules for m in ("_mutants", "_reach", "_session")),
        }))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["threads"] == 1, "a fork server with threads cannot fork safely"
    assert {"report.md.j2", "_macros.md.j2", "check.md.j2", "report.html.j2", "_macros.html.j2"} <= set(
        seen["compiled"]
    )
    assert seen["models_built"]
    assert seen["frozen"] > 100_000, "what every worker inherits is kept out of the garbage collector's walks"
    assert seen["mutation"], (
        "the mutation gate's internals (imported when it runs) are in what workers inherit"
    )
