"""The ``codeagent`` command line (typer + rich).

Exit codes: 0 passed, 1 not good enough (findings over the threshold), 2 usage or configuration error.
Heavy modules are imported inside the commands so ``codeagent --help`` stays fast.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from .integrations.mcp_command import make_mcp_command

if TYPE_CHECKING:
    from .config import AgentConfig
    from .models import AgentResult
    from .plugins import PluginManager

app = typer.Typer(
    name="codeagent",
    help="Turn a task in plain language into checked, tested Python code.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
MAX_FILE_BYTES_DEFAULT = 2_000_000
T = TypeVar("T")


class UsageError(Exception):
    """A problem the user can fix; printed as one paragraph, exit code 2."""


@app.callback()
def _load_plugins(
    ctx: typer.Context,
    plugin: Annotated[
        list[str] | None,
        typer.Option(
            "--plugin",
            "-p",
            help="Load a plugin for this command: a module name or a .py file (repeatable).",
        ),
    ] = None,
) -> None:
    """Turn a task in plain language into checked, tested Python code."""
    token = _COMMAND_PLUGINS.set(CommandPlugins(list(plugin or [])))
    ctx.call_on_close(lambda: _COMMAND_PLUGINS.reset(token))


class CommandPlugins:
    """The ``--plugin`` specs of one command and the plugin manager built from them on first use."""

    def __init__(self, specs: list[str]) -> None:
        self.specs = specs
        self._manager: PluginManager | None = None

    def manager(self) -> PluginManager:
        """The manager this command runs with: the default one, or a fresh one with the ``--plugin`` modules."""
        from .plugins import PluginManager, default_manager, load_plugin_module

        if self._manager is None:
            if not self.specs:
                self._manager = default_manager()
            else:
                manager = PluginManager()
                for spec in self.specs:
                    manager.register(load_plugin_module(spec), name=f"cli:{spec}")
                self._manager = manager
        return self._manager


_COMMAND_PLUGINS: ContextVar[CommandPlugins | None] = ContextVar("codeagent_command_plugins", default=None)


def cli_manager() -> PluginManager:
    """The plugin manager of the running command (``--plugin`` modules included); never a process-wide one."""
    state = _COMMAND_PLUGINS.get() or CommandPlugins([])
    with usage_errors():
        return state.manager()


def fail(message: str) -> NoReturn:
    """Print ``message`` as an error and exit with code 2."""
    err.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(EXIT_USAGE)


@contextmanager
def usage_errors() -> Iterator[None]:
    """Turn every configuration-level exception into a one-paragraph message and exit code 2."""
    from pydantic import ValidationError

    from .backends.base import BackendError
    from .errors import ConfigurationError, VisualizeError
    from .plugins import PluginError

    try:
        yield
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}"
            for e in exc.errors(include_url=False)
        )
        fail(f"invalid setting: {problems}")
    except (UsageError, ConfigurationError, PluginError, VisualizeError, BackendError) as exc:
        fail(str(exc))


def build_config(
    pyproject_from: Path | None = None,
    *,
    validate: dict[str, bool] | None = None,
    **overrides: Any,
) -> AgentConfig:
    """An :class:`AgentConfig` from the environment and the nearest pyproject.toml, with CLI flags on top.

    The names it uses are checked against this command's plugins (``validate`` picks which: ``backend``,
    ``gates``, ``formats``; default all).
    """
    from .config import AgentConfig, find_pyproject, use_pyproject

    given = {k: v for k, v in overrides.items() if v is not None}
    with use_pyproject(find_pyproject(pyproject_from)):
        config = AgentConfig(**given)
    cli_manager().validate(config, **(validate or {}))
    return config


def _flag_options(**per_backend: dict[str, object]) -> dict[str, dict[str, object]] | None:
    """``backend_options`` from the flags that were given (``None`` when none was)."""
    given = {b: {k: v for k, v in o.items() if v is not None} for b, o in per_backend.items()}
    return {b: o for b, o in given.items() if o} or None


def _split(value: str | None) -> list[str] | None:
    return None if value is None else [part.strip() for part in value.split(",") if part.strip()]


# -- run --------------------------------------------------------------------------------------------------------


def configuration_help() -> str:
    """How to configure each registered backend, one line each."""
    lines = []
    for name, registered in sorted(cli_manager().backends().items()):
        lines.append(f"  {name}: {registered.item.description}")
    return "\n".join(lines)


@app.command()
def run(
    task: Annotated[str, typer.Argument(help="simple, moderate, complex, all, or the text of a task.")],
    backend: Annotated[str | None, typer.Option(help="LLM backend (see `codeagent backends`).")] = None,
    model: Annotated[str | None, typer.Option(help="Model id for the backend.")] = None,
    base_url: Annotated[str | None, typer.Option(help="Server URL (OpenAI-compatible backends).")] = None,
    model_path: Annotated[Path | None, typer.Option(help="GGUF model file for the `local` backend.")] = None,
    record: Annotated[
        Path | None, typer.Option(help="Record every model exchange to this cassette file.")
    ] = None,
    cassette: Annotated[
        Path | None, typer.Option(help="Replay this recorded cassette (implies --backend replay).")
    ] = None,
    max_retries: Annotated[int | None, typer.Option(help="Regenerations after the first attempt.")] = None,
    max_tokens: Annotated[
        int | None, typer.Option(help="Output token limit per answer (default: the model's own limit).")
    ] = None,
    warning_threshold: Annotated[
        int | None, typer.Option(help="Warnings allowed in a passing attempt.")
    ] = None,
    no_execution: Annotated[
        bool, typer.Option("--no-execution", help="Do not run the generated tests.")
    ] = False,
    ai_analysis: Annotated[
        bool, typer.Option("--ai-analysis", help="Ask the model to review failures.")
    ] = False,
    keep_going: Annotated[
        bool, typer.Option("--keep-going", help="Do not stop early when attempts stop improving.")
    ] = False,
    keep_workdir: Annotated[
        bool, typer.Option("--keep-workdir", help="Keep the sandbox work dirs for debugging.")
    ] = False,
    report: Annotated[str | None, typer.Option(help="Report formats, comma-separated.")] = None,
    output_dir: Annotated[Path | None, typer.Option(help="Directory for the reports.")] = None,
    tests: Annotated[Path | None, typer.Option(help="Acceptance tests every attempt must pass.")] = None,
    write: Annotated[
        Path | None, typer.Option(help="Write the best attempt's module and tests into this directory.")
    ] = None,
    module: Annotated[
        str | None, typer.Option(help="Module name for --write (default: from the function name).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Let --write overwrite existing files.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the final summary.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Every event, log-friendly.")] = False,
) -> None:
    """Generate code for a task, check it, and improve it until it passes."""
    from .agent import CodeAgent
    from .tasks import resolve_tasks

    with usage_errors():
        config = build_config(
            backend=backend or ("replay" if cassette is not None else None),
            model=model,
            base_url=base_url,
            record=record,
            # Flags for one backend's settings go to its options, so they win over a pyproject.toml's.
            backend_options=_flag_options(local={"model_path": model_path}, replay={"cassette": cassette}),
            max_retries=max_retries,
            max_tokens=max_tokens,
            warning_threshold=warning_threshold,
            enable_code_execution=False if no_execution else None,
            enable_ai_analysis=True if ai_analysis else None,
            stop_on_no_progress=False if keep_going else None,
            sandbox={"keep_workdir": True} if keep_workdir else None,
            report_formats=_split(report),
            output_dir=output_dir,
        )
        if not task.strip():
            raise UsageError("the task is empty: give simple, moderate, complex, all or the text of a task")
        acceptance = read_source(tests, MAX_FILE_BYTES_DEFAULT) if tests else None
        tasks = resolve_tasks(task)
        if module is not None and len(tasks) > 1:
            raise UsageError("--module names one module: use it with one task, not several")
        if write is not None and module is not None and not force:
            from .writing import generated_files, write_files

            write_files(generated_files(module, "", "", module), write, dry_run=True)  # fail before the run
        _require_configured(config)
        from .console import LiveProgress, progress_for
        from .console_details import burr_hooks, route_logging

        results: list[tuple[str, AgentResult]] = []
        for name, text in tasks:
            printer = progress_for(out, quiet=quiet, verbose=verbose, max_attempts=config.max_retries + 1)
            agent = CodeAgent(
                config, listeners=[printer], manager=cli_manager(), hooks=burr_hooks(printer.on_step)
            )
            printer.start(name, text)
            # Log lines go through the live display's own console, which prints them above the display.
            log_console = out if isinstance(printer, LiveProgress) else err
            try:
                with route_logging(log_console, level=logging.INFO if verbose else logging.WARNING):
                    result = agent.run(text, acceptance_tests=acceptance)
            except KeyboardInterrupt:
                printer.close()
                err.print(
                    f"interrupted: the reports of the attempts that finished are in {escape(str(config.output_dir))}"
                )
                raise typer.Exit(EXIT_INTERRUPTED) from None
            finally:
                printer.close()
            printer.finish(result)
            results.append((name, result))
            if write is not None:
                _write_result(result, write, module, force)
    if len(results) > 1:
        from .console import summary_table

        out.print(summary_table(results))
    raise typer.Exit(EXIT_PASSED if all(r.passed for _, r in results) else EXIT_FAILED)


def _write_result(result: AgentResult, directory: Path, module: str | None, force: bool) -> None:
    paths = result.write(directory, module=module, force=force)
    verdict = "" if result.passed else " (it did not pass: see the reports)"
    out.print(
        f"wrote {escape(str(paths['module']))} and {escape(str(paths['tests']))}{verdict}", highlight=False
    )


def _require_configured(config: AgentConfig) -> None:
    factory = cli_manager().backends()[config.backend].item
    missing = factory.missing(config)
    if missing:
        raise UsageError(
            f"the {config.backend!r} backend is not configured: {'; '.join(missing)}. "
            "Pick and configure a backend with --backend or CODEAGENT_BACKEND; `codeagent backends` shows what each "
            f"one needs:\n{configuration_help()}"
        )


# -- check ------------------------------------------------------------------------------------------------------


def read_source(path: Path, max_bytes: int) -> str:
    """Read a Python source file, or raise :class:`UsageError` saying exactly why it cannot be checked."""
    if not path.exists():
        raise UsageError(f"{path}: no such file")
    if path.is_dir():
        raise UsageError(f"{path}: is a directory; give the Python files to check")
    size = path.stat().st_size
    if size > max_bytes:
        raise UsageError(
            f"{path}: {size / 1_000_000:.1f} MB is larger than the {max_bytes / 1_000_000:.1f} MB limit "
            "(raise it with --max-bytes)"
        )
    data = path.read_bytes()
    if b"\x00" in data:
        raise UsageError(f"{path}: contains null bytes; it looks like a binary file, not Python source")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{path}: is not valid UTF-8 (byte {exc.start}: {data[exc.start : exc.start + 1]!r}); "
            "save it as UTF-8 (PEP 3120)"
        ) from exc
    if not text.strip():
        raise UsageError(f"{path}: is empty; there is nothing to check")
    return text.removeprefix("\ufeff")


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(help="Python files to check.")],
    tests: Annotated[
        Path | None,
        typer.Option(help="Tests for the code (they import it by its file name or as `solution`)."),
    ] = None,
    find_tests: Annotated[
        bool,
        typer.Option(
            "--find-tests", help="Pair each file with its test_<name>.py (beside it or under tests/)."
        ),
    ] = False,
    acceptance: Annotated[
        Path | None,
        typer.Option(help="Acceptance tests the code must pass (critical on failure; import `solution`)."),
    ] = None,
    format: Annotated[
        str, typer.Option("--format", "-f", help="text, json, markdown, html, sarif or junit.")
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report here, not stdout.")
    ] = None,
    no_execution: Annotated[bool, typer.Option("--no-execution", help="Do not run the tests.")] = False,
    keep_workdir: Annotated[
        bool, typer.Option("--keep-workdir", help="Keep the sandbox work dir for debugging.")
    ] = False,
    warning_threshold: Annotated[int | None, typer.Option(help="Warnings allowed.")] = None,
    max_bytes: Annotated[int, typer.Option(help="Largest file accepted.")] = MAX_FILE_BYTES_DEFAULT,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also print info findings (text output).")
    ] = False,
) -> None:
    """Check existing code with the quality gates, like a linter."""
    from .checker import Checker
    from .integrations.module_alias import alias_module_imports
    from .integrations.tests_finder import find_tests_for
    from .plugins import unknown_name_message
    from .reports.base import RenderContext, join_rendered, renderer_options
    from .reports.writer import gates_of, render_report

    with usage_errors():
        if tests is not None and len(paths) > 1:
            raise UsageError("--tests goes with exactly one code file")
        manager = cli_manager()
        known = manager.renderer_names() | {"text"}
        if format not in known:
            raise UsageError(unknown_name_message("format", format, known))
        given_tests = read_source(tests, max_bytes) if tests else None
        acceptance_tests = read_source(acceptance, max_bytes) if acceptance else None
        sources = [(path, read_source(path, max_bytes)) for path in paths]
        exit_code = EXIT_PASSED
        rendered: list[str] = []
        for path, code in sources:
            test_path = tests if tests is not None else (find_tests_for(path) if find_tests else None)
            raw_tests = (
                given_tests
                if tests is not None
                else (read_source(test_path, max_bytes) if test_path else None)
            )
            # The tests may import the module by its file name; the sandbox names it `solution`.
            test_code = alias_module_imports(raw_tests, path.stem) if raw_tests is not None else None
            config = build_config(
                pyproject_from=path,
                enable_code_execution=False if no_execution else None,
                sandbox={"keep_workdir": True} if keep_workdir else None,
                warning_threshold=warning_threshold,
                tracking=False,
                validate={"backend": False, "formats": False},
            )
            report = Checker(config, manager).check(code, test_code, acceptance_tests=acceptance_tests)
            if not report.passed:
                exit_code = EXIT_FAILED
            if format == "text":
                from .console import print_findings

                print_findings(
                    out, report, str(path), str(test_path) if test_path else None, show_info=verbose
                )
                continue
            context = RenderContext(
                config=config.redacted(),
                source_paths={"code": str(path), **({"tests": str(test_path)} if test_path else {})},
                sources={"code": code, **({"tests": raw_tests} if raw_tests is not None else {})},
                gates=gates_of(manager),
            )
            renderer = manager.renderers()[format].item
            context = dataclasses.replace(context, options=renderer_options(renderer, context.config))
            secret = config.api_key.get_secret_value() if config.api_key else None
            rendered.append(render_report(renderer, report, context, secrets=[secret]))
        if rendered:
            text = join_rendered(manager.renderers()[format].item, rendered, context)
            if output is not None:
                output.write_text(text, encoding="utf-8")
            else:
                sys.stdout.write(text if text.endswith("\n") else text + "\n")
    raise typer.Exit(exit_code)


# -- gates, backends, visualize ---------------------------------------------------------------------------------


@app.command()
def gates(
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """List every registered quality gate with its rules and the plugin it comes from."""
    from rich.table import Table

    from .gates.base import GateTraits
    from .plugin_settings import describe_settings

    registered = cli_manager().gates()
    rows: list[dict[str, Any]] = [
        {
            "name": name,
            "description": r.item.description,
            "rules": dict(r.item.rules),
            "plugin": r.plugin,
            "enabled_by_default": GateTraits.of(r.item).enabled_by_default,
            "settings": describe_settings(GateTraits.of(r.item).settings),
        }
        for name, r in registered.items()
    ]
    if format == "json":
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table(title="Quality gates")
    for column in ("gate", "description", "rules", "plugin", "default"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["name"],
            row["description"],
            str(len(row["rules"])),
            row["plugin"],
            "on" if row["enabled_by_default"] else "off",
        )
    out.print(table)


@app.command()
def backends(
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """List every registered LLM backend and whether it is configured."""
    from rich.table import Table

    from .plugin_settings import describe_settings

    with usage_errors():
        config = build_config(validate={"backend": False, "gates": False, "formats": False})
        rows: list[dict[str, Any]] = []
        for name, r in sorted(cli_manager().backends().items()):
            missing = r.item.missing(config)
            rows.append(
                {
                    "name": name,
                    "description": r.item.description,
                    "configured": not missing,
                    "missing": missing,
                    "plugin": r.plugin,
                    "selected": name == config.backend,
                    "settings": describe_settings(getattr(r.item, "settings", ())),
                }
            )
    if format == "json":
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table(title="LLM backends")
    for column in ("backend", "configured", "what is missing", "description"):
        table.add_column(column)
    for row in rows:
        name = f"{row['name']} (selected)" if row["selected"] else row["name"]
        table.add_row(
            name, "yes" if row["configured"] else "no", "\n".join(row["missing"]) or "-", row["description"]
        )
    out.print(table)


@app.command()
def visualize(
    output: Annotated[
        Path, typer.Option("--output", "-o", help=".png, .svg, .pdf (need graphviz), .dot or .mmd")
    ],
) -> None:
    """Draw the agent's Burr graph."""
    from .agent import CodeAgent
    from .visualize import write_graph

    with usage_errors():
        config = build_config(tracking=False)
        written = write_graph(CodeAgent(config, manager=cli_manager()).graph(), output)
    out.print(f"wrote {written}")


@app.command()
def schema(
    name: Annotated[str, typer.Argument(help="agent-result (run's json report) or check-report (check's).")],
) -> None:
    """Print the JSON Schema of a json report (generated from the pydantic models)."""
    from .reports.schema import SCHEMAS, schema_text

    if name not in SCHEMAS:
        fail(f"unknown schema {name!r}; choose from: {', '.join(sorted(SCHEMAS))}")
    sys.stdout.write(schema_text(name))


from .cli_batch import batch as _batch  # noqa: E402  (registered here; the modules import cli lazily)
from .cli_eval import eval_app as _eval_app  # noqa: E402

app.command("batch")(_batch)
app.add_typer(_eval_app, name="eval")
app.command("mcp")(make_mcp_command(cli_manager))


def main() -> None:
    """Entry point of the ``codeagent`` script."""
    app()
