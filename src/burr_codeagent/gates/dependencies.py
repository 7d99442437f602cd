"""The ``dependencies`` gate: install the answer's ``dependencies`` into a cached environment the sandbox uses.

Runs before ``imports`` and ``execution`` and publishes the environment as ``ctx.shared["dependency_env"]``
(see :mod:`burr_codeagent.sandbox.dependencies`). A distribution the configured index or wheelhouse does not have
becomes one critical ``dependencies.missing`` finding naming it; the ``imports`` and ``execution`` gates then do not
repeat the problem in their own words. Nothing is installed when code execution is off or ``dependency_env.install``
is false; wheels only (``--only-binary :all:``), so installing never runs a package's build code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from ..hookspecs import hookimpl
from ..models import Finding, Severity
from .base import Gate, GateContext, GateSkipped

__all__ = ["ENV_KEY", "MISSING_KEY", "DependenciesGate", "register_gates"]

ENV_KEY = "dependency_env"
MISSING_KEY = "dependency_missing"

RULES: Mapping[str, str] = {
    "dependencies.missing": "A declared dependency is not available from the index or wheelhouse.",
    "dependencies.install_failed": "Installing the declared dependencies failed.",
}


class DependenciesGate:
    """Installs the declared dependencies (cached per set) so the sandboxed tests can import them."""

    name = "dependencies"
    description = (
        "Installs the answer's dependencies into a cached environment for the sandbox (wheels only)."
    )
    rules = RULES
    waits_on_subprocess = True

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        settings = ctx.config.dependency_env
        if not ctx.dependencies:
            raise GateSkipped("the code declares no dependencies")
        if not ctx.config.enable_code_execution or not settings.install:
            raise GateSkipped("dependencies are installed only when the tests run (dependency_env.install)")
        # Imported here: packaging and the installer are for checks that run the tests.
        from ..sandbox.dependencies import (
            DependencyInstallError,
            MissingDistributionError,
            prepare_environment,
        )

        try:
            env = prepare_environment(
                ctx.dependencies,
                cache_dir=settings.cache_dir,
                index_url=settings.index_url,
                find_links=[str(link) for link in settings.find_links],
                no_index=settings.no_index,
                installer=settings.installer,
                timeout=settings.timeout,
            )
        except MissingDistributionError as exc:
            ctx.shared[MISSING_KEY] = list(exc.missing)
            yield Finding(
                gate=self.name,
                rule="dependencies.missing",
                severity=Severity.CRITICAL,
                message=f"Dependency {', '.join(f'`{m}`' for m in exc.missing)} is not available from "
                f"{exc.source}, so the code cannot be imported or tested.",
                suggestion="Use the standard library or a distribution that exists under that name (check the "
                "spelling and the version), or make it available in the wheelhouse.",
            )
            return
        except DependencyInstallError as exc:
            ctx.shared[MISSING_KEY] = list(ctx.dependencies)
            tail = exc.output.strip().splitlines()[-6:]
            yield Finding(
                gate=self.name,
                rule="dependencies.install_failed",
                severity=Severity.CRITICAL,
                message=f"{exc}." + ("\n" + "\n".join(tail) if tail else ""),
                suggestion="Declare wheels that exist for this Python, or use the standard library.",
            )
            return
        ctx.shared[ENV_KEY] = env


@hookimpl
def register_gates(register: Callable[[Gate], None]) -> None:
    """Register the ``dependencies`` gate."""
    register(DependenciesGate())
