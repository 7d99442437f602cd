"""Clean, idiomatic solutions in the style of published references (the itertools and bisect recipes of the Python
documentation, textbook algorithms). The static gates must give none of them a critical finding."""

from __future__ import annotations

SLIDING_WINDOW = '''\
"""Sliding windows over an iterable (the itertools recipe)."""

import collections
from collections.abc import Iterable, Iterator
from itertools import islice


def sliding_window(iterable: Iterable[int], n: int) -> Iterator[tuple[int, ...]]:
    """Collect data into overlapping fixed-length chunks or blocks."""
    iterator = iter(iterable)
    window = collections.deque(islice(iterator, n - 1), maxlen=n)
    for x in iterator:
        window.append(x)
        yield tuple(window)
'''

BISECT_GRADES = '''\
"""Numeric score to letter grade with bisect (the bisect module recipe)."""

from bisect import bisect


def grade(
    score: float, breakpoints: tuple[int, ...] = (60, 70, 80, 90), grades: str = "FDCBA"
) -> str:
    """Return the letter grade of ``score``."""
    i = bisect(breakpoints, score)
    return grades[i]
'''

DIJKSTRA = '''\
"""Shortest paths from one node with Dijkstra's algorithm and a binary heap."""

import heapq
from collections.abc import Mapping


def dijkstra(graph: Mapping[str, Mapping[str, float]], source: str) -> dict[str, float]:
    """Distances from ``source`` to every reachable node of a graph with non-negative weights."""
    if source not in graph:
        raise KeyError(f"unknown node: {source}")
    distances = {source: 0.0}
    queue = [(0.0, source)]
    while queue:
        distance, node = heapq.heappop(queue)
        if distance > distances.get(node, float("inf")):
            continue
        for neighbour, weight in graph[node].items():
            candidate = distance + weight
            if candidate < distances.get(neighbour, float("inf")):
                distances[neighbour] = candidate
                heapq.heappush(queue, (candidate, neighbour))
    return distances
'''

LRU_CACHE = '''\
"""A least-recently-used cache on top of OrderedDict."""

from collections import OrderedDict


class LRUCache:
    """Keep at most ``capacity`` items, evicting the least recently used."""

    def __init__(self, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self._items: OrderedDict[str, int] = OrderedDict()

    def get(self, key: str) -> int | None:
        """Return the value for ``key`` and mark it as recently used."""
        if key not in self._items:
            return None
        self._items.move_to_end(key)
        return self._items[key]

    def put(self, key: str, value: int) -> None:
        """Store ``value`` under ``key``, evicting the oldest entry when full."""
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self.capacity:
            self._items.popitem(last=False)
'''

WORD_COUNT = '''\
"""Count the words of a text file."""

import re
from collections import Counter
from pathlib import Path

WORD = re.compile(r"[a-z']+")


def top_words(path: Path, n: int = 10) -> list[tuple[str, int]]:
    """The ``n`` most common words of the file at ``path``."""
    text = path.read_text(encoding="utf-8").lower()
    return Counter(WORD.findall(text)).most_common(n)
'''

RUN_COMMAND = '''\
"""Run a program and capture its output, safely."""

import shutil
import subprocess


def git_branch(repository: str) -> str:
    """The current branch of the git repository at ``repository``."""
    git = shutil.which("git")
    if git is None:
        raise FileNotFoundError("git is not installed")
    completed = subprocess.run(
        [git, "-C", repository, "rev-parse", "--abbrev-ref", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    )
    return completed.stdout.strip()
'''

SQLITE_STORE = '''\
"""A tiny key-value store on sqlite3 with parameterised queries."""

import sqlite3


class Store:
    """Persist string values by key."""

    def __init__(self, path: str = ":memory:") -> None:
        self.connection = sqlite3.connect(path)
        self.connection.execute("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT)")

    def set(self, key: str, value: str) -> None:
        """Store ``value`` under ``key``."""
        with self.connection:
            self.connection.execute("INSERT OR REPLACE INTO kv VALUES (?, ?)", (key, value))

    def get(self, key: str) -> str | None:
        """The value stored under ``key``, if any."""
        row = self.connection.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None
'''

FIBONACCI = '''\
"""Fibonacci numbers with memoisation."""

from functools import lru_cache


@lru_cache(maxsize=None)
def fibonacci(n: int) -> int:
    """The n-th Fibonacci number (fibonacci(0) == 0)."""
    if n < 0:
        raise ValueError("n must be non-negative")
    if n < 2:
        return n
    return fibonacci(n - 1) + fibonacci(n - 2)
'''

REFERENCE_SOLUTIONS = {
    "sliding_window": SLIDING_WINDOW,
    "bisect_grades": BISECT_GRADES,
    "dijkstra": DIJKSTRA,
    "lru_cache": LRU_CACHE,
    "word_count": WORD_COUNT,
    "run_command": RUN_COMMAND,
    "sqlite_store": SQLITE_STORE,
    "fibonacci": FIBONACCI,
}
