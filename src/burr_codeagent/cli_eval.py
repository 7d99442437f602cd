"""``codeagent eval humaneval``: pass@1 before and after the loop, per round, and the cost of each solved problem."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .cli import Backend, BaseUrl, Model
from .cli_batch import (
    BatchProgress,
    Cassette,
    Concurrency,
    Executor,
    MaxRetries,
    RayAddress,
    configured_agent,
    run_interruptibly,
)
from .exit_codes import EXIT_PASSED, EXIT_UNVERIFIED
from .formatting import format_cost

if TYPE_CHECKING:
    from rich.table import Table

    from .evaluation import EvalReport

__all__ = ["eval_app", "report_table"]

eval_app = typer.Typer(help="Evaluate a model (or a prompt change) on a benchmark.", no_args_is_help=True)


def _percent(value: float) -> str:
    return f"{100 * value:.1f} %"


def report_table(report: EvalReport) -> Table:
    """The evaluation's figures as a two-column table."""
    from rich.table import Table

    table = Table(title=f"{report.dataset}: {report.problems} problems", show_header=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("pass@1, first attempt", _percent(report.pass_at_1_first))
    table.add_row("pass@1, after the loop", _percent(report.pass_at_1_final))
    for number, rate in enumerate(report.pass_by_round, start=1):
        table.add_row(f"  after round {number}", _percent(rate))
    table.add_row("solved", str(report.solved))
    if report.unverified:  # could not be judged: left out of the rates; a rerun judges them
        table.add_row("unverified (rerun to judge)", ", ".join(report.unverified))
    table.add_row("generations", str(report.generations))
    table.add_row("tokens", str(report.tokens))
    table.add_row(
        "tokens per solved problem",
        "-" if report.tokens_per_solved is None else f"{report.tokens_per_solved:,.0f}",
    )
    table.add_row("cost", "-" if report.cost_usd is None else format_cost(report.cost_usd))
    table.add_row(
        "cost per solved problem",
        "-" if report.cost_per_solved is None else format_cost(report.cost_per_solved),
    )
    table.add_row("seconds", f"{report.seconds:.1f}")
    return table


@eval_app.command("humaneval")
def humaneval(
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N problems.")] = None,
    dataset: Annotated[
        Path | None,
        typer.Option(help="Problems in HumanEval's format (.jsonl or .jsonl.gz), e.g. HumanEval+."),
    ] = None,
    concurrency: Concurrency = None,
    output_dir: Annotated[Path | None, typer.Option(help="Results, judgements, state, reports.")] = None,
    tests_visibility: Annotated[
        str, typer.Option(help="What the model sees of the dataset's tests: hidden, failures or verbatim.")
    ] = "hidden",
    json_output: Annotated[Path | None, typer.Option("--json", help="Also write the figures here.")] = None,
    backend: Backend = None,
    model: Model = None,
    base_url: BaseUrl = None,
    cassette: Cassette = None,
    max_retries: MaxRetries = None,
    executor: Executor = "local",
    ray_address: RayAddress = None,
) -> None:
    """Run the agent on HumanEval problems; the dataset's tests judge each run in the sandbox."""
    from .cli import err, out, usage_errors
    from .evaluation import aevaluate, load_problems

    with usage_errors():
        if tests_visibility not in ("hidden", "failures", "verbatim"):
            raise typer.BadParameter("--tests-visibility is hidden, failures or verbatim")
        if executor not in ("local", "ray"):
            raise typer.BadParameter(f"unknown executor {executor!r}; choose local or ray")
        problems = load_problems(dataset, limit)
        agent = configured_agent(
            backend,
            cassette,
            model=model,
            base_url=base_url,
            max_retries=max_retries,
            concurrency=concurrency,
        )
        root = output_dir or Path("codeagent-eval")
        with BatchProgress(out, len(problems), label="problems") as progress:
            report = run_interruptibly(
                lambda: aevaluate(
                    agent,
                    problems,
                    output_dir=root,
                    dataset=dataset.name if dataset else "HumanEval",
                    concurrency=concurrency,
                    executor=executor,  # type: ignore[arg-type]
                    ray_address=ray_address,
                    visibility=tests_visibility,  # type: ignore[arg-type]
                    listener=progress,
                ),
                err,
                root,
            )
    text = report.model_dump_json(indent=2)
    (root / "eval.json").write_text(text, encoding="utf-8")
    if json_output is not None:
        json_output.write_text(text, encoding="utf-8")
    out.print(report_table(report))
    out.print(f"figures: {root / 'eval.json'}")
    if report.unverified:
        out.print(f"{len(report.unverified)} problem(s) could not be judged: run the same command again")
    raise typer.Exit(EXIT_UNVERIFIED if report.unverified else EXIT_PASSED)
