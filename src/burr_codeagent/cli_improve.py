"""``codeagent improve PATH``: check existing code and improve it with the model until it passes.

Code that passes (and no ``--task``) is left alone without a model call. Otherwise the loop runs as in ``run``,
starting from the file. Without ``--write`` the change is printed as a unified diff and the files stay as they
are; with it the module (and tests) are updated in place, each old version kept as ``<file>.orig`` -- an existing
backup is never overwritten: the command refuses before any model call. Exit codes as ``run``.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from .cli import Backend, BaseUrl, Model, Quiet, ReplayCassette, ReportDir, ReportFormats, Verbose
from .cli_check import MAX_FILE_BYTES_DEFAULT, MaxBytes
from .exit_codes import failure_message, interrupt_exit_code, run_exit_code
from .sources import UsageError, read_source

if TYPE_CHECKING:
    from .config import AgentConfig
    from .models import AgentResult
    from .module_under_test import ModuleUnderTest

__all__ = ["BACKUP_SUFFIX", "backup_path", "improve", "unified_diff"]

BACKUP_SUFFIX = ".orig"


def backup_path(path: Path) -> Path:
    """Where ``--write`` keeps the old version of ``path``: ``mymod.py`` -> ``mymod.py.orig``."""
    return path.with_name(path.name + BACKUP_SUFFIX)


def unified_diff(old: str, new: str, path: Path) -> str:
    """The change from ``old`` to ``new`` as a unified diff with ``a/`` and ``b/`` paths (empty: no change)."""
    name = path.as_posix().lstrip("/")
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{name}", f"b/{name}"
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def _tests_path(path: Path, tests: Path | None) -> Path:
    return tests if tests is not None else path.with_name(f"test_{path.stem}.py")


def _refuse_clobbering(targets: list[Path]) -> None:
    """Fail before any model call if writing would overwrite a backup (or a tests file not given)."""
    for target in targets:
        backup = backup_path(target)
        if backup.exists():
            raise UsageError(
                f"{backup} exists: --write keeps the old version of {target} there and never overwrites a backup; "
                "move or delete it first"
            )


def _write(changes: list[tuple[Path, str | None, str]]) -> list[str]:
    """Write each changed file, keeping the old version as its backup; what was done, one line each."""
    done = []
    for target, old, new in changes:
        if old == new:
            continue
        if old is not None:
            backup_path(target).write_text(old, encoding="utf-8")
            target.write_text(new, encoding="utf-8")
            done.append(f"updated {target} (the old version is in {backup_path(target)})")
        elif new.strip():
            target.write_text(new, encoding="utf-8")
            done.append(f"wrote {target}")
    return done


def improve(
    path: Annotated[Path, typer.Argument(help="The Python module to improve.")],
    tests: Annotated[
        Path | None, typer.Option(help="Its pytest tests (importing it by its name, as the project does).")
    ] = None,
    task: Annotated[
        str | None,
        typer.Option(help="What to change, in plain language (default: only make it pass the checks)."),
    ] = None,
    write: Annotated[
        bool,
        typer.Option(
            "--write", help="Update the files in place (old versions kept as <file>.orig).", metavar=""
        ),
    ] = False,
    backend: Backend = None,
    model: Model = None,
    base_url: BaseUrl = None,
    cassette: ReplayCassette = None,
    max_retries: Annotated[int | None, typer.Option(help="Model answers at most (default 5).")] = None,
    max_tokens: Annotated[int | None, typer.Option(help="Output token limit per answer.")] = None,
    warning_threshold: Annotated[int | None, typer.Option(help="Warnings allowed (default 5).")] = None,
    no_execution: Annotated[
        bool, typer.Option("--no-execution", help="Do not run the tests.", metavar="")
    ] = False,
    report: ReportFormats = None,
    output_dir: ReportDir = None,
    max_bytes: MaxBytes = MAX_FILE_BYTES_DEFAULT,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Check existing code and improve it until it passes: a diff, or the files updated with --write."""
    from . import cli
    from .module_under_test import ModuleUnderTest

    with cli.usage_errors():
        code = read_source(path, max_bytes)
        given_tests = read_source(tests, max_bytes) if tests is not None else None
        tests_file = _tests_path(path, tests)
        if write:
            _refuse_clobbering([path, *([tests_file] if given_tests is not None else [])])
            if given_tests is None and tests_file.exists():
                raise UsageError(
                    f"{tests_file} exists but was not given: pass it with --tests, or the new tests would replace it"
                )
        config = cli.build_config(
            pyproject_from=path,
            backend=cli.backend_given(backend, cassette),
            model=model,
            base_url=base_url,
            backend_options=cli._flag_options(replay={"cassette": cassette}),
            max_retries=max_retries,
            max_tokens=max_tokens,
            warning_threshold=warning_threshold,
            enable_code_execution=False if no_execution else None,
            report_formats=cli._split(report),
            output_dir=output_dir,
        )
        cli._require_configured(config)
        result = _run(config, code, given_tests, task, ModuleUnderTest.of_file(path), quiet, verbose)
        changes = [(path, code, result.code), (tests_file, given_tests, result.test_code)]
        if result.best is None or not result.code.strip():
            changes = []
        _show(changes, write)
        if failure_message(result):
            cli.err.print(f"[bold red]error:[/] {escape(failure_message(result) or '')}")
    raise typer.Exit(run_exit_code(result))


def _run(
    config: AgentConfig,
    code: str,
    tests: str | None,
    task: str | None,
    module: ModuleUnderTest,
    quiet: bool,
    verbose: bool,
) -> AgentResult:
    from . import cli

    try:
        return cli.watched(
            cli.out,
            config,
            (module.name, task or f"improve {module.name}"),
            lambda agent: agent.improve(code, tests, task=task, module_name=module),
            quiet=quiet,
            verbose=verbose,
        )
    except KeyboardInterrupt as exc:
        cli.err.print(
            f"interrupted: the reports of the attempts that finished are in {escape(str(config.output_dir))}"
        )
        raise typer.Exit(interrupt_exit_code(exc)) from None


def _show(changes: list[tuple[Path, str | None, str]], write: bool) -> None:
    from . import cli

    diffs = [unified_diff(old or "", new, target) for target, old, new in changes if (old or "") != new]
    if not any(diffs):
        cli.out.print("no change: the code stays as it is")
        return
    if write:
        for line in _write(changes):
            cli.out.print(escape(line))
        return
    for diff in diffs:
        cli.out.print(diff, end="", markup=False)
    cli.out.print("(nothing written: pass --write to update the files)")
