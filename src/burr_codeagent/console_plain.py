"""Rich markup printed as rich prints it, without importing rich when the stream is no terminal.

``codeagent check`` prints its findings as rich markup. To a pipe or a file (CI logs, editors, pre-commit hooks,
scripts) rich writes that markup's text without any style, and importing rich to do so costs about as much CPU as
``ruff check`` takes for the whole file (~17 ms, 8 % of a check of a small file). :class:`PlainConsole` writes such
text itself and hands everything else to a real rich console: a terminal, ``FORCE_COLOR`` or ``TTY_COMPATIBLE``
set, Windows, Jupyter, text that rich would change (tabs, the control characters it strips, emoji codes), markup
it does not parse the same way. ``tests/test_console_plain.py`` compares both outputs, and :func:`escape` with
rich's, on many tricky strings.
"""

from __future__ import annotations

import builtins
import os
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TextIO

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["MarkupPrinter", "PlainConsole", "escape"]

# rich.markup's patterns: a tag, with the backslashes before it, and what escape() escapes.
_TAG = re.compile(r"((\\*)\[([a-z#/@][^[]*?)])")
_ESCAPE = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")
# What rich's Text changes in the text it is given: tabs expanded, these control characters stripped.
_CHANGED_BY_RICH = re.compile("[\t\x07\x08\x0b\x0c\r]")
_EMOJI_CODE = re.compile(r":\S*?:")
_RICH_ENVIRONMENT = ("FORCE_COLOR", "TTY_COMPATIBLE")


class MarkupPrinter(Protocol):
    """What prints findings: a rich ``Console`` or a :class:`PlainConsole`."""

    def print(self, *objects: Any, emoji: bool | None = None) -> None:
        """Print rich markup and a newline."""


def escape(markup: str) -> str:
    """Escape text so that rich does not read it as markup: ``rich.markup.escape``, without importing rich."""

    def escape_backslashes(match: re.Match[str]) -> str:
        backslashes, text = match.groups()
        return f"{backslashes}{backslashes}\\{text}"

    markup = _ESCAPE.sub(escape_backslashes, markup)
    if markup.endswith("\\") and not markup.endswith("\\\\"):
        return markup + "\\"
    return markup


def _plain_text(markup: str) -> str | None:
    """The text rich renders ``markup`` to, or ``None`` where this is not sure to agree with rich.

    Tags are dropped and escaped tags kept as text, as ``rich.markup.render`` does; a closing tag must close the
    last open one, unnamed (``[/]``), as everywhere in this package (rich raises on others, so they go to rich).
    """
    parts = []
    position = 0
    open_tags = 0
    for match in _TAG.finditer(markup):
        full_text, escapes, tag_text = match.groups()
        start, end = match.span()
        parts.append(markup[position:start])
        position = end
        backslashes, escaped = divmod(len(escapes), 2)
        parts.append("\\" * backslashes)
        if escaped:
            parts.append(full_text[len(escapes) :])
        elif tag_text.startswith("/"):
            if tag_text != "/" or not open_tags:
                return None
            open_tags -= 1
        else:
            open_tags += 1
    parts.append(markup[position:])
    return "".join(parts)


def _writes_plain(stream: TextIO | None) -> bool:
    """Whether a rich console would write to ``stream`` without styles or terminal handling."""
    if stream is None or os.name == "nt" or hasattr(stream, "rich_proxied_file"):
        return False
    if any(name in os.environ for name in _RICH_ENVIRONMENT) or hasattr(builtins, "get_ipython"):
        return False
    if hasattr(sys.stdin, "__module__") and sys.stdin.__module__.startswith("idlelib"):
        return False
    try:
        return not stream.isatty()
    except (AttributeError, ValueError):
        return False


class PlainConsole:
    """Prints markup as ``Console(highlight=False, soft_wrap=True)`` would to stdout (or stderr), writing it
    directly when rich would write plain text, else through the console ``rich_console()`` returns.

    Args:
        rich_console: The console to print through when rich is needed (made, and rich imported, only then).
        stderr: Print to ``sys.stderr`` instead of ``sys.stdout`` (looked up at each print, as rich does).
    """

    def __init__(self, rich_console: Callable[[], Console], *, stderr: bool = False) -> None:
        self._rich_console = rich_console
        self._stderr = stderr

    def print(self, *objects: Any, emoji: bool | None = None) -> None:
        """Print one markup string and a newline (several objects, or other kinds, go to rich)."""
        stream = sys.stderr if self._stderr else sys.stdout
        text = None
        if len(objects) == 1 and isinstance(objects[0], str) and _writes_plain(stream):
            markup = objects[0]
            if not _CHANGED_BY_RICH.search(markup) and (emoji is False or not _EMOJI_CODE.search(markup)):
                text = _plain_text(markup)
        if text is None:
            self._rich_console().print(*objects, emoji=emoji)
            return
        stream.write(text + "\n")
        stream.flush()
