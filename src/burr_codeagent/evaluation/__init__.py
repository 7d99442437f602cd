"""Evaluating a model or a prompt on a benchmark: ``codeagent eval humaneval`` and its API.

Example::

    from burr_codeagent import CodeAgent
    from burr_codeagent.evaluation import aevaluate, load_problems

    report = asyncio.run(aevaluate(CodeAgent(), load_problems(limit=20), output_dir=Path("eval-out")))
    report.pass_at_1_first, report.pass_at_1_final, report.pass_by_round
"""

from __future__ import annotations

from .dataset import Problem, default_dataset, load_problems, task_text
from .harness import Visibility, acceptance_tests_for, aevaluate
from .judge import Verdict, judge
from .scoring import EvalReport, ProblemScore, summarise

__all__ = [
    "EvalReport",
    "Problem",
    "ProblemScore",
    "Verdict",
    "Visibility",
    "acceptance_tests_for",
    "aevaluate",
    "default_dataset",
    "judge",
    "load_problems",
    "summarise",
    "task_text",
]
