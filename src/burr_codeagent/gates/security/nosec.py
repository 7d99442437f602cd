"""``# nosec`` comments, in bandit's syntax: ``# nosec`` silences a line, ``# nosec B602, B607`` (or ``# nosec:
B602``) only the listed tests. This gate also accepts its own rule ids (``# nosec security.injection``) and bandit test names
(``# nosec subprocess_popen_with_shell_equals_true``). As in bandit, words that name no test (``# nosec -- reviewed``)
make a blanket ``# nosec``.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping

__all__ = ["NosecLines", "nosec_lines", "silenced"]

NosecLines = Mapping[int, frozenset[str] | None]
"""Line -> the ids it silences (lower-case), or None for a blanket ``# nosec``."""

_NOSEC = re.compile(r"#\s*nosec:?\s*(?P<tests>[^#]+)?#?", re.IGNORECASE)
_IDS = re.compile(r"\bB\d{3}\b|\bsecurity\.\w+|\b[a-z\d]+(?:_[a-z\d]+)+\b", re.IGNORECASE)


def nosec_lines(
    source: str, tokens: Callable[[], Iterable[tokenize.TokenInfo]] | None = None
) -> dict[int, frozenset[str] | None]:
    """Every ``# nosec`` comment of ``source`` (comments only: a string containing "# nosec" is not one).

    ``tokens`` gives the source's tokens when they are at hand (a check's shared tokenize pass); they are asked
    for only when the text mentions ``nosec`` at all.
    """
    found: dict[int, frozenset[str] | None] = {}
    if "nosec" not in source:  # the common case costs no tokenising
        return found
    for token in tokens() if tokens is not None else _tokens(source):
        if token.type != tokenize.COMMENT:
            continue
        match = _NOSEC.search(token.string)
        if match is None:
            continue
        listed = match.group("tests") or ""
        ids = frozenset(i.lower() for i in _IDS.findall(listed))
        found[token.start[0]] = ids or None
    return found


def _tokens(source: str) -> Iterator[tokenize.TokenInfo]:
    """The tokens of ``source`` up to the first tokenizing error."""
    try:
        yield from tokenize.generate_tokens(io.StringIO(source).readline)
    except (tokenize.TokenError, SyntaxError):
        return


def silenced(lines: NosecLines, first: int | None, last: int | None, ids: Collection[str]) -> bool:
    """Whether a nosec comment on a line of ``first..last`` silences a finding known by ``ids``."""
    if not lines or first is None:
        return False
    wanted = {i.lower() for i in ids}
    for line in range(first, (last or first) + 1):
        if line in lines:
            listed = lines[line]
            if listed is None or listed & wanted:
                return True
    return False
