"""``codeagent check``: files, directories and stdin through the quality gates, like a linter.

Several files are checked at once through :func:`burr_codeagent.bulk.check_many` (one batch per nearest
``pyproject.toml``, since each file is checked with the settings of its own project), and text output ends with one
summary line, as ruff's "Found N errors".
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from .check_files import SourceFile
    from .config import AgentConfig
    from .models import CheckReport

__all__ = ["check", "summary_text"]

MAX_FILE_BYTES_DEFAULT = 2_000_000
MaxBytes = Annotated[int, typer.Option(help="Largest file accepted.")]  # check's and improve's --max-bytes


@dataclasses.dataclass
class _Checked:
    source: SourceFile
    test_path: Path | None
    raw_tests: str | None
    config: AgentConfig
    report: CheckReport | None = None


def summary_text(reports: list[CheckReport]) -> str:
    """One line over several files' reports: problems found, in how many files, and how many passed."""
    from .formatting import plural

    critical = sum(r.critical_count for r in reports)
    warnings = sum(r.warning_count for r in reports)
    flagged = sum(1 for r in reports if r.critical_count or r.warning_count)
    passed = sum(1 for r in reports if r.passed)
    unverified = sum(1 for r in reports if r.unverified)
    undecided = f"; {unverified} unverified (a gate could not run: check again)" if unverified else ""
    if not critical and not warnings:
        return f"All checked! {plural(len(reports), 'file')}, no critical findings or warnings{undecided}."
    return (
        f"Found {plural(critical, 'critical finding')} and {plural(warnings, 'warning')} in "
        f"{flagged} of {plural(len(reports), 'file')}; {passed} passed, "
        f"{len(reports) - passed - unverified} not good enough{undecided}."
    )


def check(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Python files or directories to check (recursively, minus excluded paths); - reads stdin.",
            metavar="PATH",
        ),
    ],
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
    task: Annotated[
        str | None,
        typer.Option(help="The task the code answers; names it imposes are exempt from the naming rules."),
    ] = None,
    format: Annotated[
        str, typer.Option("--format", "-f", help="text, json, markdown, html, sarif or junit.")
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report here, not stdout.")
    ] = None,
    no_execution: Annotated[
        bool, typer.Option("--no-execution", help="Do not run the tests.", metavar="")
    ] = False,
    keep_workdir: Annotated[
        bool, typer.Option("--keep-workdir", help="Keep the sandbox work dir for debugging.", metavar="")
    ] = False,
    warning_threshold: Annotated[int | None, typer.Option(help="Warnings allowed.")] = None,
    max_bytes: MaxBytes = MAX_FILE_BYTES_DEFAULT,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also print info findings (text output).", metavar="")
    ] = False,
) -> None:
    """Check existing code with the quality gates, like a linter."""
    from .check_files import collect_sources, excludes_for
    from .cli import build_config, cli_manager, usage_errors
    from .exit_codes import EXIT_PASSED, check_exit_code, combine
    from .integrations.tests_finder import find_tests_for
    from .plugins import unknown_name_message
    from .sources import UsageError, read_source

    with usage_errors():
        manager = cli_manager()
        # Text output needs no renderer: their modules (jinja2, pygments) are imported only for another format.
        known = {"text"} if format == "text" else manager.renderer_names() | {"text"}
        if format not in known:
            raise UsageError(unknown_name_message("format", format, known))
        configs: dict[Path | None, AgentConfig] = {}

        def config_for(path: Path | None) -> AgentConfig:
            from .config import find_pyproject

            key = find_pyproject(path)
            if key not in configs:
                configs[key] = build_config(
                    pyproject_from=path,
                    enable_code_execution=False if no_execution else None,
                    sandbox={"keep_workdir": True} if keep_workdir else None,
                    warning_threshold=warning_threshold,
                    tracking=False,
                    validate={"backend": False, "formats": False},
                )
            return configs[key]

        sources = []
        for path in paths:
            patterns = excludes_for(config_for(path).exclude, config_for(path).extend_exclude)
            sources += collect_sources([path], max_bytes, patterns)
        if tests is not None and len(sources) > 1:
            raise UsageError("--tests goes with exactly one code file")
        given_tests = read_source(tests, max_bytes) if tests else None
        acceptance_tests = read_source(acceptance, max_bytes) if acceptance else None
        checked = []
        for source in sources:
            test_path = tests if tests is not None else None
            if test_path is None and find_tests and source.path is not None:
                test_path = find_tests_for(source.path)
            raw = (
                given_tests
                if tests is not None
                else (read_source(test_path, max_bytes) if test_path else None)
            )
            checked.append(_Checked(source, test_path, raw, config_for(source.path)))
        _run_checks(checked, acceptance_tests, task)
        exit_code = combine([EXIT_PASSED, *(check_exit_code(c.report) for c in checked if c.report)])
        _print_or_write(checked, format, output, verbose)
    raise typer.Exit(exit_code)


def _run_checks(checked: list[_Checked], acceptance_tests: str | None, task: str | None) -> None:
    """Check every file, the files of one project together through ``check_many``."""
    from .bulk import check_many
    from .cli import cli_plugin_modules, resume_collector
    from .exit_codes import interrupt_exit_code
    from .module_under_test import ModuleUnderTest

    # Up to here the command built what the checks share (the gates, their tables, the config): frozen, it stays
    # out of the collector's walks while the checks run.
    resume_collector(freeze=True)

    batches: dict[int, list[_Checked]] = {}
    for item in checked:
        batches.setdefault(id(item.config), []).append(item)
    for batch in batches.values():
        pairs = [(c.source.code, c.raw_tests) for c in batch]
        # The tests import a file by its own name, inside its project (module_under_test.py); stdin is `solution`.
        modules = [ModuleUnderTest.of_file(c.source.path) if c.source.path else None for c in batch]
        try:
            reports = check_many(
                pairs,
                config=batch[0].config,
                plugins=cli_plugin_modules(),
                acceptance_tests=acceptance_tests,
                task=task,
                modules=modules,
            )
        except KeyboardInterrupt as exc:
            from .cli import err
            from .console_plain import escape

            what = "terminated (SIGTERM)" if interrupt_exit_code(exc) != 130 else "interrupted"
            names = ", ".join(c.source.name for c in batch[:3]) + (" ..." if len(batch) > 3 else "")
            err.print(f"{what}: stopped while checking {escape(names)}")
            raise typer.Exit(interrupt_exit_code(exc)) from None
        for item, report in zip(batch, reports, strict=True):
            item.report = report


def _print_or_write(checked: list[_Checked], format: str, output: Path | None, verbose: bool) -> None:
    from . import cli

    if format == "text":
        from .console_findings import print_findings
        from .console_plain import PlainConsole

        # To a pipe or a file, rich would print this text unstyled: it is written without importing rich.
        out = PlainConsole(lambda: cli.out)
        for c in checked:
            assert c.report is not None
            test_name = str(c.test_path) if c.test_path else None
            print_findings(out, c.report, c.source.name, test_name, show_info=verbose)
        if len(checked) > 1:
            out.print(summary_text([c.report for c in checked if c.report]))
        return
    from .reports.base import RenderContext, join_rendered, renderer_options
    from .reports.writer import check_settings, gates_of, render_report

    manager = cli.cli_manager()
    renderer = manager.renderers()[format].item
    rendered = []
    context = RenderContext()
    for c in checked:
        assert c.report is not None
        tests_path = {"tests": str(c.test_path)} if c.test_path else {}
        context = RenderContext(
            config=check_settings(c.config.redacted()),
            source_paths={"code": c.source.name, **tests_path},
            sources={"code": c.source.code, **({"tests": c.raw_tests} if c.raw_tests is not None else {})},
            gates=gates_of(manager),
        )
        context = dataclasses.replace(context, options=renderer_options(renderer, context.config))
        secret = c.config.api_key.get_secret_value() if c.config.api_key else None
        rendered.append(render_report(renderer, c.report, context, secrets=[secret]))
    text = join_rendered(renderer, rendered, context)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
