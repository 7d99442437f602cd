"""The three predefined tasks of the original design, word for word."""

from __future__ import annotations

__all__ = ["PREDEFINED_TASKS", "resolve_tasks"]

PREDEFINED_TASKS: dict[str, str] = {
    "simple": (
        "Create a Python function that calculates the factorial of a number using recursion.\n"
        "The function should handle edge cases like negative numbers and zero, and include \n"
        "comprehensive unit tests to validate its correctness."
    ),
    "moderate": (
        "Create a function that analyses a CSV file containing student grades and calculates \n"
        "comprehensive statistics including mean, median, standard deviation, letter grade \n"
        "distribution, and identifies students who need academic intervention (below 70% average)."
    ),
    "complex": (
        "Create a Python function that implements a multi-threaded web scraper to extract \n"
        "product prices from an e-commerce website. The scraper should handle pagination, \n"
        "respect robots.txt rules, and implement error handling for network issues."
    ),
}


def resolve_tasks(name_or_text: str) -> list[tuple[str, str]]:
    """``simple``/``moderate``/``complex`` -> that task; ``all`` -> the three in turn; anything else is a task text."""
    key = name_or_text.strip().lower()
    if key == "all":
        return list(PREDEFINED_TASKS.items())
    if key in PREDEFINED_TASKS:
        return [(key, PREDEFINED_TASKS[key])]
    return [("custom", name_or_text)]
