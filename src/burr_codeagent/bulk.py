"""Bulk checking: many ``(code, tests)`` pairs through the gates at once, each test run in a sandbox of its own.

Every pair is one :meth:`Checker.check`, so every gate, option and policy applies as for :func:`check`. Pairs run
on ``workers`` threads; their sandboxed test runs are also bounded by the process-wide sandbox slots (one per core
by default). Isolation is per candidate, never per worker: each test run gets a fresh work dir, namespaces and
limits, so no candidate can see or change another's files or processes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

from .checker import Checker
from .config import AgentConfig
from .errors import ConfigurationError
from .events import Listener
from .models import CheckReport
from .module_under_test import ModuleUnderTest
from .plugins import manager_for

__all__ = ["check_many"]


def _validated(pairs: Iterable[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    checked: list[tuple[str, str | None]] = []
    for number, pair in enumerate(pairs, start=1):
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise ConfigurationError(f"pair {number}: expected (code, tests), not {type(pair).__name__}")
        code, tests = pair
        if not isinstance(code, str) or not (tests is None or isinstance(tests, str)):
            raise ConfigurationError(f"pair {number}: code must be a string and tests a string or None")
        checked.append((code, tests))
    return checked


def check_many(
    pairs: Iterable[tuple[str, str | None]],
    *,
    config: AgentConfig | None = None,
    workers: int | None = None,
    plugins: Sequence[object] | None = None,
    acceptance_tests: str | None = None,
    listeners: Sequence[Listener] = (),
    task: str | None = None,
    modules: Sequence[ModuleUnderTest | None] | None = None,
) -> list[CheckReport]:
    """Check every ``(code, tests)`` pair (tests import the code as ``solution``); reports in input order.

    Args:
        pairs: The candidates; ``tests`` may be None (the test gates then report ``skipped``).
        config: Settings for every check (default ``AgentConfig()``).
        workers: Pairs checked at once (default: the number of cores).
        plugins: Extra plugins, as for :func:`check`.
        acceptance_tests: Tests every candidate must also pass.
        task: The task the candidates answer (names it imposes are exempt from the naming rules).
        modules: Per pair, the module its tests import (a user's file inside its project, see
            :class:`~burr_codeagent.module_under_test.ModuleUnderTest`); None or a None entry: ``solution``.

    Raises:
        ConfigurationError: a pair is not ``(str, str | None)``; nothing has run yet.
    """
    candidates = _validated(pairs)
    names = list(modules) if modules is not None else [None] * len(candidates)
    if len(names) != len(candidates):
        raise ConfigurationError(f"{len(names)} modules for {len(candidates)} pairs: give one per pair")
    count = workers if workers is not None else (os.cpu_count() or 1)
    if count < 1:
        raise ConfigurationError(f"workers must be at least 1, not {count}")
    checker = Checker(config, manager_for(plugins), listeners)
    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="codeagent-bulk") as pool:
        futures = [
            pool.submit(
                checker.check, code, tests, acceptance_tests=acceptance_tests, task=task, module=module
            )
            for (code, tests), module in zip(candidates, names, strict=True)
        ]
        return [future.result() for future in futures]
