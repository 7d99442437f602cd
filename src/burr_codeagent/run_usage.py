"""What a run has spent so far: tokens and calls by purpose, and the seconds each generation and check took.

The graph keeps one :class:`RunUsage` in state under the ``usage`` key (as JSON); the stop policy reads the
budget from it and :func:`~burr_codeagent.results.assemble_result` turns it into
:class:`~burr_codeagent.models.RunMetrics`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from .models import Usage

__all__ = ["Purpose", "RunUsage"]

Purpose = Literal["generation", "analysis"]


class RunUsage(BaseModel):
    """Tokens and calls of every model request of a run, split by purpose, and per-step timings."""

    generation: Usage = Field(
        default_factory=Usage, description="Code generation requests (re-asks included)."
    )
    analysis: Usage = Field(default_factory=Usage, description="AI review requests (``enable_ai_analysis``).")
    generation_seconds: list[float] = Field(default_factory=list, description="One entry per generation.")
    check_seconds: list[float] = Field(default_factory=list, description="One entry per checked attempt.")

    @property
    def total(self) -> Usage:
        """Everything the run has spent, whatever the purpose."""
        return self.generation + self.analysis

    def spend(self, purpose: Purpose, usage: Usage) -> RunUsage:
        """A copy with ``usage`` added to the ``purpose`` bucket."""
        return self.model_copy(update={purpose: getattr(self, purpose) + usage})

    def generated(self, usage: Usage, seconds: float) -> RunUsage:
        """A copy that counts one generation: its tokens and how long it took."""
        spent = self.spend("generation", usage)
        return spent.model_copy(update={"generation_seconds": [*self.generation_seconds, round(seconds, 4)]})

    def checked(self, seconds: float) -> RunUsage:
        """A copy that counts one check of a new attempt."""
        return self.model_copy(update={"check_seconds": [*self.check_seconds, seconds]})

    def rechecked(self, seconds: float) -> RunUsage:
        """A copy that adds ``seconds`` to the last check (the auto-fix re-check belongs to the same attempt)."""
        *before, last = self.check_seconds or [0.0]
        return self.model_copy(update={"check_seconds": [*before, round(last + seconds, 4)]})
