"""The ``performance`` gate: quadratic lookups, unbounded recursion and costly loop bodies."""

from __future__ import annotations

import pytest

from burr_codeagent import Severity

from ._helpers import findings, rules
from ._reference import ALL


@pytest.mark.parametrize("name", sorted(ALL))
def test_reference_solutions_have_no_performance_warnings(name: str) -> None:
    found = findings("performance", ALL[name])
    assert [f for f in found if f.severity is not Severity.INFO] == []


def test_recursive_factorial_with_a_base_case_is_not_flagged() -> None:
    code = """
    def factorial(n: int) -> int:
        if n <= 1:
            return 1
        return n * factorial(n - 1)
    """
    assert findings("performance", code) == []


@pytest.mark.parametrize(
    ("code", "line"),
    [
        ("def factorial(n):\n    return n * factorial(n - 1)\n", 2),
        ("def countdown(n):\n    print(n)\n    countdown(n - 1)\n", 3),
        (
            "def total(n):\n    rest = total(n - 1)\n    if n == 0:\n        return 0\n    return n + rest\n",
            2,
        ),
        ("class Tree:\n    def depth(self, node):\n        return 1 + self.depth(node.child)\n", 3),
        ("def spin(n):\n    with open('log') as log:\n        spin(n + 1)\n", 3),
        ("class Tree:\n    @classmethod\n    def make(cls, n):\n        return cls.make(n)\n", 4),
        ("class Tree:\n    def grow(self, n):\n        return Tree.grow(self, n)\n", 3),
    ],
    ids=["function", "statement", "base-case-too-late", "method", "inside-with", "classmethod", "by-class"],
)
def test_recursion_reached_before_any_base_case_is_a_warning(code: str, line: int) -> None:
    found = findings("performance", code)
    assert rules(found) == ["performance.unbounded_recursion"]
    assert found[0].severity is Severity.WARNING and found[0].line == line


@pytest.mark.parametrize(
    "code",
    [
        "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n",
        "def walk(node):\n    for child in node.children:\n        walk(child)\n",
        "def gcd(a, b):\n    return b and gcd(b, a % b) or a\n",
        "def count(xs):\n    return [count(x) for x in xs]\n",
        "def search(lo, hi):\n    while lo < hi:\n        return search(lo + 1, hi)\n    return lo\n",
        "def retry(n):\n    try:\n        return work()\n    except OSError:\n        return retry(n - 1)\n",
    ],
    ids=["conditional-expression", "loop-over-data", "boolean", "comprehension", "while", "try"],
)
def test_recursion_under_a_condition_is_not_flagged(code: str) -> None:
    assert rules(findings("performance", code)) == []


def test_membership_in_a_growing_list_inside_a_loop_is_quadratic() -> None:
    code = """
    def unique(items: list[int]) -> list[int]:
        seen = []
        for item in items:
            if item not in seen:
                seen.append(item)
        return seen
    """
    found = findings("performance", code)
    assert rules(found) == ["performance.list_lookup_in_loop"]
    f = found[0]
    assert f.severity is Severity.WARNING and "set" in (f.suggestion or "")
    assert (f.line, f.column, f.end_column) == (5, 12, 28)


@pytest.mark.parametrize(
    "lookup",
    ["positions = [order.index(x) for x in wanted]", "positions = [order.count(x) for x in wanted]"],
)
def test_index_and_count_on_a_list_in_a_comprehension_are_quadratic(lookup: str) -> None:
    code = f"def ranks(names: list[str], wanted: list[str]) -> list[int]:\n    order = sorted(names)\n    {lookup}\n"
    code += "    return positions\n"
    assert rules(findings("performance", code)) == ["performance.list_lookup_in_loop"]


def test_membership_in_a_list_parameter_inside_a_loop_is_quadratic() -> None:
    code = "def common(a: list[int], b: list[int]) -> list[int]:\n    return [x for x in a if x in b]\n"
    assert rules(findings("performance", code)) == ["performance.list_lookup_in_loop"]


def test_lookalike_membership_tests_are_not_flagged() -> None:
    code = """
    def classify(text: str, allowed: set[str], table: dict[str, int]) -> int:
        vowels = ["a", "e", "i", "o", "u"]
        count = 0
        for ch in text:
            if ch in vowels:
                count += 1
            if ch in allowed or ch in table or ch in "xyz":
                count += 2
        words = text.split()
        if "stop" in words:
            return -1
        return count
    """
    assert findings("performance", code) == []


def test_string_built_with_plus_in_a_loop_is_an_info_hint_once_per_loop() -> None:
    code = """
    def render(rows: list[str]) -> str:
        html = ""
        for row in rows:
            html += "<tr>"
            html = html + row
        return html
    """
    found = findings("performance", code)
    assert rules(found) == ["performance.string_concat_in_loop"]
    assert found[0].severity is Severity.INFO and found[0].line == 5 and "join" in (found[0].suggestion or "")


def test_numeric_accumulators_are_not_string_concatenation() -> None:
    code = """
    def total(prices: list[float]) -> float:
        amount = 0.0
        names = []
        for price in prices:
            amount += price
            names += [str(price)]
        return amount
    """
    assert findings("performance", code) == []


def test_nested_loops_over_the_same_sequence_are_an_info_hint() -> None:
    code = """
    def has_pair(nums: list[int], target: int) -> bool:
        for i in range(len(nums)):
            for j in range(len(nums)):
                if i != j and nums[i] + nums[j] == target:
                    return True
        return False
    """
    found = findings("performance", code)
    assert rules(found) == ["performance.nested_loop_same_sequence"]
    assert found[0].severity is Severity.INFO and found[0].line == 4


def test_grid_loops_over_different_or_numeric_ranges_are_not_flagged() -> None:
    code = """
    def grid(n: int, rows: list[int], cols: list[int]) -> int:
        total = 0
        for i in range(n):
            for j in range(n):
                total += i * j
        for r in rows:
            for c in cols:
                total += r * c
        return total
    """
    assert findings("performance", code) == []


@pytest.mark.parametrize(
    "imports, call",
    [
        ("import time", "time.sleep(1)"),
        ("from time import sleep", "sleep(1)"),
        ("import time as t", "t.sleep(1)"),
    ],
)
def test_sleep_inside_a_loop_is_an_info_hint_whatever_the_import(imports: str, call: str) -> None:
    code = f"{imports}\n\ndef poll(ready) -> None:\n    while not ready():\n        {call}\n"
    found = findings("performance", code)
    assert rules(found) == ["performance.sleep_in_loop"]
    assert found[0].severity is Severity.INFO and found[0].line == 5


def test_sleep_lookalikes_are_not_flagged() -> None:
    code = """
    import time

    def sleep(seconds: float) -> None:
        print("pretending to sleep", seconds)

    def run(jobs: list[str]) -> None:
        time.sleep(1)
        for job in jobs:
            sleep(0)
            print("time.sleep(1) in a string")
    """
    assert findings("performance", code) == []


def test_a_function_calling_a_same_named_import_or_rebound_global_is_not_recursive() -> None:
    code = """
    def show_compilers():
        from distutils.ccompiler import show_compilers
        show_compilers()

    def pager(text):
        global pager
        pager = choose_pager()
        pager(text)
    """
    assert findings("performance", code) == []


def test_a_list_rebuilt_on_every_iteration_is_not_a_repeated_lookup() -> None:
    code = """
    def serve(selector, listener) -> None:
        while True:
            ready = [key.fileobj for key, _ in selector.select()]
            if listener in ready:
                accept(listener)
    """
    assert findings("performance", code) == []
