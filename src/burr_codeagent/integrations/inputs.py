"""Validate what an integration is asked to check: source text, its size, and file paths under a root directory.

Every problem raises :class:`InputError` with one sentence a user (or a coding assistant) can act on.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEFAULT_MAX_BYTES", "InputError", "read_source_under", "validate_source"]

DEFAULT_MAX_BYTES = 500_000
"""Largest code or test text accepted (UTF-8 bytes): ten times a large hand-written module."""


class InputError(ValueError):
    """The input cannot be checked; the message says why."""


def validate_source(text: str, what: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """``text`` if it is non-empty Python source within ``max_bytes``, without a byte-order mark."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise InputError(
            f"{what} is {size:,} bytes, larger than this server's {max_bytes:,}-byte limit; check a smaller module"
        )
    if "\x00" in text:
        raise InputError(f"{what} contains null bytes; it looks like binary data, not Python source")
    if not text.strip():
        raise InputError(f"{what} is empty; there is nothing to check")
    return text.removeprefix("\ufeff")


def read_source_under(
    root: Path, path: str, what: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[Path, str]:
    """Resolve ``path`` (relative to ``root`` or absolute) and read it, refusing anything outside ``root``.

    Symbolic links are resolved first, so a link inside ``root`` pointing outside it is refused too.
    """
    base = root.resolve()
    target = (base / path).resolve()
    if not target.is_relative_to(base):
        raise InputError(f"{what} {path!r} is outside the server's working directory {base}; it was not read")
    if not target.is_file():
        raise InputError(f"{what} {path!r} is not a file under {base}")
    size = target.stat().st_size
    if size > max_bytes:
        raise InputError(f"{what} {path!r} is {size:,} bytes, larger than the {max_bytes:,}-byte limit")
    data = target.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{what} {path!r} is not valid UTF-8 (byte {exc.start}); save it as UTF-8 (PEP 3120)"
        ) from exc
    return target, validate_source(text, f"{what} {path!r}", max_bytes)
