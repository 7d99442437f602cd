"""The pluggy hook specifications. Built-in gates, backends and renderers use these same hooks.

A plugin is any object or module with functions marked ``@hookimpl``::

    from burr_codeagent import hookimpl

    @hookimpl
    def register_gates(register):
        register(MyGate())
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .backends.base import BackendFactory
    from .gates.base import Gate
    from .reports.base import Renderer

PROJECT = "burr_codeagent"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_gates(register: Callable[[Gate], None]) -> None:
    """Register quality gates by calling ``register(gate)`` once per gate.

    A gate has ``name``, ``description``, ``rules`` (rule id -> description) and ``check(ctx)`` returning findings;
    see :class:`burr_codeagent.gates.Gate`. Gate names must be unique across all plugins.
    """


@hookspec
def register_backends(register: Callable[[BackendFactory], None]) -> None:
    """Register LLM backends by calling ``register(factory)`` once per backend.

    A factory has ``name``, ``description``, ``missing(config)`` (what is not configured yet) and ``create(config)``
    returning an :class:`burr_codeagent.backends.LLMBackend`.
    """


@hookspec
def register_renderers(register: Callable[[Renderer], None]) -> None:
    """Register report renderers by calling ``register(renderer)`` once per format.

    A renderer has ``name``, ``extension``, ``can_render(obj)`` and ``render(obj, context)`` returning the text of the
    report; see :class:`burr_codeagent.reports.Renderer`.
    """
