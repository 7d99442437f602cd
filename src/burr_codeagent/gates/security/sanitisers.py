"""Sanitising checks the taint analysis honours beyond cleaning functions: allow-lists and validation helpers.

An ``if`` (or ``while``) test that checks a name against an allow-list clears the name in its function:
``set(x) <= ALLOWED``, ``set(x).issubset(...)``, ``x.isdigit()`` and the other ``str.is*`` checks,
``re.fullmatch(PATTERN, x)``, ``re.match(r"...$", x)`` (anchored at the end), ``x in ALLOWED`` when the collection
is a literal of constants or constant-named (``ALLOWED_HOSTS``, ``valid_modes``; not ``old_sources``). So does a
validation helper called on the value as a statement of its own (``validate_key_name(data["key"])``), unless it is
the standard library's (``subprocess.check_call`` runs its argument).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator

from ._names import dotted, words

__all__ = ["allow_listed"]

_ALLOW_LIST_WORDS = frozenset(
    {"allowed", "allowlist", "whitelist", "permitted", "valid", "supported", "choices", "safe", "known"}
)
_VALIDATOR_VERBS = frozenset({"validate", "check", "verify", "ensure", "sanitize", "sanitise", "require"})
_CHARACTER_CHECKS = frozenset(
    {
        "isdigit",
        "isdecimal",
        "isnumeric",
        "isalnum",
        "isalpha",
        "isidentifier",
        "fullmatch",
        "match",
        "issubset",
    }
)


def allow_listed(nodes: list[ast.AST], aliases: dict[str, str]) -> frozenset[str]:
    """Names an ``if`` (or ``while``) test of this scope checks against an allow-list (see the module docstring)."""
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.If | ast.While | ast.IfExp):
            for part in ast.walk(node.test):
                names.update(_checked_names(part))
        elif (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and _is_validator(node.value.func, aliases)
        ):
            # validate_key_name(data["key"]) on a line of its own: it raises on a bad value.
            for argument in node.value.args:
                root = argument
                while isinstance(root, ast.Subscript | ast.Attribute):
                    root = root.value
                names.update(_plain_name(root))
    return frozenset(names)


def _is_validator(func: ast.expr, aliases: dict[str, str]) -> bool:
    """A function named validate_*/check_*/... that is not the standard library's (``subprocess.check_call`` runs
    its argument rather than checking it)."""
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    parts = words(name)
    origin = (dotted(func, aliases) or "").split(".")[0]
    return bool(parts) and parts[0] in _VALIDATOR_VERBS and origin not in sys.stdlib_module_names


def _checked_names(node: ast.AST) -> Iterator[str]:
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _CHARACTER_CHECKS
        and (node.func.attr != "match" or _anchored(node.args[0] if node.args else None))
    ):
        # x.isdigit(), set(x).issubset(ALLOWED), re.fullmatch(PATTERN, x), re.match(r"...$", x)
        for candidate in (node.func.value, *node.args):
            yield from _plain_name(candidate)
    elif (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and isinstance(node.ops[0], ast.In | ast.NotIn | ast.LtE)
        and _is_allow_list(node.comparators[0])
    ):
        yield from _plain_name(node.left)  # x in ALLOWED, x not in {"a", "b"}, set(x) <= ALLOWED


def _anchored(pattern: ast.expr | None) -> bool:
    """A literal regex that must match to the end (``re.match`` only anchors the start)."""
    return isinstance(pattern, ast.Constant) and str(pattern.value).endswith(("$", "\\Z"))


def _is_allow_list(node: ast.expr) -> bool:
    """A literal collection of constants, or a constant-named one (``ALLOWED_COMMANDS``, ``valid_modes``): not any
    collection of data (``if source not in old_sources`` checks nothing about the value's safety)."""
    if isinstance(node, ast.Set | ast.List | ast.Tuple):
        return all(isinstance(e, ast.Constant) for e in node.elts)
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    return (name.isupper() and len(name) > 1) or bool(_ALLOW_LIST_WORDS & set(words(name)))


def _plain_name(node: ast.expr) -> Iterator[str]:
    """``x`` for ``x`` and for ``set(x)``."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("set", "frozenset")
    ):
        node = node.args[0] if node.args else node
    if isinstance(node, ast.Name):
        yield node.id
