"""Turning judged attempts into the evaluation's figures: pass@1 first and after the loop, per round, cost."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["EvalReport", "ProblemScore", "summarise"]


class ProblemScore(BaseModel):
    """One problem's judged run: a line of ``judged.jsonl``."""

    task_id: str
    rounds: list[bool] = Field(
        description="Round k: whether the attempt the agent would pick after k rounds passes."
    )
    first: bool = Field(description="The first attempt passes the dataset's tests.")
    final: bool = Field(description="The attempt the run returned (its best) passes.")
    agent_passed: bool = Field(description="The agent's own verdict (its gates and generated tests).")
    unverified: bool = Field(
        default=False,
        description="An attempt could not be judged (its sandbox did not start): neither solved nor failed; "
        "a rerun judges it again.",
    )
    detail: str | None = Field(
        default=None,
        description="Why the final attempt did not pass the dataset's tests (the run's last lines).",
    )
    generations: int = 0
    tokens: int = 0
    cost_usd: float | None = None
    seconds: float = 0.0
    error: str | None = None


class EvalReport(BaseModel):
    """The figures of an evaluation run (printed as a table, written as JSON)."""

    dataset: str
    problems: int
    pass_at_1_first: float
    pass_at_1_final: float
    pass_by_round: list[float]
    solved: int
    unverified: list[str] = Field(
        default_factory=list,
        description="Problems that could not be judged: left out of every rate (rerun to judge them).",
    )
    generations: int
    tokens: int
    tokens_per_solved: float | None
    cost_usd: float | None
    cost_per_solved: float | None
    seconds: float
    scores: list[ProblemScore] = Field(default_factory=list)


def _rate(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def summarise(dataset: str, scores: list[ProblemScore], seconds: float) -> EvalReport:
    """The report over ``scores``; a run that stopped early keeps its last round's verdict in later rounds.

    Unverified problems are neither solved nor failed: they are listed, and left out of the rates.
    """
    unverified = [s.task_id for s in scores if s.unverified]
    everything, scores = scores, [s for s in scores if not s.unverified]
    total = len(scores)
    longest = max((len(s.rounds) for s in scores), default=0)
    by_round = []
    for k in range(longest):
        passed = sum(1 for s in scores if s.rounds and s.rounds[min(k, len(s.rounds) - 1)])
        by_round.append(_rate(passed, total))
    solved = sum(s.final for s in scores)
    tokens = sum(s.tokens for s in scores)
    costs = [s.cost_usd for s in scores if s.cost_usd is not None]
    cost = round(sum(costs), 6) if costs else None
    return EvalReport(
        dataset=dataset,
        problems=len(everything),
        pass_at_1_first=_rate(sum(s.first for s in scores), total),
        pass_at_1_final=_rate(solved, total),
        pass_by_round=by_round,
        solved=solved,
        unverified=unverified,
        generations=sum(s.generations for s in scores),
        tokens=tokens,
        tokens_per_solved=round(tokens / solved, 1) if solved else None,
        cost_usd=cost,
        cost_per_solved=round(cost / solved, 6) if cost is not None and solved else None,
        seconds=round(seconds, 2),
        scores=everything,
    )
