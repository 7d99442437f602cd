"""Injection into the other query languages a program builds as text: XPath and LDAP filters.

``root.xpath(f"//user[name='{name}']")`` and ``conn.search(base, f"(uid={user})")`` let a quote or a parenthesis in
the value rewrite the query (read every record, skip a password check). Critical when the text is built from data
that makes a sink critical (see :meth:`.taint.ScopeTaint.counts`); XPath variables (``root.xpath("//user[name=$n]",
n=name)``) and ``escape_filter_chars()`` are the fixes.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator

from ...models import Severity
from ._names import keyword
from .rule_hit import RuleHit, SinkContext

__all__ = ["query_injection"]

_XPATH_CALLS = frozenset({"lxml.etree.XPath", "lxml.etree.ETXPath"})
# method -> (position of the filter, its keyword) in python-ldap and ldap3
_LDAP_SEARCHES = {
    "search": (1, "search_filter"),
    "search_s": (2, "filterstr"),
    "search_st": (2, "filterstr"),
    "search_ext": (2, "filterstr"),
    "search_ext_s": (2, "filterstr"),
    "paged_search": (1, "search_filter"),
}


def query_injection(rules: SinkContext, call: ast.Call, name: str | None) -> Iterator[RuleHit]:
    """XPath or LDAP filter text built from untrusted data."""
    method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    if method == "xpath" or name in _XPATH_CALLS:
        query = call.args[0] if call.args else _given(call, "_path", "path")
        yield from _built_query(rules, call, query, "XPath", "xpath_injection", _XPATH_FIX, "xpath")
    elif method in _LDAP_SEARCHES and not _standard_library(name):
        position, word = _LDAP_SEARCHES[method]
        query = call.args[position] if len(call.args) > position else _given(call, word)
        if query is not None and any(t.lstrip().startswith("(") for t in rules.literal_text(query)):
            yield from _built_query(rules, call, query, "LDAP filter", "ldap_injection", _LDAP_FIX, "ldap")


_XPATH_FIX = "Pass the value as an XPath variable: root.xpath('//user[name=$name]', name=name)."
_LDAP_FIX = (
    "Escape the value first: ldap.filter.escape_filter_chars(value) (ldap3.utils.conv.escape_filter_chars)."
)


def _built_query(
    rules: SinkContext, call: ast.Call, query: ast.expr | None, language: str, rule: str, fix: str, sink: str
) -> Iterator[RuleHit]:
    if query is None:
        return
    for built in rules.built_string(query):
        taint = rules.critical_taint(built, sink)
        if taint is not None:
            message = (
                f"{language} text built by string formatting from {taint.source}: a quote or bracket in the value "
                f"rewrites the query ({language} injection)."
            )
            yield rules.hit(f"security.{rule}", Severity.CRITICAL, message, call, fix)
            return


def _given(call: ast.Call, *names: str) -> ast.expr | None:
    for name in names:
        found = keyword(call, name)
        if found is not None:
            return found.value
    return None


def _standard_library(name: str | None) -> bool:
    """``re.search(...)`` is no directory search."""
    return (name or "").split(".")[0] in sys.stdlib_module_names
