"""What the gates that run the generated tests share: one way to build the sandbox and the pytest run, and
option checks.

``execution``, ``coverage`` (when it measures on its own) and ``mutation`` all run the tests through
:func:`test_run_spec` and :func:`run_sandboxed`, so each of their runs sees the dependency environment, honours
``sandbox.keep_workdir`` and turns a sandbox that could not start into :class:`GateUnavailable` (retried by the
checker, never blamed on the code).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ._project_run import module_extension
from .base import GateContext, GateSkipped, GateUnavailable

if TYPE_CHECKING:
    from ..sandbox import PytestResult, PytestRun, RunExtension, Sandbox

__all__ = [
    "dependency_env_vars",
    "percent_option",
    "require_execution",
    "run_sandboxed",
    "sandbox_for",
    "test_run_spec",
]


def require_execution(ctx: GateContext) -> None:
    """Skip the gate when running generated code is switched off."""
    if not ctx.config.enable_code_execution:
        raise GateSkipped("code execution is disabled (enable_code_execution=False)")


def _dependency_path(ctx: GateContext) -> str | None:
    env = ctx.shared.get("dependency_env")
    path = getattr(env, "path", None)
    return str(path) if path is not None else None


def _project_root(ctx: GateContext) -> list[str]:
    """The importable parts of a module's project (never its dotfiles, see :meth:`ModuleUnderTest.mounts`)."""
    return [str(path) for path in ctx.module.mounts()] if ctx.module.in_project else []


def sandbox_for(ctx: GateContext) -> Sandbox:
    """The sandbox the configuration asks for, with the dependency environment (if any) and the project of a
    module in one mounted read-only."""
    from ..sandbox import Sandbox

    settings = ctx.config.sandbox
    path = _dependency_path(ctx)
    return Sandbox(
        settings.isolation,
        memory_mb=settings.memory_mb,
        network=settings.network,
        max_output_chars=settings.max_output_chars,
        disk_mb=int(ctx.options.get("disk_mb", 512)),
        read_only_paths=[*([path] if path else []), *_project_root(ctx)],
    )


def dependency_env_vars(ctx: GateContext) -> dict[str, str]:
    """``PYTHONPATH``: the import root of a module in a project, then the dependency environment the
    ``dependencies`` gate prepared (empty when neither)."""
    paths = [str(ctx.module.import_root)] if ctx.module.in_project else []
    path = _dependency_path(ctx)
    paths += [path] if path else []
    return {"PYTHONPATH": os.pathsep.join(paths)} if paths else {}


def percent_option(options: Mapping[str, Any], gate: str, name: str, default: float) -> float:
    """A percentage option (0-100), or a :class:`ValueError` naming the gate, the option and the bad value."""
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise ValueError(f"gates.options.{gate}.{name} must be a number from 0 to 100, not {value!r}")
    return float(value)


def test_run_spec(
    ctx: GateContext,
    *,
    timeout: float | None = None,
    args: tuple[str, ...] = (),
    extensions: Iterable[RunExtension] = (),
) -> PytestRun:
    """The pytest run of ``ctx``'s code and tests with the dependency environment and ``extensions`` added.

    ``timeout`` defaults to ``execution_timeout``. A module inside a project runs its tests as written, importing
    it as the project does (see :mod:`._project_run`).

    Raises:
        ValueError: an extension would replace a file or variable another one set.
    """
    from ..sandbox import PytestRun

    in_project = ctx.module.in_project
    spec = PytestRun(
        code=ctx.code,
        test_code=(ctx.tests_as_written if in_project else ctx.test_code) or "",
        timeout=timeout if timeout is not None else ctx.config.execution_timeout,
        args=args,
        env=dependency_env_vars(ctx),
    )
    if in_project:
        spec = spec.extended(module_extension(ctx.module))
    for extension in extensions:
        spec = spec.extended(extension)
    return spec


def run_sandboxed(ctx: GateContext, spec: PytestRun, sandbox: Sandbox | None = None) -> PytestResult:
    """Run ``spec`` in the sandbox the configuration asks for (or ``sandbox``).

    Raises:
        GateUnavailable: the sandbox itself could not start (the launcher said why), or the machine was too loaded
            to time the tests (killed while starved of CPU); not a verdict on the code.
    """
    from ..sandbox import run_pytest

    result = run_pytest(spec, sandbox or sandbox_for(ctx), keep_workdir=ctx.config.sandbox.keep_workdir)
    starved = result.run.starved
    if starved is not None:
        raise GateUnavailable(
            f"the machine was too loaded to time the tests: {starved.cpu:.1f} s of CPU in "
            f"{result.run.seconds:.1f} s, {starved.wait:.1f} s of it waiting for a processor"
        )
    if result.run.launcher_failed:
        reason = next(
            (line for line in result.run.output.splitlines() if line.startswith("codeagent-launcher:")), ""
        )
        raise GateUnavailable(
            f"the sandbox could not start ({reason.removeprefix('codeagent-launcher:').strip()})"
        )
    return result
