"""A small LRU cache of check reports, keyed by content and configuration."""

from __future__ import annotations

import threading
from collections import OrderedDict

from .models import CheckReport

__all__ = ["ReportCache"]


class ReportCache:
    """Reports by key, least recently used dropped first. Each plugin manager owns one, so a cached report always
    comes from the same gate instances."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._items: OrderedDict[str, CheckReport] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> CheckReport | None:
        """The report stored under ``key``, if any."""
        with self._lock:
            report = self._items.get(key)
            if report is not None:
                self._items.move_to_end(key)
            return report

    def put(self, key: str, report: CheckReport) -> None:
        """Store ``report`` under ``key``."""
        with self._lock:
            self._items[key] = report
            while len(self._items) > self.size:
                self._items.popitem(last=False)
