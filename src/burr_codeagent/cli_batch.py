"""``codeagent batch TASKS.jsonl``: many tasks at once, with a progress bar, a results file and a summary table."""

from __future__ import annotations

import contextlib
import gc
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from .cli import Backend, BaseUrl, Model, NoExecution
from .formatting import format_cost

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from .agent import CodeAgent
    from .batch import BatchTask, TaskOutcome

__all__ = ["BatchProgress", "batch", "configured_agent", "outcome_table", "run_interruptibly"]

T = TypeVar("T")
EXIT_PROVIDER, EXIT_UNVERIFIED, EXIT_SIGTERM = 3, 4, 143

Executor = Annotated[str, typer.Option(help="Where tasks run: local (this process) or ray (a Ray cluster).")]
BatchExecutor = Annotated[
    str,
    typer.Option(
        help="Where tasks run: local (this process), processes (a process per core) or ray (a Ray cluster)."
    ),
]
RayAddress = Annotated[
    str | None, typer.Option(help="Ray cluster address (default: RAY_ADDRESS, else a local Ray).")
]
Concurrency = Annotated[int | None, typer.Option(min=1, help="Tasks at once (default: config.concurrency).")]
Cassette = Annotated[Path | None, typer.Option(help="Replay this recorded cassette.")]
MaxRetries = Annotated[int | None, typer.Option(help="Regenerations after the first attempt.")]


class BatchProgress:
    """A rich progress bar counting passed and failed tasks, with an ETA; a listener for ``arun_many``."""

    def __init__(self, console: Console, total: int, label: str = "tasks") -> None:
        # Imported here (as asyncio below): `codeagent check` and the other commands load this module only to
        # register `batch`, and should not pay for them.
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.passed = self.failed = self.unverified = 0
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(
                "[green]{task.fields[passed]} passed[/] [red]{task.fields[failed]} failed[/]"
                " [yellow]{task.fields[unverified]} unverified[/]"
            ),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self.bar = self.progress.add_task(label, total=total, passed=0, failed=0, unverified=0)
        self.frozen = False

    def __call__(self, event: str, task: BatchTask, outcome: TaskOutcome | None) -> None:
        if event not in ("finished", "skipped") or outcome is None:
            return
        if event == "finished" and not self.frozen:
            # After the first task the command's imports, SDK client, templates and schemas are all built and live
            # as long as the process: out of the collector's walks, whose cost otherwise grows with them (~2.4 ->
            # ~0.9 ms of CPU per task in a batch). This process's choice, not the library's.
            self.frozen = True
            gc.freeze()
        if outcome.passed:
            self.passed += 1
        elif outcome.unverified:
            self.unverified += 1
        else:
            self.failed += 1
        self.progress.update(
            self.bar, advance=1, passed=self.passed, failed=self.failed, unverified=self.unverified
        )

    def __enter__(self) -> BatchProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


def outcome_table(outcomes: list[TaskOutcome], title: str = "Batch") -> Table:
    """One row per task: id, verdict, attempts, stop reason, tokens, cost, seconds; totals underneath."""
    from rich.table import Table

    table = Table(title=title, show_footer=True)
    passed = sum(o.passed for o in outcomes)
    unverified = sum(o.unverified for o in outcomes)
    tokens = sum(o.total_tokens for o in outcomes)
    costs = [o.cost_usd for o in outcomes if o.cost_usd is not None]
    table.add_column("task", footer=f"{len(outcomes)} tasks")
    table.add_column(
        "result", footer=f"{passed} passed" + (f", {unverified} unverified" if unverified else "")
    )
    table.add_column("attempts", justify="right", footer=str(sum(o.attempts for o in outcomes)))
    table.add_column("stop reason")
    table.add_column("tokens", justify="right", footer=str(tokens))
    table.add_column("cost", justify="right", footer=format_cost(sum(costs)) if costs else "-")
    table.add_column("seconds", justify="right", footer=f"{sum(o.seconds for o in outcomes):.1f}")
    for o in outcomes:
        verdict = (
            "[green]passed[/]" if o.passed else "[yellow]unverified[/]" if o.unverified else "[red]failed[/]"
        )
        reason = o.error or o.stop_reason
        cost = format_cost(o.cost_usd) if o.cost_usd is not None else "-"
        table.add_row(
            o.id, verdict, str(o.attempts), reason[:60], str(o.total_tokens), cost, f"{o.seconds:.1f}"
        )
    return table


def run_interruptibly(work: Callable[[], Awaitable[T]], console: Console, output: Path) -> T:
    """Run ``work`` on a new event loop; Ctrl-C exits 130 and SIGTERM 143, after what finished is on disk."""
    import asyncio

    terminated = False

    async def main() -> T:
        nonlocal terminated
        loop = asyncio.get_running_loop()
        current = asyncio.current_task()

        def on_term() -> None:
            nonlocal terminated
            terminated = True
            if current is not None:
                current.cancel()

        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread, or no signals
            loop.add_signal_handler(signal.SIGTERM, on_term)
        return await work()

    try:
        return asyncio.run(main())
    except (KeyboardInterrupt, asyncio.CancelledError):
        console.print(
            f"interrupted: finished tasks are in {output / 'results.jsonl'}; run the same command again to resume"
        )
        raise typer.Exit(EXIT_SIGTERM if terminated else 130) from None


def exit_code(outcomes: list[TaskOutcome]) -> int:
    """0 all passed; 3 when every failure was the provider's or the infrastructure's; 4 when the others passed
    and some stayed unverified (a gate could not run); 1 otherwise."""
    failures = [o for o in outcomes if not o.passed and not o.unverified]
    if not failures:
        return EXIT_UNVERIFIED if any(o.unverified for o in outcomes) else 0
    if all(o.error is not None or o.stop_reason.startswith("backend_error") for o in failures):
        return EXIT_PROVIDER
    return 1


def configured_agent(backend: str | None, cassette: Path | None, **settings: Any) -> CodeAgent:
    """The agent of ``batch`` or ``eval`` from the command's flags (``None``: not given); a usage error when its
    backend is not configured."""
    from .agent import CodeAgent
    from .cli import _require_configured, backend_given, build_config

    config = build_config(backend=backend_given(backend, cassette), cassette=cassette, **settings)
    _require_configured(config)
    return CodeAgent(config)


def batch(
    tasks_file: Annotated[
        Path, typer.Argument(help='JSON Lines: {"task": ..., "id"?, "tests"?, "module"?}.')
    ],
    concurrency: Concurrency = None,
    write: Annotated[
        Path | None,
        typer.Option("--write", help="Write each passing task's code and tests into this directory."),
    ] = None,
    output_dir: Annotated[
        Path | None, typer.Option(help="Results, saved state and reports (default: codeagent-batch).")
    ] = None,
    backend: Backend = None,
    model: Model = None,
    base_url: BaseUrl = None,
    cassette: Cassette = None,
    max_retries: MaxRetries = None,
    no_execution: NoExecution = False,
    report: Annotated[str | None, typer.Option(help="Report formats per task, comma-separated.")] = None,
    executor: BatchExecutor = "local",
    ray_address: RayAddress = None,
) -> None:
    """Run every task of a JSON Lines file, several at once; rerun the same command to resume."""
    from .batch import load_tasks
    from .cli import _split, err, out, usage_errors

    with usage_errors():
        if executor not in ("local", "processes", "ray"):
            raise typer.BadParameter(f"unknown executor {executor!r}; choose local, processes or ray")
        tasks = load_tasks(tasks_file)
        agent = configured_agent(
            backend,
            cassette,
            model=model,
            base_url=base_url,
            max_retries=max_retries,
            concurrency=concurrency,
            enable_code_execution=False if no_execution else None,
            report_formats=_split(report),
        )
        root = output_dir or Path("codeagent-batch")
        with BatchProgress(out, len(tasks)) as progress:
            outcomes = run_interruptibly(
                lambda: agent.arun_many(
                    tasks,
                    output_dir=root,
                    write_dir=write,
                    executor=executor,  # type: ignore[arg-type]
                    ray_address=ray_address,
                    listener=progress,
                ),
                err,
                root,
            )
    out.print(outcome_table(outcomes))
    out.print(f"results: {root / 'results.jsonl'}")
    raise typer.Exit(exit_code(outcomes))
