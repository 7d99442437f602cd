"""``codeagent mcp``: the checker and the agent as Model Context Protocol tools for coding assistants.

Built on the official ``mcp`` SDK (2.x: ``MCPServer``, formerly ``FastMCP``). Four tools:

- ``check_code`` and ``check_file``: read-only and idempotent (a sandboxed test run changes nothing outside its
  throw-away work dir); the verdict, findings and test results as structured content plus ``codeagent check``'s text.
- ``generate_code``: runs the agent with the server's configured backend (open world: it calls an LLM provider and
  writes report files), with a progress notification per attempt.
- ``list_gates``: the registered gates and their rules.

Limits: a size cap on code and tests, the sandbox's execution timeout, and at most ``max_concurrent`` checks or runs
at a time (the rest wait). A bad argument is a tool error (``isError``); the server keeps serving.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import anyio
import anyio.from_thread
import anyio.lowlevel
import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from ..backends.base import BackendError
from ..checker import Checker
from ..config import AgentConfig
from ..errors import ConfigurationError
from ..events import AgentEvent
from ..models import CheckReport
from ..plugins import PluginManager, default_manager, unknown_name_message
from ..reports.sarif import tool_version
from .inputs import DEFAULT_MAX_BYTES, InputError, read_source_under, validate_source
from .module_alias import alias_module_imports
from .tool_results import (
    CheckResult,
    GateInfo,
    GenerateResult,
    check_result,
    generate_result,
    summary_text,
)

__all__ = ["ServerSettings", "build_server"]

INSTRUCTIONS = (
    "burr-codeagent checks Python code with quality gates (syntax, types, docstrings, security, complexity, "
    "style...) and runs its pytest tests in a sandbox. Call check_code after writing code, with its tests; tests "
    "import the code as `solution` (or as module_name). Fix critical findings first; a check passes with no "
    "critical finding and warnings within the threshold, exactly like `codeagent check` exiting 0."
)
READ_ONLY = ToolAnnotations(
    title=None, read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)


@dataclass(frozen=True)
class ServerSettings:
    """Limits and places of one server."""

    root: Path
    """``check_file`` reads files under this directory only."""
    max_bytes: int = DEFAULT_MAX_BYTES
    """Largest code or test text accepted, in UTF-8 bytes."""
    max_concurrent: int = 2
    """Checks and agent runs served at once; further calls wait their turn."""


class GateList(BaseModel):
    """Every registered gate."""

    gates: list[GateInfo]


def _gate_infos(manager: PluginManager) -> list[GateInfo]:
    return [
        GateInfo(
            name=name,
            description=r.item.description,
            rules={str(k): str(v) for k, v in dict(r.item.rules).items()},
            plugin=r.plugin,
            enabled_by_default=bool(getattr(r.item, "enabled_by_default", True)),
        )
        for name, r in manager.gates().items()
    ]


class _Tools:
    """The tool implementations, sharing one configuration and one concurrency limit."""

    def __init__(self, settings: ServerSettings, config: AgentConfig, manager: PluginManager) -> None:
        self.settings = settings
        self.config = config
        self.manager = manager
        self.limiter = anyio.CapacityLimiter(settings.max_concurrent)

    def _check_config(self, gates: list[str] | None, execution: bool) -> AgentConfig:
        update: dict[str, Any] = {"enable_code_execution": execution, "tracking": False}
        if gates is not None:
            known = self.manager.gate_names()
            unknown = [g for g in gates if g not in known]
            if unknown:
                raise ToolError(unknown_name_message("gate", unknown[0], known))
            if not gates:
                raise ToolError(
                    "gates is an empty list: name gates to run, or leave gates out for the configured set"
                )
            update["gates"] = self.config.gates.model_copy(update={"enable": list(gates)})
        return self.config.model_copy(update=update)

    async def _check(
        self, config: AgentConfig, code: str, tests: str | None, code_path: str, test_path: str | None
    ) -> CallToolResult:
        def run() -> CheckReport:
            return Checker(config, self.manager).check(code, tests)

        report = await anyio.to_thread.run_sync(run, limiter=self.limiter)
        result = check_result(report)
        return CallToolResult(
            content=[TextContent(type="text", text=summary_text(report, code_path, test_path))],
            structured_content=result.model_dump(mode="json"),
        )

    async def check_code(
        self,
        code: Annotated[str, Field(description="The Python module to check.")],
        tests: Annotated[
            str | None,
            Field(description="pytest tests for the code; they import it as `solution` (or as module_name)."),
        ] = None,
        module_name: Annotated[
            str | None,
            Field(
                description="The name the tests import the code by, e.g. `shapes` for `from shapes import area`."
            ),
        ] = None,
        gates: Annotated[
            list[str] | None,
            Field(description="Run only these gates (see list_gates); default: the configured set."),
        ] = None,
        execution: Annotated[bool, Field(description="Run the tests in the sandbox.")] = True,
    ) -> Annotated[CallToolResult, CheckResult]:
        """Check Python code (and its tests) with every quality gate, running the tests in a sandbox.

        Returns the verdict (passed when there is no critical finding and warnings are within the threshold),
        the findings with rule, severity, line, message and suggestion, and the test results.
        """
        try:
            code = validate_source(code, "code", self.settings.max_bytes)
            if tests is not None:
                tests = validate_source(tests, "tests", self.settings.max_bytes)
                if module_name is not None:
                    tests = alias_module_imports(tests, module_name)
        except InputError as exc:
            raise ToolError(str(exc)) from exc
        if module_name is not None and not module_name.isidentifier():
            raise ToolError(f"module_name {module_name!r} is not a Python identifier")
        config = self._check_config(gates, execution)
        name = f"{module_name or 'solution'}.py"
        return await self._check(config, code, tests, name, f"test_{name}" if tests else None)

    async def check_file(
        self,
        path: Annotated[str, Field(description="A Python file under the server's working directory.")],
        tests_path: Annotated[
            str | None, Field(description="Its pytest tests (under the working directory too).")
        ] = None,
    ) -> Annotated[CallToolResult, CheckResult]:
        """Check a Python file under the server's working directory, like `codeagent check PATH --tests TESTS`.

        Paths outside the working directory are refused. The tests may import the file by its own name
        (`from shapes import area` for shapes.py) or as `solution`.
        """
        root = self.settings.root
        try:
            code_file, code = read_source_under(root, path, "path", self.settings.max_bytes)
            tests = None
            test_shown = None
            if tests_path is not None:
                test_file, tests = read_source_under(root, tests_path, "tests_path", self.settings.max_bytes)
                tests = alias_module_imports(tests, code_file.stem)
                test_shown = str(test_file.relative_to(root.resolve()))
        except InputError as exc:
            raise ToolError(str(exc)) from exc
        config = self._check_config(None, self.config.enable_code_execution)
        return await self._check(config, code, tests, str(code_file.relative_to(root.resolve())), test_shown)

    async def generate_code(
        self,
        task: Annotated[str, Field(description="What the code must do, in plain language.")],
        ctx: Context,
        tests: Annotated[
            str | None,
            Field(
                description="Acceptance tests every attempt must pass (they import the code as `solution`)."
            ),
        ] = None,
        max_retries: Annotated[
            int | None, Field(ge=0, le=10, description="Regenerations after the first attempt.")
        ] = None,
    ) -> Annotated[CallToolResult, GenerateResult]:
        """Generate checked, tested Python code for a task with the server's configured LLM backend.

        Sends a progress notification as each attempt starts and as its check finishes. Returns the best
        attempt's code and tests, its verdict and the paths of the reports written.
        """
        from ..agent import CodeAgent

        try:
            task = validate_source(task, "task", self.settings.max_bytes)
            if tests is not None:
                tests = validate_source(tests, "tests", self.settings.max_bytes)
        except InputError as exc:
            raise ToolError(str(exc)) from exc
        config = self.config
        if max_retries is not None:
            config = config.model_copy(update={"max_retries": max_retries})
        attempts = config.max_retries + 1
        listener = _ProgressListener(ctx, attempts)
        try:
            agent = CodeAgent(config, listeners=[listener], manager=self.manager)
            result = await anyio.to_thread.run_sync(
                lambda: agent.run(task, acceptance_tests=tests), limiter=self.limiter
            )
        except (BackendError, ConfigurationError) as exc:
            raise ToolError(f"the {config.backend!r} backend could not run: {exc}") from exc
        await ctx.report_progress(attempts, attempts, f"finished: {result.stop_reason}")
        structured = generate_result(result)
        verdict = "passed" if result.passed else "not good enough"
        text = (
            f"{verdict} after {len(result.attempts)} attempt(s) ({result.stop_reason}); "
            f"reports: {', '.join(structured.report_paths.values()) or 'none'}\n\n{result.code or ''}"
        )
        return CallToolResult(
            content=[TextContent(type="text", text=text)],
            structured_content=structured.model_dump(mode="json"),
        )

    def list_gates(self) -> Annotated[CallToolResult, GateList]:
        """List every registered quality gate with its description and rules."""
        gates = _gate_infos(self.manager)
        lines = [f"{g.name} ({len(g.rules)} rules): {g.description}" for g in gates]
        return CallToolResult(
            content=[TextContent(type="text", text="\n".join(lines))],
            structured_content={"gates": [g.model_dump(mode="json") for g in gates]},
        )


class _ProgressListener:
    """Turns agent events (raised in a worker thread) into MCP progress notifications: half a step per event."""

    def __init__(self, ctx: Context, attempts: int) -> None:
        self.ctx = ctx
        self.total = attempts
        self.token = anyio.lowlevel.current_token()
        self.current = 0

    def __call__(self, event: AgentEvent) -> None:
        if event.kind == "attempt_started":
            self.current = event.attempt or self.current + 1
            progress, message = (
                self.current - 0.5,
                f"attempt {self.current} of up to {self.total}: generating",
            )
        elif event.kind == "check_finished" and self.current:
            report = event.data["report"]
            verdict = "passed" if report.passed else "not good enough"
            progress = float(self.current)
            message = (
                f"attempt {self.current}: {verdict} ({report.critical_count} critical, "
                f"{report.warning_count} warnings)"
            )
        else:
            return
        anyio.from_thread.run(
            self.ctx.report_progress, progress, float(self.total), message, token=self.token
        )


def build_server(
    settings: ServerSettings, config: AgentConfig, manager: PluginManager | None = None
) -> MCPServer[Any]:
    """An MCP server exposing the checker and the agent with ``config`` and ``manager``'s plugins.

    Burr tracking stays as configured for ``generate_code`` and is off for checks.
    """
    tools = _Tools(settings, config, manager if manager is not None else default_manager())
    server: MCPServer[Any] = MCPServer("burr-codeagent", version=tool_version(), instructions=INSTRUCTIONS)
    server.add_tool(tools.check_code, title="Check Python code", annotations=READ_ONLY)
    server.add_tool(tools.check_file, title="Check a Python file", annotations=READ_ONLY)
    server.add_tool(
        tools.generate_code,
        title="Generate checked Python code",
        annotations=ToolAnnotations(
            read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True
        ),
    )
    server.add_tool(tools.list_gates, title="List quality gates", annotations=READ_ONLY)
    return server
