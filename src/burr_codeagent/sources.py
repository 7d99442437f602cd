"""Reading the user's source files for ``codeagent check``: one clear error for every file that cannot be checked."""

from __future__ import annotations

from pathlib import Path

__all__ = ["UsageError", "decode_source", "read_source"]


class UsageError(Exception):
    """A problem the user can fix; printed as one paragraph, exit code 2."""


def read_source(path: Path, max_bytes: int) -> str:
    """Read a Python source file, or raise :class:`UsageError` saying exactly why it cannot be checked."""
    if not path.exists():
        raise UsageError(f"{path}: no such file")
    if path.is_dir():
        raise UsageError(f"{path}: is a directory; give the Python files in it")
    size = path.stat().st_size
    if size > max_bytes:
        raise UsageError(_too_large(str(path), size, max_bytes))
    return decode_source(str(path), path.read_bytes(), max_bytes)


def _too_large(name: str, size: int, max_bytes: int) -> str:
    return (
        f"{name}: {size / 1_000_000:.1f} MB is larger than the {max_bytes / 1_000_000:.1f} MB limit "
        "(raise it with --max-bytes)"
    )


def decode_source(name: str, data: bytes, max_bytes: int) -> str:
    """The text of Python source ``data`` read from ``name`` (a path, or ``stdin``), or :class:`UsageError` saying
    why it cannot be checked: too large, binary, not UTF-8, or empty."""
    if len(data) > max_bytes:
        raise UsageError(
            f"{name}: is larger than the {max_bytes / 1_000_000:.1f} MB limit (raise it with --max-bytes)"
        )
    if b"\x00" in data:
        raise UsageError(f"{name}: contains null bytes; it looks like a binary file, not Python source")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{name}: is not valid UTF-8 (byte {exc.start}: {data[exc.start : exc.start + 1]!r}); "
            "save it as UTF-8 (PEP 3120)"
        ) from exc
    if not text.strip():
        raise UsageError(f"{name}: is empty; there is nothing to check")
    return text.removeprefix("\ufeff")
