"""Factorial by recursion: the original design's "simple" task, as the agent writes it."""


def factorial(n: int) -> int:
    """Return ``n!`` computed recursively.

    Args:
        n: A non-negative integer.

    Returns:
        The factorial of ``n``.

    Raises:
        TypeError: If ``n`` is not an integer.
        ValueError: If ``n`` is negative.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, not {type(n).__name__}")
    if n < 0:
        raise ValueError("n must be non-negative")
    if n < 2:
        return 1
    return n * factorial(n - 1)
