"""The optional AI review of a failing attempt: :class:`CodeAnalysisResponse` and how it reads in a prompt.

With ``enable_ai_analysis`` the agent asks the model, between a failed check and the next generation, for a
structured review of what went wrong. The review is fed into the next generation's prompt; its tokens are counted
separately as ``analysis_tokens`` (and in the totals).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["CodeAnalysisResponse", "ConcreteFix", "render_analysis"]


class ConcreteFix(BaseModel):
    """One change that would fix a problem, precise enough to apply."""

    target: Literal["code", "tests"] = Field(
        default="code", description="Whether the change is in the code or tests."
    )
    location: str = Field(default="", description="Where: a function name, a line number or a test name.")
    change: str = Field(description="What to change, concretely (not 'improve error handling').")


class CodeAnalysisResponse(BaseModel):
    """A structured review of a failing attempt: what is wrong, why, and what exactly to change."""

    issues: list[str] = Field(description="The problems that made the attempt fail, most important first.")
    root_causes: list[str] = Field(
        description="Why they happened (a misunderstanding of the task, a wrong edge case)."
    )
    fixes: list[ConcreteFix] = Field(description="Concrete changes that fix the issues, one per change.")
    summary: str = Field(default="", description="One or two sentences on the state of the attempt.")


def render_analysis(analysis: CodeAnalysisResponse, *, max_items: int = 8) -> str:
    """The review as prompt text: root causes and concrete fixes first, since they are what the model acts on."""
    lines: list[str] = []
    if analysis.summary.strip():
        lines.append(analysis.summary.strip())
    if analysis.root_causes:
        lines.append("Root causes:")
        lines += [f"- {cause.strip()}" for cause in analysis.root_causes[:max_items]]
    if analysis.fixes:
        lines.append("Concrete fixes:")
        for fix in analysis.fixes[:max_items]:
            where = f"{fix.target}{' ' + fix.location.strip() if fix.location.strip() else ''}"
            lines.append(f"- [{where}] {fix.change.strip()}")
    if analysis.issues and not analysis.fixes:
        lines.append("Issues:")
        lines += [f"- {issue.strip()}" for issue in analysis.issues[:max_items]]
    return "\n".join(lines)
