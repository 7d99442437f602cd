"""The security gate's own syntax-tree rules, run together over one parsed module.

Everything here works on the ``ast`` the checker parsed once; names are resolved through the module's imports
(``from requests import get as fetch`` makes ``fetch(url)`` a ``requests.get`` call), never by matching text.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Literal

from ._names import _BINDERS, Scope, ScopeNodes, assignments, import_aliases, index_scopes
from .context import assert_guards, dropped_bandit_lines, insecure_random, lowered_bandit_lines
from .credentials import hardcoded_secrets
from .sinks import RuleHit, SinkRules
from .taint import ModuleTaint

__all__ = ["RULES", "SUPERSEDES", "Analysis", "RuleHit", "analyse"]

Target = Literal["code", "tests"]

RULES = {
    "security.sql_injection": "SQL text built by f-string, %-formatting, .format() or concatenation reaches execute().",
    "security.injection": "Untrusted data reaches eval/exec/compile, a shell, or an unsafe deserialiser.",
    "security.ssrf": "A URL from external input is fetched (server-side request forgery).",
    "security.no_timeout": "An HTTP request with no timeout (or timeout=None) can hang forever.",
    "security.path_traversal": "A file path from external input, or built from arguments, is used without validation.",
    "security.hardcoded_secret": "A password, token or key is written into the source.",
    "security.leaked_credential": "A string literal holds a real provider key (AWS, GitHub, Slack, PEM private key).",
    "security.weak_password_hash": "A password is hashed with MD5 or SHA-1, or with a plain fast hash (SHA-2, BLAKE2).",
    "security.weak_salt": "A key-derivation salt is a constant or computed from data (pbkdf2_hmac, scrypt).",
    "security.insecure_random": "The random module makes a token, password, key or code (use secrets).",
    "security.assert_guard": "An assert guards authorisation or argument validation (python -O removes it).",
    "security.xpath_injection": "XPath text built by string formatting from untrusted data.",
    "security.ldap_injection": "An LDAP search filter built by string formatting from untrusted data.",
    "security.template_injection": "A template compiled from a request's data (server-side template injection).",
    "security.open_redirect": "A redirect to a URL a request chose, without checking its host.",
    "security.xxe": "XML external entities switched on, or a request's XML parsed by lxml's default parser.",
    "security.jwt_unverified": "jwt.decode() without verifying the token's signature.",
}

# Bandit tests whose finding on the same line says the same thing as one of these rules, which then wins.
SUPERSEDES: dict[str, frozenset[str]] = {
    "security.sql_injection": frozenset({"B608"}),
    "security.injection": frozenset({"B102", "B301", "B302", "B307", "B506", "B602", "B604", "B605", "B609"}),
    "security.ssrf": frozenset({"B310"}),
    "security.no_timeout": frozenset({"B113", "B310"}),
    "security.path_traversal": frozenset(),
    "security.hardcoded_secret": frozenset({"B105", "B106", "B107"}),
    "security.leaked_credential": frozenset({"B105", "B106", "B107"}),
    "security.weak_password_hash": frozenset({"B303", "B324"}),
    "security.weak_salt": frozenset(),
    "security.insecure_random": frozenset({"B311"}),
    "security.assert_guard": frozenset({"B101"}),
    "security.xpath_injection": frozenset(),
    "security.ldap_injection": frozenset(),
    "security.template_injection": frozenset({"B701", "B702", "B703"}),
    "security.open_redirect": frozenset(),
    "security.xxe": frozenset({"B313", "B314", "B315", "B316", "B317", "B318", "B319", "B320"}),
    "security.jwt_unverified": frozenset(),
}


@dataclass
class Analysis:
    """The rules' findings on one module and the bandit results they show to be false alarms."""

    hits: list[RuleHit] = field(default_factory=list)
    dropped: set[tuple[str, int]] = field(default_factory=set)
    lowered: set[tuple[str, int]] = field(default_factory=set)
    """Bandit results reported as warnings whatever bandit's severity."""


def analyse(tree: ast.Module, target: Target) -> Analysis:
    """Apply every rule to one module. Secrets, random and assert lifts are not looked for in tests."""
    scopes = index_scopes(tree)
    aliases = import_aliases(
        [node for nodes in scopes.values() for node in nodes.of(ast.Import, ast.ImportFrom)]
    )
    aliases.update(_implied_imports(scopes, aliases))
    module = ModuleTaint(scopes, aliases, tree)
    result = Analysis()
    try:
        for scope, taint in module.scopes.items():
            sinks = SinkRules(taint, target)
            result.hits.extend(sinks.run())
            result.lowered.update(sinks.lowered)
            result.dropped.update(dropped_bandit_lines(scope, taint.nodes, aliases, target))
            result.lowered.update(lowered_bandit_lines(taint.nodes))
            if target == "code":
                result.hits.extend(insecure_random(scope, taint.nodes, aliases))
                result.hits.extend(assert_guards(scope, taint.nodes, taint.public))
        if target == "code":
            result.hits.extend(
                hardcoded_secrets(scopes, {s: c.bindings for s, c in module.collected.items()})
            )
    finally:
        module.release()
    return result


# subprocess's functions by their own names: an excerpt (or a model) that calls `Popen(cmd, shell=True)` without
# showing `from subprocess import Popen` still starts a process. Generic names (`call`, `run`) are not assumed.
_SUBPROCESS_NAMES = frozenset({"Popen", "check_output", "check_call", "getoutput", "getstatusoutput"})


def _implied_imports(scopes: dict[Scope, ScopeNodes], aliases: dict[str, str]) -> dict[str, str]:
    """``Popen`` -> ``subprocess.Popen`` for subprocess's names the module uses but never imports or defines."""
    used = {
        node.func.id
        for nodes in scopes.values()
        for node in nodes.of(ast.Call)
        if isinstance(node.func, ast.Name)
        and node.func.id in _SUBPROCESS_NAMES
        and node.func.id not in aliases
    }
    if not used:
        return {}
    defined = {scope.name for scope in scopes if not isinstance(scope, ast.Module)}
    for nodes in scopes.values():
        defined.update(c.name for c in nodes.of(ast.ClassDef))
        for node in nodes.of(*_BINDERS):
            defined.update(name for name, _ in assignments(node))
    return {name: f"subprocess.{name}" for name in used - defined}
