"""What the test-strength gates share: the sandbox built from the configuration and option checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..sandbox import Sandbox
from .base import GateContext, GateSkipped

__all__ = ["dependency_env_vars", "percent_option", "require_execution", "sandbox_for"]


def require_execution(ctx: GateContext) -> None:
    """Skip the gate when running generated code is switched off."""
    if not ctx.config.enable_code_execution:
        raise GateSkipped("code execution is disabled (enable_code_execution=False)")


def _dependency_path(ctx: GateContext) -> str | None:
    env = ctx.shared.get("dependency_env")
    path = getattr(env, "path", None)
    return str(path) if path is not None else None


def sandbox_for(ctx: GateContext) -> Sandbox:
    """The sandbox the configuration asks for, with the dependency environment (if any) mounted read-only."""
    settings = ctx.config.sandbox
    path = _dependency_path(ctx)
    return Sandbox(
        settings.isolation,
        memory_mb=settings.memory_mb,
        network=settings.network,
        max_output_chars=settings.max_output_chars,
        disk_mb=int(ctx.options.get("disk_mb", 512)),
        read_only_paths=[path] if path else [],
    )


def dependency_env_vars(ctx: GateContext) -> dict[str, str]:
    """``PYTHONPATH`` for the dependency environment the ``dependencies`` gate prepared (empty when none)."""
    path = _dependency_path(ctx)
    return {"PYTHONPATH": path} if path else {}


def percent_option(options: Mapping[str, Any], gate: str, name: str, default: float) -> float:
    """A percentage option (0-100), or a :class:`ValueError` naming the gate, the option and the bad value."""
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise ValueError(f"gates.options.{gate}.{name} must be a number from 0 to 100, not {value!r}")
    return float(value)
