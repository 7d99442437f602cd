"""burr-codeagent: turn a task in plain language into checked, tested Python code with an Apache Burr graph.

The names below are imported on first use (PEP 562), so ``codeagent --help`` does not pay for Burr and the gates.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .agent import CodeAgent
    from .bulk import check_many
    from .checker import check
    from .config import AgentConfig
    from .errors import ConfigurationError
    from .hookspecs import hookimpl
    from .models import (
        AgentResult,
        Attempt,
        CheckReport,
        Finding,
        GateRun,
        PythonCodeGenerationResponse,
        RunMetrics,
        Severity,
        TestCase,
        TestOutcome,
    )

    __version__: str  # the installed package's version (importlib.metadata), read on first use

_HOMES = {
    "CodeAgent": ".agent",
    "ConfigurationError": ".errors",
    "check": ".checker",
    "check_many": ".bulk",
    "AgentConfig": ".config",
    "hookimpl": ".hookspecs",
    "AgentResult": ".models",
    "Attempt": ".models",
    "CheckReport": ".models",
    "Finding": ".models",
    "GateRun": ".models",
    "PythonCodeGenerationResponse": ".models",
    "RunMetrics": ".models",
    "Severity": ".models",
    "TestCase": ".models",
    "TestOutcome": ".models",
}

__all__ = [
    "AgentConfig",
    "AgentResult",
    "Attempt",
    "CheckReport",
    "CodeAgent",
    "ConfigurationError",
    "Finding",
    "GateRun",
    "PythonCodeGenerationResponse",
    "RunMetrics",
    "Severity",
    "TestCase",
    "TestOutcome",
    "__version__",
    "check",
    "check_many",
    "hookimpl",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from ._version import package_version

        return package_version()
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
