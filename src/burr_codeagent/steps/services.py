"""What the steps need besides state: bound into the Burr actions, never stored in state or tracked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from burr.core import State

from ..backends.base import LLMBackend
from ..checker import Checker
from ..config import AgentConfig
from ..events import Listener
from ..module_under_test import ModuleUnderTest
from ..plugins import PluginManager

__all__ = ["Services", "StepResult"]

StepResult = tuple[dict[str, Any], State[Any]]
"""What a step returns: the result Burr records and the state after it."""


@dataclass(frozen=True)
class Services:
    """The backend, the checker and the settings of one run; bound into the graph's actions."""

    backend: LLMBackend
    checker: Checker
    config: AgentConfig
    manager: PluginManager
    listeners: list[Listener] = field(default_factory=list)
    acceptance_tests: str | None = None
    module: ModuleUnderTest = field(default_factory=ModuleUnderTest)
    """The name the tests import the code by (``solution`` for generated code; a user's module when improving)."""

    @property
    def shown_acceptance_tests(self) -> str | None:
        """The acceptance tests as the model may see them: verbatim, or not at all."""
        visible = self.config.acceptance_tests_visibility == "verbatim"
        return self.acceptance_tests if visible else None
