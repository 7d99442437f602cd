"""Checks running at once on a thread pool each keep their own compiler warnings, and none reach stderr."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from burr_codeagent import AgentConfig, check

CONFIG = AgentConfig(enable_code_execution=False, tracking=False, gates={"enable": ["syntax"]})


def _source(number: int) -> tuple[str, list[int]]:
    """A module of its own (so no report comes from the cache) with invalid escapes, which the parser warns about,
    and ``is`` with a literal, which the compiler warns about, on lines that depend on ``number``."""
    lines = [f'"""Module {number}."""', ""]
    warned = []
    for row in range(40 + number % 7):
        lines.append(f'PATTERN_{row} = "\\d+ apples {number}"')
        if row % 5 == number % 5:
            lines.append(f"SAME_{row} = {row} is {number}")
            warned.append(len(lines))
    return "\n".join(lines) + "\n", warned


def _warned_lines(number: int) -> tuple[list[int], list[int]]:
    source, expected = _source(number)
    report = check(source, config=CONFIG)
    return sorted(f.line or 0 for f in report.findings if f.rule == "syntax.warning"), expected


def test_concurrent_checks_keep_their_own_syntax_warnings_off_stderr(
    capfd: pytest.CaptureFixture[str],
) -> None:
    check("x = 1\n", config=CONFIG)  # the plugins load once, before the threads start
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns between almost every bytecode: races show at once
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(_warned_lines, range(160)))
    finally:
        sys.setswitchinterval(interval)
    assert [found for found, _ in results] == [expected for _, expected in results]
    assert all(expected for _, expected in results)
    assert capfd.readouterr().err == ""
