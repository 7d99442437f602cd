"""Quality gates. Every public module in this package is a built-in plugin registering gates through the
``register_gates`` hook, exactly as a third-party plugin would."""

from .base import Gate, GateBase, GateContext, GateSkipped, finding

__all__ = ["Gate", "GateBase", "GateContext", "GateSkipped", "finding"]
