"""The ``coverage`` gate (:mod:`.gate`): line and branch coverage of the code by the generated tests.

Measured by a coverage.py plugin (:mod:`._pytest_plugin`) inside the sandboxed pytest run, read back by
:mod:`._measure`.
"""

from __future__ import annotations

from .gate import CoverageGate, describe_branch, line_ranges, register_gates

__all__ = ["CoverageGate", "describe_branch", "line_ranges", "register_gates"]
