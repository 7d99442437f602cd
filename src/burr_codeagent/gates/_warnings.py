"""One lock around :func:`warnings.catch_warnings`, which is not thread-safe.

``catch_warnings`` saves and restores the process-wide filters and ``warnings.showwarning``: two threads inside it at
once restore each other's state, so one check's compiler warnings can land in another check's report or on stderr.
Checks run on thread pools (bulk checking, the agent's gate pool), so every use in the package goes through
:func:`caught_warnings`.
"""

from __future__ import annotations

import contextlib
import threading
import warnings
from collections.abc import Iterator

__all__ = ["caught_warnings"]

# Reentrant: a caller holding it may call code that catches warnings too (bandit's import inside a gate).
_LOCK = threading.RLock()


@contextlib.contextmanager
def caught_warnings(*, record: bool = False) -> Iterator[list[warnings.WarningMessage]]:
    """``warnings.catch_warnings(record=record)`` while holding the package's warnings lock; yields the recorded
    warnings (an empty list unless ``record``)."""
    with _LOCK, warnings.catch_warnings(record=record) as caught:
        yield caught if caught is not None else []
