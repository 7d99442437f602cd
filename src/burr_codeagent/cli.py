"""The ``codeagent`` command line (typer + rich).

Exit codes (see :mod:`burr_codeagent.exit_codes`): 0 passed, 1 not good enough, 2 usage or configuration error, 3
provider or infrastructure failure, 130/143 interrupted by SIGINT/SIGTERM after writing what finished.
Heavy modules are imported inside the commands so ``codeagent --help`` stays fast.
"""

from __future__ import annotations

import functools
import gc
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from .cli_help import Later, lazy_group
from .console_plain import escape
from .exit_codes import (
    EXIT_PROVIDER,
    EXIT_USAGE,
    combine,
    failure_message,
    handle_sigterm,
    interrupt_exit_code,
    run_exit_code,
)
from .sources import UsageError, read_source

if TYPE_CHECKING:
    from rich.console import Console

    from .agent import CodeAgent
    from .config import AgentConfig
    from .models import AgentResult
    from .plugins import PluginManager

app = typer.Typer(
    name="codeagent",
    help="Turn a task in plain language into checked, tested Python code.",
    no_args_is_help=True,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
if TYPE_CHECKING:
    out: Console
    """The console of stdout (``from .cli import out``; made on first use, with rich imported then)."""
    err: Console
    """The console of stderr, likewise."""


@functools.cache
def _console(stderr: bool) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _out() -> Console:
    return _console(False)


def _err() -> Console:
    return _console(True)


def __getattr__(name: str) -> Console:
    # rich's console is imported when a command first prints through it: `codeagent check` writing to a pipe or a
    # file prints through console_plain and never does.
    if name in ("out", "err"):
        return _console(name == "err")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _show_version(value: bool) -> None:
    if value:
        from . import __version__

        _out().print(f"codeagent (burr-codeagent) {__version__}")
        raise typer.Exit()


@app.callback()
def _load_plugins(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_show_version, metavar="", help="Print the version and exit."
        ),
    ] = False,
    plugin: Annotated[
        list[str] | None,
        typer.Option(
            "--plugin",
            "-p",
            metavar="FILE_OR_MODULE",
            help="Load a plugin for this command: a module name or a .py file (repeatable).",
        ),
    ] = None,
) -> None:
    """Turn a task in plain language into checked, tested Python code."""
    if ctx.invoked_subcommand != "check":
        resume_collector(freeze=False)  # `check` resumes it itself, just before its checks run
    token = _COMMAND_PLUGINS.set(CommandPlugins(list(plugin or [])))
    ctx.call_on_close(lambda: _COMMAND_PLUGINS.reset(token))


class CommandPlugins:
    """The ``--plugin`` specs of one command and the plugin manager built from them on first use."""

    def __init__(self, specs: list[str]) -> None:
        self.specs = specs
        self.modules: list[object] = []
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
                    self.modules.append(load_plugin_module(spec))
                    manager.register(self.modules[-1], name=f"cli:{spec}")
                self._manager = manager
        return self._manager


_COMMAND_PLUGINS: ContextVar[CommandPlugins | None] = ContextVar("codeagent_command_plugins", default=None)


def cli_manager() -> PluginManager:
    """The plugin manager of the running command (``--plugin`` modules included); never a process-wide one."""
    state = _COMMAND_PLUGINS.get() or CommandPlugins([])
    with usage_errors():
        return state.manager()


def cli_plugin_modules() -> list[object]:
    """The ``--plugin`` modules of the running command, for APIs that take ``plugins=[...]``."""
    cli_manager()
    state = _COMMAND_PLUGINS.get()
    return list(state.modules) if state is not None else []


def fail(message: str) -> NoReturn:
    """Print ``message`` as an error and exit with code 2."""
    _err().print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(EXIT_USAGE)


@contextmanager
def usage_errors() -> Iterator[None]:
    """Turn every configuration-level exception into a one-paragraph message and exit code 2."""
    from pydantic import ValidationError

    from .errors import ConfigurationError, VisualizeError
    from .plugins import PluginError

    try:
        yield
    except ValidationError as exc:
        from .settings_files import plain_validation_error

        fail("; ".join(plain_validation_error(e) for e in exc.errors(include_url=False)))
    except (UsageError, ConfigurationError, PluginError, VisualizeError) as exc:
        fail(str(exc))
    except Exception as exc:
        # The backends' errors are looked up only when something failed: `codeagent check` never imports them.
        from .backends.base import BackendConfigurationError, BackendError, BackendNotConfiguredError

        if isinstance(exc, BackendNotConfiguredError | BackendConfigurationError):
            fail(str(exc))
        if not isinstance(exc, BackendError):
            raise
        _err().print(f"[bold red]error:[/] {escape(str(exc))}")  # the provider failed, not the settings
        raise typer.Exit(EXIT_PROVIDER) from None


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
    from .settings_files import (
        check_dotenv,
        check_dotenv_names,
        load_provider_variables,
        unknown_name_warnings,
    )

    dotenv = check_dotenv(Path(".env"))
    check_dotenv_names(dotenv, AgentConfig, Path(".env"))
    load_provider_variables(dotenv)
    given = {k: v for k, v in overrides.items() if v is not None}
    with use_pyproject(find_pyproject(pyproject_from)):
        config = AgentConfig(**given)
    manager = cli_manager()
    manager.validate(config, **(validate or {}))
    if (validate or {}).get("gates", True):
        for warning in unknown_name_warnings(config, manager):
            _err().print(f"[yellow]warning:[/] {escape(warning)}")
    return config


def _flag_options(**per_backend: dict[str, object]) -> dict[str, dict[str, object]] | None:
    """``backend_options`` from the flags that were given (``None`` when none was)."""
    given = {b: {k: v for k, v in o.items() if v is not None} for b, o in per_backend.items()}
    return {b: o for b, o in given.items() if o} or None


def _split(value: str | None) -> list[str] | None:
    return None if value is None else [part.strip() for part in value.split(",") if part.strip()]


def backend_given(backend: str | None, cassette: Path | None) -> str | None:
    """The backend the flags name: ``--backend``, else ``replay`` when only ``--cassette`` is given."""
    return backend or ("replay" if cassette is not None else None)


# -- options several commands declare alike (typer copies an alias's option for each command) ----------------------

Backend = Annotated[str | None, typer.Option(help="LLM backend (see `codeagent backends`).")]
Model = Annotated[str | None, typer.Option(help="Model id for the backend.")]
BaseUrl = Annotated[str | None, typer.Option(help="Server URL (OpenAI-compatible backends).")]
ReplayCassette = Annotated[
    Path | None, typer.Option(help="Replay this recorded cassette (implies --backend replay).")
]
NoExecution = Annotated[
    bool, typer.Option("--no-execution", help="Do not run the generated tests.", metavar="")
]
ReportFormats = Annotated[
    str | None, typer.Option(help="Report formats, comma-separated (default markdown,json).")
]
ReportDir = Annotated[
    Path | None, typer.Option(help="Directory for the reports (default codeagent-reports).")
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Only the final summary.", metavar="")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Every event, log-friendly.", metavar="")]

# -- run --------------------------------------------------------------------------------------------------------


def run(
    task: Annotated[str, typer.Argument(help="simple, moderate, complex, all, or the text of a task.")],
    backend: Annotated[
        str | None, typer.Option(help="LLM backend (see `codeagent backends`; default bedrock).")
    ] = None,
    model: Model = None,
    base_url: BaseUrl = None,
    model_path: Annotated[Path | None, typer.Option(help="GGUF model file for the `local` backend.")] = None,
    record: Annotated[
        Path | None, typer.Option(help="Record every model exchange to this cassette file.")
    ] = None,
    cassette: ReplayCassette = None,
    request_timeout: Annotated[
        float | None,
        typer.Option(
            help="Seconds to wait for each answer of the model (default 120; a timed-out request is "
            "retried once)."
        ),
    ] = None,
    max_retries: Annotated[
        int | None, typer.Option(help="Regenerations after the first attempt (default 5).")
    ] = None,
    max_tokens: Annotated[
        int | None, typer.Option(help="Output token limit per answer (default: the model's own limit).")
    ] = None,
    warning_threshold: Annotated[
        int | None, typer.Option(help="Warnings allowed in a passing attempt (default 5).")
    ] = None,
    no_execution: NoExecution = False,
    ai_analysis: Annotated[
        bool, typer.Option("--ai-analysis", help="Ask the model to review failures.", metavar="")
    ] = False,
    keep_going: Annotated[
        bool, typer.Option("--keep-going", help="Do not stop early when attempts stop improving.", metavar="")
    ] = False,
    keep_workdir: Annotated[
        bool, typer.Option("--keep-workdir", help="Keep the sandbox work dirs for debugging.", metavar="")
    ] = False,
    report: ReportFormats = None,
    output_dir: ReportDir = None,
    tests: Annotated[Path | None, typer.Option(help="Acceptance tests every attempt must pass.")] = None,
    write: Annotated[
        Path | None, typer.Option(help="Write the best attempt's module and tests into this directory.")
    ] = None,
    module: Annotated[
        str | None, typer.Option(help="Module name for --write (default: from the function name).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Let --write overwrite existing files.", metavar="")
    ] = False,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="text, or json: the result as JSON on stdout (progress and messages go to stderr).",
        ),
    ] = "text",
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Generate code for a task, check it, and improve it until it passes."""
    from .tasks import resolve_tasks

    with usage_errors():
        config = build_config(
            backend=backend_given(backend, cassette),
            model=model,
            base_url=base_url,
            request_timeout=request_timeout,
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
        if format not in ("text", "json"):
            raise UsageError(f"--format is text or json, not {format!r}")
        # With --format json, stdout carries the result and nothing else.
        shown = _err() if format == "json" else _out()
        acceptance = read_source(tests, MAX_FILE_BYTES_DEFAULT) if tests else None
        tasks = resolve_tasks(task)
        if module is not None and len(tasks) > 1:
            raise UsageError("--module names one module: use it with one task, not several")
        if write is not None and module is not None and not force:
            from .writing import generated_files, write_files

            write_files(generated_files(module, "", "", module), write, dry_run=True)  # fail before the run
        _require_configured(config)
        results: list[tuple[str, AgentResult]] = []
        for name, text in tasks:
            try:
                result = watched(
                    shown,
                    config,
                    (name, text),
                    lambda agent: agent.run(text, acceptance_tests=acceptance),  # noqa: B023 (called now)
                    quiet=quiet,
                    verbose=verbose,
                )
            except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (exit_codes.Terminated)
                what = "terminated (SIGTERM)" if interrupt_exit_code(exc) != 130 else "interrupted"
                _err().print(
                    f"{what}: the reports of the attempts that finished are in {escape(str(config.output_dir))}"
                )
                raise typer.Exit(interrupt_exit_code(exc)) from None
            results.append((name, result))
            if write is not None:
                _write_result(shown, result, write, module, force)
            if failure_message(result):  # exit 2 or 3: say why on stderr
                _err().print(f"[bold red]error:[/] {escape(failure_message(result) or '')}")
    if len(results) > 1:
        from .console import summary_table

        shown.print(summary_table(results))
    if format == "json":
        from .cli_output import print_results_json

        print_results_json([r for _, r in results])
    raise typer.Exit(combine(run_exit_code(r) for _, r in results))


def watched(
    shown: Console,
    config: AgentConfig,
    announced: tuple[str, str],
    work: Callable[[CodeAgent], AgentResult],
    *,
    quiet: bool,
    verbose: bool,
) -> AgentResult:
    """``work`` done by an agent whose events and log lines ``shown`` displays (``announced``: the task's name and
    text); the display is closed however ``work`` ends (Ctrl-C and SIGTERM propagate as ``KeyboardInterrupt``)."""
    from .agent import CodeAgent
    from .console import LiveProgress, progress_for
    from .console_details import burr_hooks, route_logging

    printer = progress_for(shown, quiet=quiet, verbose=verbose, max_attempts=config.max_retries + 1)
    agent = CodeAgent(config, listeners=[printer], manager=cli_manager(), hooks=burr_hooks(printer.on_step))
    printer.start(*announced)
    # Log lines go through the live display's own console, which prints them above the display.
    log_console = shown if isinstance(printer, LiveProgress) else _err()
    try:
        with route_logging(log_console, level=logging.INFO if verbose else logging.WARNING):
            result = work(agent)
    finally:
        printer.close()
    printer.finish(result)
    return result


def _write_result(
    console: Console, result: AgentResult, directory: Path, module: str | None, force: bool
) -> None:
    paths = result.write(directory, module=module, force=force)
    verdict = "" if result.passed else " (it did not pass: see the reports)"
    console.print(
        f"wrote {escape(str(paths['module']))} and {escape(str(paths['tests']))}{verdict}", highlight=False
    )


def _require_configured(config: AgentConfig) -> None:
    from .backend_status import not_configured_message

    message = not_configured_message(cli_manager(), config)
    if message:
        raise UsageError(message)


def _batch() -> Callable[..., None]:
    from .cli_batch import batch

    return batch


def _improve() -> Callable[..., None]:
    from .cli_improve import improve

    return improve


def _info(name: str) -> Callable[[], Callable[..., None]]:
    def load() -> Callable[..., None]:
        from . import cli_info

        command: Callable[..., None] = getattr(cli_info, name)
        return command

    return load


def _mcp() -> Callable[..., None]:
    from .integrations.mcp_command import make_mcp_command

    return make_mcp_command(cli_manager)


def _eval() -> typer.Typer:
    from .cli_eval import eval_app

    return eval_app


from .cli_check import MAX_FILE_BYTES_DEFAULT, check  # noqa: E402  (registered here; the modules import cli lazily)

# Typer turns a command into a click command only when it is used (see cli_help), and the modules of the commands
# not run are not even imported: `codeagent check` builds one command and imports cli_check alone.
app.info.cls = lazy_group(
    {
        "run": run,
        "check": check,
        "gates": Later(_info("gates")),
        "backends": Later(_info("backends")),
        "visualize": Later(_info("visualize")),
        "schema": Later(_info("schema")),
        "batch": Later(_batch),
        "improve": Later(_improve),
        "mcp": Later(_mcp),
    },
    {"eval": Later(_eval)},
    rich_markup_mode=app.rich_markup_mode,
)


_collector_held = False


def resume_collector(*, freeze: bool) -> None:
    """Turn automatic garbage collection back on if :func:`main` held it off while the process started.

    With ``freeze``, what the start-up built is first frozen out of the collector's walks: modules, typer's
    commands, pydantic's schemas, nothing that becomes garbage before the process ends.
    """
    global _collector_held
    if _collector_held:
        _collector_held = False
        if freeze:
            gc.freeze()
        gc.enable()


def main(*, collector_was_on: bool | None = None) -> None:
    """Run the ``codeagent`` command line (the script enters through :mod:`burr_codeagent.entry_point`).

    ``collector_was_on``: whether automatic garbage collection was on before the caller held it off; ``None``, the
    caller did not, and it is held off here.
    """
    global _collector_held
    handle_sigterm()
    # Start-up (imports, typer's parse with pydantic's, the models' schemas) only builds what lives as long as the
    # process, so the collector's passes over it find nothing: ~3 % of a `codeagent check` process. It stays off
    # until the command's own work starts (in the group's callback, or in `check` just before its checks run).
    _collector_held = gc.isenabled() if collector_was_on is None else collector_was_on
    gc.disable()
    try:
        app()
    finally:
        # The process ends here. Interpreter shutdown would run the cycle collector over every object the command
        # left (tens of thousands: the gates' tables, pydantic's schemas, typer's commands), for nothing: ~15 % of
        # the CPU of a `codeagent check` process. atexit handlers and the streams' flushes still run as before.
        gc.freeze()
