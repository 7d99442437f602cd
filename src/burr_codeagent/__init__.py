"""burr-codeagent: turn a task in plain language into checked, tested Python code with an Apache Burr graph."""

from .agent import CodeAgent, ConfigurationError
from .checker import check
from .config import AgentConfig
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
    TestOutcome,
)

__version__ = "0.1.0"

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
    "TestOutcome",
    "__version__",
    "check",
    "hookimpl",
]
