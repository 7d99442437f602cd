"""Which lines of a source hold code and how many comments it has, as a tokenize pass counts them, in one regex scan.

radon's raw metrics (and the ``complexity`` gate's maintainability index) count the lines covered by any token
other than newlines, indents and comments, and the comment tokens. :mod:`tokenize` is pure Python in 3.11 and
makes an object per token: on a module of 2,600 lines it was a seventh of the whole static check. For source that
parses, the same two figures come from a scan that only has to tell strings, comments and line continuations
from the rest; ``tests/gates/test_source_lines.py`` holds it to the tokenize count on the standard library.
"""

from __future__ import annotations

import re
import tokenize

__all__ = ["Piece", "line_counts", "literal_tokens", "scan"]

# Only what the scans must tell apart from code: every other character is skipped in one run of the character
# class (possessive: a failed match never backtracks into it), and the end of the source closes the last run.
_SPECIAL = re.compile(
    r"""
      [^'"\#\\]*+
      (?: (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
                   |\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                   |'(?:[^'\\\n]|\\.)*'
                   |"(?:[^"\\\n]|\\.)*")
        | (?P<comment>\#[^\n]*)
        | (?P<continuation>\\\n)
        | (?P<stray>['"\\])
        | (?P<end>\Z) )
    """,
    re.VERBOSE | re.DOTALL,
)


Piece = tuple[str, int, int]
"""What :func:`scan` finds: (``string``, ``comment``, ``continuation``, ``stray`` or ``end``, start, end)."""


def scan(source: str) -> list[Piece]:
    """The strings, comments, line continuations and stray quotes or backslashes of ``source``, in order, up to and
    including the end of the source (``end``): what :func:`line_counts` and :func:`literal_tokens` read, so a check
    that needs both scans once."""
    found: list[Piece] = []
    for match in _SPECIAL.finditer(source):
        kind = match.lastgroup or "end"
        start, end = match.span(kind)
        found.append((kind, start, end))
        if kind == "end":
            break
    return found


def line_counts(source: str, pieces: list[Piece] | None = None) -> tuple[set[int], int] | None:
    """(the 1-based numbers of the lines holding code, the number of comments) of ``source``, which must parse;
    None where the scan would not be sure to agree with :mod:`tokenize` (carriage returns). ``pieces``:
    :func:`scan` of ``source``, when already done.

    The strings, comments and continuations are found by :data:`_SPECIAL`; the source is then rewritten with each
    string as one ``x`` per line it covers, comments dropped and continuations as bare line breaks, so the lines
    holding code are the lines of the rewritten text with something other than blanks on them."""
    if "\r" in source:
        return None
    parts: list[str] = []
    comments = 0
    position = 0
    for kind, start, end in scan(source) if pieces is None else pieces:
        parts.append(source[position:start])
        position = end
        if kind == "end":
            break
        if kind == "string":
            parts.append("x" + "\nx" * source.count("\n", start, end))
        elif kind == "comment":
            comments += 1
        elif kind == "continuation":
            parts.append("\n")
        else:  # a quote that opens no string, a backslash that continues no line: tokenize counts
            return None
    lines = "".join(parts).split("\n")
    return {number for number, line in enumerate(lines, 1) if line.strip(" \t\f")}, comments


# What tokenize takes as a string prefix: the run of letters right before the quote, in any case.
_STRING_PREFIXES = frozenset({"r", "u", "b", "f", "br", "rb", "fr", "rf"})
_IDENTIFIER = re.compile(r"\w+\Z")

Position = tuple[int, int]


def literal_tokens(
    source: str, pieces: list[Piece] | None = None
) -> list[tuple[int, Position, Position]] | None:
    """The ``tokenize.STRING`` and ``tokenize.COMMENT`` tokens of ``source``, which must parse, as ``(type, start,
    end)`` with tokenize's 1-based rows and 0-based columns, from the same scan as :func:`line_counts` (``pieces``,
    when already done); None where the scan would not be sure to agree with :mod:`tokenize`."""
    if "\r" in source:
        return None
    found: list[tuple[int, Position, Position]] = []
    line, line_start, position = 1, 0, 0
    for kind, start, end in scan(source) if pieces is None else pieces:
        breaks = source.count("\n", position, start)  # the lines the skipped code ran over
        if breaks:
            line += breaks
            line_start = source.rfind("\n", position, start) + 1
        position = end
        if kind == "end":
            break
        if kind == "string":
            before = _IDENTIFIER.search(source, line_start, start)
            if before is not None and before.group().lower() in _STRING_PREFIXES:
                start = before.start()
            breaks = source.count("\n", start, end)
            end_column = end - (source.rfind("\n", 0, end) + 1) if breaks else end - line_start
            found.append((tokenize.STRING, (line, start - line_start), (line + breaks, end_column)))
            if breaks:
                line += breaks
                line_start = source.rfind("\n", 0, end) + 1
        elif kind == "comment":
            found.append((tokenize.COMMENT, (line, start - line_start), (line, end - line_start)))
        elif kind == "continuation":
            line += 1
            line_start = end
        else:
            return None
    return found
