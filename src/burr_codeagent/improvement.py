"""Starting the loop from code that exists: what :meth:`CodeAgent.improve` checks first and tells the model.

The user's module (and tests, if any) becomes the first attempt: the run starts at the check step
(:data:`~burr_codeagent.graph.IMPROVE_ENTRYPOINT`). Code that passes, with no task text asking for a change, is
left as it is without a model call; otherwise the retry prompt (the findings and the numbered code, asking for
edits) goes to the model and the loop goes on as in ``run``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .errors import ConfigurationError
from .models import PythonCodeGenerationResponse
from .module_under_test import ModuleUnderTest, valid_module_name

__all__ = ["Improvement", "improvement", "main_name"]

FIX_TASK = (
    "Improve the existing module `{module}` (shown below{with_tests}) so that it passes every check. Change only "
    "what the findings call for and keep its public names and behaviour."
)
CHANGE_TASK = (
    "Change the existing module `{module}` (shown below{with_tests}) as asked, keeping it passing every check: "
    "{task}"
)


@dataclass(frozen=True)
class Improvement:
    """What an improve run starts from: the task text, the user's code as an answer, and its module."""

    task: str
    existing: PythonCodeGenerationResponse
    change_requested: bool
    module: ModuleUnderTest


def main_name(code: str, fallback: str) -> str:
    """The module's main public function or class: the first defined at the top level, else ``fallback``."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return fallback
    for node in tree.body:
        if isinstance(
            node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
        ) and not node.name.startswith("_"):
            return node.name
    return fallback


def improvement(
    code: str,
    tests: str | None,
    task: str | None,
    module: str | ModuleUnderTest | None,
) -> Improvement:
    """The start of an improve run, or a :class:`ConfigurationError` saying what is wrong with the input.

    Raises:
        ConfigurationError: ``code`` is empty or not text, ``tests`` is not text, or ``module`` is no module name.
    """
    if not isinstance(code, str) or not code.strip():
        raise ConfigurationError("the code to improve is empty: give the text of a Python module")
    if tests is not None and not isinstance(tests, str):
        raise ConfigurationError("tests must be the text of a pytest module (or None)")
    if isinstance(module, str) and not valid_module_name(module):
        raise ConfigurationError(f"module_name {module!r} is not a Python module name")
    where = module if isinstance(module, ModuleUnderTest) else ModuleUnderTest(module or "solution")
    wanted = (task or "").strip()
    with_tests = " with its tests" if tests and tests.strip() else ""
    text = (
        CHANGE_TASK.format(module=where.name, with_tests=with_tests, task=wanted)
        if wanted
        else FIX_TASK.format(module=where.name, with_tests=with_tests)
    )
    existing = PythonCodeGenerationResponse(
        function_name=main_name(code, where.stem),
        code=code,
        explanation="The existing code, as given.",
        dependencies=None,
        test_code=tests or "",
        usage_examples=[],
    )
    return Improvement(text, existing, bool(wanted), where)
