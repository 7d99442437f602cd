"""The agent's Burr graph as part of a bigger Burr application: plan -> (agent graph) -> publish.

Run it with ``--demo`` (canned answers through ScriptedBackend, no model) or ``--backend NAME``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from burr.core import ApplicationBuilder, State, action
from embed_pipeline import DEMO_ANSWER

from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.backends import ScriptedBackend
from burr_codeagent.graph import initial_state


@action(reads=[], writes=["task"])
def plan(state: State, request: str) -> tuple[dict[str, Any], State]:
    """Turn a user request into the agent's task."""
    task = f"{request.strip()} Include pytest tests."
    return {"task": task}, state.update(task=task)


@action(reads=["attempts", "best_attempt"], writes=["published"])
def publish(state: State, target: str) -> tuple[dict[str, Any], State]:
    """Write the best attempt's code to ``target``."""
    best = next(a for a in state["attempts"] if a["index"] == state["best_attempt"])
    Path(target).write_text(best["response"]["code"], encoding="utf-8")
    return {"published": target}, state.update(published=target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", default=None)
    parser.add_argument("--demo", action="store_true")
    parser.add_argument("--out", default="slugify.py")
    args = parser.parse_args()
    backend = ScriptedBackend([DEMO_ANSWER], model="demo (canned answers)") if args.demo else args.backend
    config = AgentConfig(max_retries=2, tracking=False, report_formats=["markdown"])
    agent = CodeAgent(config, backend=backend)
    app = (
        ApplicationBuilder()
        .with_graph(agent.graph())
        .with_actions(plan=plan, publish=publish.bind(target=args.out))
        .with_transitions(("plan", "code_generator"), ("end", "publish"))
        .with_state(**initial_state("", config))
        .with_entrypoint("plan")
        .build()
    )
    _, _, state = app.run(halt_after=["publish"], inputs={"request": "Create a function `slugify(text)`."})
    print(f"published {state['published']} (best attempt {state['best_attempt']}, {state['stop_reason']})")


if __name__ == "__main__":
    main()
