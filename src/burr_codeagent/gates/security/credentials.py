"""Hard-coded credentials: what bandit's ``B105``-``B107`` look for, judged by whole words, plus known key formats.

``security.hardcoded_secret`` (warning) covers a literal assigned to, compared with, passed as or defaulted for a
name whose *last word* is a secret noun (password, passwd, pwd, passphrase, secret, token, apikey, credentials, or
``*_key`` after api/secret/private/access/signing/encryption/auth) -- ``connect(user="user", password="password")``,
``if password == "password":`` -- and an empty password (``passwd = ""``, ``connect(password="")``) unless the name
is filled in later (``password = ""`` then ``password += ...``). Labels are not secrets: ``PASSWORD_PROMPT = "Enter
password"`` (spaces, and not a secret noun), ``TOKEN_URL``, ``{"password": "Password"}`` (a dict entry naming its
own key). ``security.leaked_credential`` (critical) is a literal in the format of a real provider key (AWS access
key id, GitHub/Slack/OpenAI/Google tokens, a PEM private key) whatever it is called. Neither applies to tests.
Messages never repeat the secret.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ...models import Severity
from ..base import finding
from ._names import Scope, ScopeNodes, words
from .passwords import PASSWORD_WORDS
from .sinks import RuleHit

__all__ = ["hardcoded_secrets", "is_secret_name"]

_SECRET_NOUNS = frozenset(
    {"password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "credentials"}
)
_KEY_QUALIFIERS = frozenset({"api", "secret", "private", "access", "signing", "encryption", "auth"})
_KNOWN_FORMATS = {
    "an AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "a GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "a Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "an OpenAI API key": re.compile(r"\bsk-(?:proj-)?[A-Za-z0-9_-]{32,}"),
    "a Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "a private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"),
}


def is_secret_name(identifier: str) -> bool:
    """Whether the last word of ``identifier`` names a secret (``db_password``, ``apiKey``, ``SIGNING_KEY``)."""
    parts = words(identifier)
    if not parts:
        return False
    last = parts[-1]
    if last in _SECRET_NOUNS:
        return True
    return last == "key" and len(parts) > 1 and parts[-2] in _KEY_QUALIFIERS


def _looks_like_secret(value: ast.expr | None) -> bool:
    """A non-empty literal string without spaces that is not a placeholder like ``<token>`` or ``${TOKEN}``."""
    if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
        return False
    text = value.value
    return bool(text.strip()) and not any(c.isspace() for c in text) and not re.search(r"[<>{}]|\$\(", text)


def _is_empty_text(value: ast.expr | None) -> bool:
    return isinstance(value, ast.Constant) and value.value == ""


def _names_itself(name: str, value: ast.expr | None) -> bool:
    """``{"password": "Password"}``: a label or field name, not a secret."""
    text = value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else ""
    return words(text) == words(name) or text.lower() in words(name)


# What may give a named thing a value (see _pairs), or hold a literal in a known key format.
_NAMING_NODES = (
    ast.Constant,
    ast.Assign,
    ast.AnnAssign,
    ast.Call,
    ast.Dict,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.Compare,
)


def _pairs(node: ast.AST) -> Iterator[tuple[str, ast.expr | None, ast.AST, str]]:
    """(name, value, anchor, kind) for every place ``node`` gives a named thing a value."""
    if isinstance(node, ast.Assign | ast.AnnAssign):
        for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
            if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
                name = target.slice.value if isinstance(target.slice.value, str) else None
            else:
                name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
            if name:
                yield name, node.value, node, "assign"
    elif isinstance(node, ast.Call):
        yield from ((k.arg, k.value, k, "keyword") for k in node.keywords if k.arg)
    elif isinstance(node, ast.Dict):
        for key, item in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                yield key.value, item, key, "dict"
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        positional = [*node.args.posonlyargs, *node.args.args]
        defaults = list(
            zip(positional[len(positional) - len(node.args.defaults) :], node.args.defaults, strict=True)
        )
        defaults += [(a, d) for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True) if d]
        yield from ((arg.arg, default, arg, "default") for arg, default in defaults)
    elif (
        isinstance(node, ast.Compare)
        and len(node.comparators) == 1
        and isinstance(node.ops[0], ast.Eq | ast.NotEq)
    ):
        left, right = node.left, node.comparators[0]
        for named, literal in ((left, right), (right, left)):
            compared = named.id if isinstance(named, ast.Name) else getattr(named, "attr", None)
            if compared:
                yield compared, literal, node, "compare"


def _secret(name: str, value: ast.expr | None, kind: str, rebound: set[str]) -> str | None:
    """Why ``name = value`` hard-codes a credential, or None."""
    if not is_secret_name(name):
        return None
    if _looks_like_secret(value) and not (kind == "dict" and _names_itself(name, value)):
        return f"`{name}` gets a literal secret value in the source."
    is_password = words(name)[-1] in PASSWORD_WORDS
    if (
        is_password
        and _is_empty_text(value)
        and (kind == "keyword" or (kind == "assign" and name not in rebound))
    ):
        return f"`{name}` is an empty password written into the source."
    return None


def hardcoded_secrets(
    scopes: dict[Scope, ScopeNodes], bindings: dict[Scope, dict[str, list[ast.expr]]]
) -> Iterator[RuleHit]:
    """Every hard-coded credential of the module; ``bindings`` are each scope's bound names and their values."""
    for scope, nodes in scopes.items():
        rebound = {name for name, values in bindings[scope].items() if len(values) > 1}
        for node in nodes.of(*_NAMING_NODES):
            if isinstance(node, ast.Constant):  # most of them; no pairs
                if isinstance(node.value, str):
                    yield from _known_format(node)
                continue
            if isinstance(node, ast.Call) and not node.keywords:
                continue  # a call's pairs are its keyword arguments
            for name, value, anchor, kind in _pairs(node):
                message = _secret(name, value, kind, rebound)
                if message is not None:
                    found = finding(
                        "security",
                        "security.hardcoded_secret",
                        Severity.WARNING,
                        message,
                        anchor,
                        suggestion="Read secrets from the environment or a secret store (os.environ['...']).",
                    )
                    yield RuleHit(found, {getattr(anchor, "lineno", 0)})


# Text each format cannot match without: most literals (docstrings above all) hold none, and a substring test is
# far cheaper than a regex search.
_FORMAT_MARKERS = {
    "an AWS access key id": ("AKIA", "ASIA"),
    "a GitHub token": ("gh",),
    "a Slack token": ("xox",),
    "an OpenAI API key": ("sk-",),
    "a Google API key": ("AIza",),
    "a private key": ("-----BEGIN ",),
}


def _known_format(node: ast.Constant) -> Iterator[RuleHit]:
    text = str(node.value)
    if len(text) < 20 or "EXAMPLE" in text:
        return
    for kind, pattern in _KNOWN_FORMATS.items():
        if any(marker in text for marker in _FORMAT_MARKERS[kind]) and pattern.search(text):
            found = finding(
                "security",
                "security.leaked_credential",
                Severity.CRITICAL,
                f"A string literal holds {kind}: the credential is exposed to everyone who can read the code.",
                node,
                suggestion="Revoke the credential, and read it from the environment or a secret store instead.",
            )
            yield RuleHit(found, set(range(node.lineno, (node.end_lineno or node.lineno) + 1)))
            return
