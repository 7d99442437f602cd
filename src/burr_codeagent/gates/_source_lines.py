"""Which lines of a source hold code and how many comments it has, as a tokenize pass counts them, in one regex scan.

radon's raw metrics (and the ``complexity`` gate's maintainability index) count the lines covered by any token
other than newlines, indents and comments, and the comment tokens. :mod:`tokenize` is pure Python in 3.11 and
makes an object per token: on a module of 2,600 lines it was a seventh of the whole static check. For source that
parses, the same two figures come from a scan that only has to tell strings, comments and line continuations
from the rest; ``tests/gates/test_source_lines.py`` holds it to the tokenize count on the standard library.
"""

from __future__ import annotations

import re

__all__ = ["line_counts"]

_PIECES = re.compile(
    r"""
      (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''    # triple-quoted strings first: ''' is never an empty string
               |\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n]|\\.)*'
               |"(?:[^"\\\n]|\\.)*")
    | (?P<comment>\#[^\n]*)
    | (?P<continuation>\\\n)
    | (?P<newline>\n)
    | [ \t\f]+
    | (?P<code>[^'"\#\\\n \t\f]+)
    """,
    re.VERBOSE | re.DOTALL,
)


def line_counts(source: str) -> tuple[set[int], int] | None:
    """(the 1-based numbers of the lines holding code, the number of comments) of ``source``, which must parse;
    None where the scan would not be sure to agree with :mod:`tokenize` (carriage returns)."""
    if "\r" in source:
        return None
    code_lines: set[int] = set()
    comments = 0
    line = 1
    position = 0
    for match in _PIECES.finditer(source):
        if match.start() != position:  # a piece the scan does not know (a stray backslash): tokenize counts
            return None
        position = match.end()
        kind = match.lastgroup
        if kind == "code":
            code_lines.add(line)
        elif kind == "string":
            breaks = match.group().count("\n")
            code_lines.update(range(line, line + breaks + 1))
            line += breaks
        elif kind == "comment":
            comments += 1
        elif kind in ("newline", "continuation"):
            line += 1
    if position != len(source):
        return None
    return code_lines, comments
