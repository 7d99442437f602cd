"""The ``codeagent`` group: help as users read it from ruff or pytest, and commands built when they are used.

Recent typer prints the Python type of every option (``--find-tests <bool>``, ``--install-completion <bool>``,
``--help <bool>``), flags included. The app's group gives every flag an empty metavar -- its own flags, those of
each command, the help and completion options typer adds -- before the help is drawn.

Typer turns every command of an app into a click command when the program starts, reading each function's
signature and evaluating its annotations: a tenth of a ``codeagent check`` process went into the nine commands
it does not run. :func:`lazy_group` makes a group whose commands typer builds on first use (running one builds
one; ``--help`` and a misspelt command's suggestions still see them all).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import typer
import typer.main
from typer.core import TyperGroup

__all__ = ["CodeagentGroup", "Later", "LazyCommands", "lazy_group"]


@dataclass(frozen=True)
class Later:
    """A command's function (or a group's typer app) imported when the command is first built, so running one
    command does not import the modules of the others."""

    load: Callable[[], Any]


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


class LazyCommands(MutableMapping[str, Any]):
    """A group's commands by name, in registration order; each is made (``make()``) the first time it is read."""

    def __init__(self, built: Mapping[str, Any], later: Mapping[str, Callable[[], Any]]) -> None:
        self._names = [*built, *(name for name in later if name not in built)]
        self._built = dict(built)
        self._later = {name: make for name, make in later.items() if name not in built}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            self._built[name] = self._later.pop(name)()  # KeyError: no such command
        return self._built[name]

    def __contains__(self, name: object) -> bool:
        return name in self._built or name in self._later

    def __setitem__(self, name: str, command: Any) -> None:
        if name not in self:
            self._names.append(name)
        self._later.pop(name, None)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._names.remove(name)
        self._built.pop(name, None)
        self._later.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)


def lazy_group(
    commands: Mapping[str, Callable[..., Any] | Later],
    groups: Mapping[str, typer.Typer | Later],
    *,
    rich_markup_mode: Any,
) -> type[CodeagentGroup]:
    """A :class:`CodeagentGroup` class holding ``commands`` (name -> the function typer makes a command of) and
    ``groups`` (name -> a typer app, such as ``eval``), each turned into its click command by typer on first use,
    exactly as ``app.command(name)`` / ``app.add_typer(sub, name=name)`` would have. A :class:`Later` stands for
    a function or app whose module is imported then."""

    def command(name: str, function: Callable[..., Any] | Later) -> Callable[[], Any]:
        def make() -> Any:
            # typer's own conversion, of an app with this one command (and the group's markup mode)
            single = typer.Typer(add_completion=False, rich_markup_mode=rich_markup_mode)
            single.command(name)(function.load() if isinstance(function, Later) else function)
            return typer.main.get_command(single)

        return make

    def group(name: str, sub: typer.Typer | Later) -> Callable[[], Any]:
        def make() -> Any:
            made = typer.main.get_group(sub.load() if isinstance(sub, Later) else sub)
            made.name = name
            return made

        return make

    later = {name: command(name, function) for name, function in commands.items()}
    later.update({name: group(name, sub) for name, sub in groups.items()})

    class LazyGroup(CodeagentGroup):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.commands = LazyCommands(self.commands, later)

    return LazyGroup
