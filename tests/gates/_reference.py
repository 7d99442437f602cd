"""Clean, idiomatic reference solutions to classic programming problems, written the way published solutions are.

The syntax-tree gates must give none of them a critical finding and at most a few warnings. Two of them are kept
deliberately plain (LeetCode signature, no annotations or docstrings) to prove that undocumented but correct code
gets warnings, never criticals.
"""

from __future__ import annotations

from tests.conftest import GOOD_CODE

BINARY_SEARCH = '''\
"""Binary search over a sorted sequence."""

from collections.abc import Sequence


def binary_search(items: Sequence[int], target: int) -> int:
    """Return the index of ``target`` in ``items``, or -1 when it is absent.

    Args:
        items: Integers sorted in ascending order.
        target: The value to look for.

    Returns:
        The position of ``target``, or -1.
    """
    lo, hi = 0, len(items) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if items[mid] == target:
            return mid
        if items[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1
'''

LRU_CACHE = '''\
"""A least-recently-used cache with O(1) get and put."""

from collections import OrderedDict


class LRUCache:
    """A fixed-capacity mapping that evicts the least recently used key.

    Args:
        capacity: The most keys the cache holds.

    Raises:
        ValueError: If ``capacity`` is not positive.
    """

    def __init__(self, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self._data: OrderedDict[int, int] = OrderedDict()

    def get(self, key: int) -> int:
        """Return the value stored for ``key`` (marking it recently used), or -1.

        Args:
            key: The key to look up.

        Returns:
            The stored value, or -1 when the key is absent.
        """
        if key not in self._data:
            return -1
        self._data.move_to_end(key)
        return self._data[key]

    def put(self, key: int, value: int) -> None:
        """Store ``value`` under ``key``, evicting the least recently used key when full.

        Args:
            key: The key to store.
            value: The value to store.
        """
        if key in self._data:
            self._data.move_to_end(key)
        self._data[key] = value
        if len(self._data) > self.capacity:
            self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)
'''

MERGE_INTERVALS = '''\
"""Merge overlapping intervals."""


def merge_intervals(intervals: list[list[int]]) -> list[list[int]]:
    """Merge every overlapping pair of closed intervals.

    Parameters
    ----------
    intervals : list of [start, end] pairs
        The intervals, in any order.

    Returns
    -------
    list of [start, end] pairs
        Non-overlapping intervals sorted by start.
    """
    merged: list[list[int]] = []
    for start, end in sorted(intervals, key=lambda pair: pair[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged
'''

DIJKSTRA = '''\
"""Single-source shortest paths with Dijkstra's algorithm."""

import heapq
import math

Graph = dict[str, list[tuple[str, float]]]


def dijkstra(graph: Graph, source: str) -> dict[str, float]:
    """Compute the shortest distance from ``source`` to every node.

    :param graph: Adjacency lists of (neighbour, non-negative weight) pairs.
    :param source: The start node.
    :returns: The distance to every node; ``math.inf`` for unreachable ones.
    :raises KeyError: If ``source`` is not in the graph.
    """
    if source not in graph:
        raise KeyError(source)
    dist = {node: math.inf for node in graph}
    dist[source] = 0.0
    queue = [(0.0, source)]
    while queue:
        d, node = heapq.heappop(queue)
        if d > dist[node]:
            continue
        for neighbour, weight in graph[node]:
            candidate = d + weight
            if candidate < dist.get(neighbour, math.inf):
                dist[neighbour] = candidate
                heapq.heappush(queue, (candidate, neighbour))
    return dist
'''

WORD_FREQUENCY = '''\
"""Count the most common words of a text."""

import re
from collections import Counter

WORD = re.compile(r"[a-z']+")


def top_words(text: str, n: int = 10) -> list[tuple[str, int]]:
    """Return the ``n`` most common words of ``text``, case-insensitively.

    Args:
        text: Any text.
        n: How many words to return.

    Returns:
        (word, count) pairs, most common first.

    Raises:
        ValueError: If ``n`` is negative.
    """
    if n < 0:
        raise ValueError("n must be non-negative")
    return Counter(WORD.findall(text.lower())).most_common(n)
'''

QUICKSORT_AND_FLATTEN = '''\
"""Recursive algorithms: quicksort and flattening nested lists."""

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any


def quicksort(items: list[int]) -> list[int]:
    """Return a sorted copy of ``items``.

    Args:
        items: The values to sort.

    Returns:
        A new sorted list.
    """
    if len(items) <= 1:
        return list(items)
    pivot, *rest = items
    smaller = [x for x in rest if x < pivot]
    larger = [x for x in rest if x >= pivot]
    return quicksort(smaller) + [pivot] + quicksort(larger)


def flatten(nested: Iterable[Any]) -> Iterator[Any]:
    """Yield the leaves of arbitrarily nested lists, depth first.

    Args:
        nested: Lists containing values or further lists.

    Yields:
        Every non-list value, in order.
    """
    for item in nested:
        if isinstance(item, list):
            yield from flatten(item)
        else:
            yield item


@lru_cache(maxsize=None)
def fibonacci(n: int) -> int:
    """Return the n-th Fibonacci number.

    Args:
        n: A non-negative index.

    Returns:
        F(n), with F(0) = 0 and F(1) = 1.
    """
    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)
'''

PALINDROME = '''\
"""Palindrome check that ignores case and punctuation."""


def is_palindrome(text: str) -> bool:
    """Tell whether ``text`` reads the same backwards, ignoring case and non-alphanumerics.

    Args:
        text: Any string.

    Returns:
        True for palindromes such as "A man, a plan, a canal: Panama".
    """
    cleaned = [c.lower() for c in text if c.isalnum()]
    return cleaned == cleaned[::-1]
'''

# Plain published style: correct, unannotated, undocumented. Warnings are expected, criticals are not.
LEETCODE_TWO_SUM = """\
from typing import List


class Solution:
    def twoSum(self, nums: List[int], target: int) -> List[int]:
        seen = {}
        for i, num in enumerate(nums):
            if target - num in seen:
                return [seen[target - num], i]
            seen[num] = i
        return []
"""

PLAIN_SIEVE = """\
def primes_up_to(n):
    if n < 2:
        return []
    is_prime = [True] * (n + 1)
    is_prime[0] = is_prime[1] = False
    for i in range(2, int(n ** 0.5) + 1):
        if is_prime[i]:
            for j in range(i * i, n + 1, i):
                is_prime[j] = False
    return [i for i, prime in enumerate(is_prime) if prime]
"""

DOCUMENTED = {
    "factorial": GOOD_CODE,
    "binary_search": BINARY_SEARCH,
    "lru_cache": LRU_CACHE,
    "merge_intervals": MERGE_INTERVALS,
    "dijkstra": DIJKSTRA,
    "word_frequency": WORD_FREQUENCY,
    "quicksort_and_flatten": QUICKSORT_AND_FLATTEN,
    "palindrome": PALINDROME,
}
PLAIN = {"leetcode_two_sum": LEETCODE_TWO_SUM, "plain_sieve": PLAIN_SIEVE}
ALL = {**DOCUMENTED, **PLAIN}

# The gates of this module's tests (style/security/complexity/imports are tested elsewhere).
AST_GATES = ["type_hints", "docstrings", "error_handling", "naming", "performance", "tests"]
