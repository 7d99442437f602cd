"""``codeagent --help`` as users read it from ruff or pytest: a flag shows no ``<bool>`` type after it.

Recent typer prints the Python type of every option (``--find-tests <bool>``, ``--install-completion <bool>``,
``--help <bool>``), flags included. The app's group gives every flag an empty metavar -- its own flags, those of
each command, the help and completion options typer adds -- before the help is drawn.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperGroup

__all__ = ["CodeagentGroup"]


def _hide_flag_types(params: list[Any]) -> list[Any]:
    for param in params:
        if getattr(param, "is_flag", False) and getattr(param, "metavar", None) is None:
            param.metavar = ""
    return params


def _tidy(command: Any, ctx: Any) -> None:
    _hide_flag_types(command.get_params(ctx))
    for sub in getattr(command, "commands", {}).values():  # a sub-app such as `eval`
        _tidy(sub, ctx)


class CodeagentGroup(TyperGroup):
    """The ``codeagent`` group: flags without a type in every help screen."""

    # ``Any``: typer's click types differ between its versions (it vendors click since 0.20).
    def get_params(self, ctx: Any) -> Any:
        return _hide_flag_types(super().get_params(ctx))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _tidy(command, ctx)
        return command
