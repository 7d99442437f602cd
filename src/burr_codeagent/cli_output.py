"""Machine-readable output of ``codeagent run --format json``: the result on stdout, and only the result."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from .formatting import round_floats
from .models import AgentResult

__all__ = ["print_results_json"]


def print_results_json(results: Sequence[AgentResult]) -> None:
    """Write one run's :class:`AgentResult` as a JSON object (several runs: an array) to stdout.

    The shape is the json report's (``codeagent schema agent-result``), floats rounded the same way.
    """
    data = [round_floats(r.model_dump(mode="json")) for r in results]
    sys.stdout.write(json.dumps(data[0] if len(data) == 1 else data, indent=2, ensure_ascii=False) + "\n")
