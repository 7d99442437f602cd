"""Progress events: how the library tells a caller (the CLI's live view, a pipeline) what is happening.

The library never prints. Pass ``listeners=[callable]`` to :class:`~burr_codeagent.CodeAgent` or
:func:`~burr_codeagent.check` to receive :class:`AgentEvent` objects as work happens; everything is also logged
through the ``burr_codeagent`` logger.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["AgentEvent", "EventKind", "Listener", "emit"]

log = logging.getLogger("burr_codeagent")

EventKind = Literal[
    "run_started",
    "attempt_started",
    "generation_finished",
    "generation_failed",
    "generation_truncated",
    "edits_applied",
    "check_started",
    "gate_finished",
    "check_finished",
    "auto_fix_started",
    "auto_fix_finished",
    "step_finished",
    "run_finished",
]


@dataclass(frozen=True)
class AgentEvent:
    """Something that happened during a run or a check."""

    kind: EventKind
    attempt: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[AgentEvent], None]


def emit(listeners: Sequence[Listener], event: AgentEvent) -> None:
    """Send ``event`` to every listener; a failing listener is logged, never fatal."""
    log.debug(
        "event %s attempt=%s %s",
        event.kind,
        event.attempt,
        {k: v for k, v in event.data.items() if k != "report"},
    )
    for listener in listeners:
        try:
            listener(event)
        except Exception:
            log.exception("listener %r failed on %s", listener, event.kind)
