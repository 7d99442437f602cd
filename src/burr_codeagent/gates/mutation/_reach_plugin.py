"""pytest plugin shipped into the sandbox: which functions of the module under test each test reaches, and how long
each test takes.

Added to the ``execution`` gate's one pytest session by the ``mutation`` gate, so its own session needs no baseline
run: it tests mutants straight away, running for each only the tests that reach the changed function. Uses
``sys.setprofile`` (not ``settrace``), so coverage.py's tracer in the same session is left alone. One JSON line per
test, written as the test ends. Standalone on purpose (stdlib and pytest only).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import types
from collections.abc import Callable, Generator
from typing import Any, TextIO

import pytest

MODULE_FILE = os.path.abspath(os.environ.get("CODEAGENT_REACH_MODULE", "solution.py"))
REPORT_FILE = os.environ.get("CODEAGENT_REACH_REPORT", ".codeagent-reach.jsonl")
_OUT: list[TextIO] = []


def _profiler(hits: set[tuple[str, int]]) -> Callable[[types.FrameType, str, Any], None]:
    def profile(frame: types.FrameType, event: str, arg: Any) -> None:
        if event == "call":
            code = frame.f_code
            if code.co_filename == MODULE_FILE:
                hits.add((code.co_qualname, code.co_firstlineno))

    return profile


def pytest_configure(config: pytest.Config) -> None:
    """Open the report."""
    _OUT.append(open(REPORT_FILE, "w", encoding="utf-8"))  # noqa: SIM115 - closed at unconfigure


def pytest_unconfigure(config: pytest.Config) -> None:
    """Close the report."""
    for handle in _OUT:
        handle.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    """Time the test and record the code of the module it reaches."""
    hits: set[tuple[str, int]] = set()
    profile = _profiler(hits)
    previous = sys.getprofile()
    sys.setprofile(profile)
    threading.setprofile(profile)
    started = time.perf_counter()
    try:
        return (yield)
    finally:
        sys.setprofile(previous)
        threading.setprofile(None)
        record = {"id": item.nodeid, "seconds": time.perf_counter() - started, "reached": sorted(hits)}
        if _OUT:
            _OUT[0].write(json.dumps(record) + "\n")
            _OUT[0].flush()
