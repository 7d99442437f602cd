"""The ``mutation`` gate (:mod:`.gate`): do the generated tests notice small bugs in the code?

Mutants are made with :mod:`ast` (:mod:`._mutants`) and tested in one sandboxed pytest session
(:mod:`._session`, driving the pytest plugin :mod:`._pytest_plugin`).
"""

from __future__ import annotations

from .gate import MutationGate, register_gates, score, survivor_groups

__all__ = ["MutationGate", "register_gates", "score", "survivor_groups"]
