"""Where a string-built query pastes a value between quotes (``"... WHERE name = '%s'" % name``).

A value pasted inside an SQL string literal ends the literal at its first quote, whatever its origin: an attribute
(``self.title``), a private helper's parameter or a database row are as injectable as a request argument, and a
name with an apostrophe breaks the query. Placeholders that force a number (``%d``, ``{:d}``) and values shown safe
(literals, ``int(x)``, ``x.replace("'", "''")``) are not pastes.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Callable, Iterator

__all__ = ["escaped", "pasted_in_quotes", "pastes"]

_PERCENT = re.compile(r"%(?:\((?P<key>[^)]*)\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?(?P<kind>[a-zA-Z%])")
_NUMERIC = frozenset("dioufFeEgGxXbc")

Safe = Callable[[ast.expr], bool]
Literal = Callable[[ast.expr], str | None]


def pasted_in_quotes(built: list[ast.expr], literal: Literal, safe: Safe) -> ast.expr | None:
    """The first value one of the ``built`` strings pastes between quotes and that ``safe`` does not clear.

    ``literal`` gives the literal text of a template expression (a string constant, or a name bound to one).
    """
    for node in built:
        for inside, value in pastes(node, literal):
            if inside and not escaped(value) and not safe(value):
                return value
    return None


def pastes(node: ast.expr, literal: Literal) -> Iterator[tuple[bool, ast.expr]]:
    """(inside quotes, value) for every value ``node`` (a string built by ``%``, ``+``, ``.format()`` or an
    f-string) pastes into its text."""
    if isinstance(node, ast.JoinedStr):
        text = ""
        for part in node.values:
            if isinstance(part, ast.Constant):
                text += str(part.value)
            elif isinstance(part, ast.FormattedValue) and not _numeric_spec(part.format_spec):
                yield _open_quote(text), part.value
                text += "x"
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        template = literal(node.left)
        if template is not None:
            yield from _percent(template, node.right)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        text = ""
        for piece in _flatten(node):
            fixed = literal(piece)
            if fixed is not None:
                text += fixed
            else:
                yield _open_quote(text), piece
                text += "x"
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        template = literal(node.func.value)
        if template is not None:
            yield from _format(template, node)


def _percent(template: str, values: ast.expr) -> Iterator[tuple[bool, ast.expr]]:
    position = 0
    for match in _PERCENT.finditer(template):
        kind, key = match.group("kind"), match.group("key")
        if kind == "%":
            continue
        value: ast.expr | None = None
        if key is not None and isinstance(values, ast.Dict):
            value = next(
                (v for k, v in zip(values.keys, values.values, strict=True)
                 if isinstance(k, ast.Constant) and k.value == key),
                None,
            )  # fmt: skip
        elif isinstance(values, ast.Tuple):
            value = values.elts[position] if position < len(values.elts) else None
        elif position == 0 and key is None:
            value = values
        position += 1
        if value is not None and kind not in _NUMERIC:
            yield _open_quote(template[: match.start()]), value


def _format(template: str, call: ast.Call) -> Iterator[tuple[bool, ast.expr]]:
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError:
        return
    text, automatic = "", 0
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    for prefix, name, spec, _ in fields:
        text += prefix
        if name is None:
            continue
        value: ast.expr | None
        if name == "":
            value = call.args[automatic] if automatic < len(call.args) else None
            automatic += 1
        elif name.isdigit():
            value = call.args[int(name)] if int(name) < len(call.args) else None
        else:
            value = keywords.get(name.split(".")[0].split("[")[0])
        if value is not None and not (spec and spec[-1] in _NUMERIC):
            yield _open_quote(text), value
        text += "x"


def _flatten(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [*_flatten(node.left), *_flatten(node.right)]
    return [node]


def _open_quote(text: str) -> bool:
    """Whether ``text`` leaves a quote open (an odd number of one kind, escapes aside)."""
    text = text.replace("\\'", "").replace('\\"', "").replace("''", "")
    return text.count("'") % 2 == 1 or text.count('"') % 2 == 1


def _numeric_spec(spec: ast.expr | None) -> bool:
    if not isinstance(spec, ast.JoinedStr) or not spec.values:
        return False
    last = spec.values[-1]
    return isinstance(last, ast.Constant) and str(last.value)[-1:] in _NUMERIC


def escaped(value: ast.expr) -> bool:
    """``x.replace("'", "''")``: the value's quotes are doubled, backslashed or closed and reopened (the shell's
    ``'"'"'``); also a ``"sep".join(...)`` or literal ``.format()`` of escaped values."""
    node = value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        method, receiver = node.func.attr, node.func.value
        if method == "join" and isinstance(receiver, ast.Constant) and len(node.args) == 1:
            parts = node.args[0]
            return isinstance(parts, ast.GeneratorExp | ast.ListComp) and escaped(parts.elt)
        if method == "format" and isinstance(receiver, ast.Constant):
            return all(escaped(a) for a in node.args) and all(escaped(k.value) for k in node.keywords)
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "replace":
        first = node.args[0] if node.args else None
        if isinstance(first, ast.Constant) and first.value in ("'", '"'):
            return True
        node = node.func.value
    return False
