"""Context the bandit tests cannot see: when a low-severity pattern matters more, or not at all.

Lifts (bandit calls both LOW severity, which counts for nothing):

- ``security.insecure_random`` (warning): the ``random`` module makes a token, password, key, salt, nonce, PIN or
  reset/verification code -- the value is assigned to such a name or made in a function named for one. Predictable
  to anyone who sees a few outputs; ``secrets`` exists for this.
- ``security.assert_guard`` (warning): outside tests, an ``assert`` that checks authorisation (``assert
  user.is_admin``) or validates a public function's arguments at its start. ``python -O`` removes every assert.

Drops (flow-aware):

- ``B310`` (``urlopen`` of a URL that may use ``file://``) after the function restricted the scheme to http/https
  (``if parsed.scheme not in ("http", "https"): raise ...`` or ``url.startswith(("http://", "https://"))``).
- ``B311`` in tests (tests make no secrets; a seeded ``random.Random(42)`` makes them reproducible), and for a
  seeded ``random.Random(seed)`` anywhere: a fixed seed is chosen for reproducibility, not secrecy.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Literal

from ...models import Severity
from ..base import finding
from ._names import Scope, ScopeNodes, dotted, target_names, words
from .sinks import RuleHit

__all__ = ["assert_guards", "dropped_bandit_lines", "insecure_random", "lowered_bandit_lines"]

Target = Literal["code", "tests"]

_SECRET_WORDS = frozenset(
    {
        "token",
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "secret",
        "salt",
        "nonce",
        "otp",
        "pin",
        "csrf",
        "apikey",
        "credential",
        "credentials",
    }
)
_CODE_QUALIFIERS = frozenset(
    {
        "reset",
        "verification",
        "verify",
        "confirmation",
        "confirm",
        "activation",
        "auth",
        "login",
        "recovery",
        "invite",
    }
)
_KEY_QUALIFIERS = frozenset(
    {"api", "secret", "private", "access", "signing", "encryption", "auth", "session"}
)
_AUTH_WORDS = frozenset(
    {
        "admin",
        "authorized",
        "authorised",
        "authenticated",
        "permission",
        "permissions",
        "perm",
        "perms",
        "role",
        "roles",
        "allowed",
        "owner",
        "staff",
        "superuser",
        "privilege",
        "privileges",
        "logged",
    }
)
_URL_OPENERS = frozenset({"urllib.request.urlopen", "urllib.request.Request", "urllib.request.urlretrieve"})


def _names_a_secret(identifier: str) -> bool:
    parts = words(identifier)
    for index, word in enumerate(parts):
        if word in _SECRET_WORDS:
            return True
        before = parts[index - 1] if index else ""
        if word in ("code", "codes") and (before in _CODE_QUALIFIERS or before == "otp"):
            return True
        if word in ("key", "keys") and before in _KEY_QUALIFIERS:
            return True
    return False


def insecure_random(scope: Scope, nodes: ScopeNodes, aliases: dict[str, str]) -> Iterator[RuleHit]:
    """``random`` making a secret: a warning on the call, superseding bandit's ``B311`` there."""
    calls = [
        (node, name)
        for node in nodes.of(ast.Call)
        if (name := dotted(node.func, aliases) or "").startswith("random.")
        and name not in ("random.seed", "random.Random", "random.SystemRandom")
    ]
    if not calls:
        return
    targets: dict[int, list[str]] = {}
    for node in nodes.of(ast.Assign, ast.AnnAssign, ast.AugAssign):
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign) and node.value is not None:
            names = [
                n
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                for n in _bound(t)
            ]
            for sub in ast.walk(node.value):
                targets.setdefault(id(sub), []).extend(names)
    scope_name = "" if isinstance(scope, ast.Module) else scope.name
    for node, name in calls:
        secret = next((n for n in targets.get(id(node), []) if _names_a_secret(n)), None)
        if secret is None and _names_a_secret(scope_name):
            secret = f"{scope_name}()"
        if secret is not None:
            found = finding(
                "security",
                "security.insecure_random",
                Severity.WARNING,
                f"`{secret}` is made with {name}(), whose output is predictable from a few earlier values.",
                node,
                suggestion="Use the secrets module: secrets.token_urlsafe(), secrets.choice(), secrets.randbelow().",
            )
            yield RuleHit(found, {node.lineno})


def _bound(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Attribute):
        return [target.attr]
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
        return [str(target.slice.value)]
    return list(target_names(target))


def assert_guards(scope: Scope, nodes: ScopeNodes, public: bool) -> Iterator[RuleHit]:
    """Asserts that guard authorisation anywhere, or a public function's arguments at its start."""
    leading: set[int] = set()
    params: set[str] = set()
    if public and not isinstance(scope, ast.Module):
        args = scope.args
        params = {
            a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs) if a.arg not in ("self", "cls")
        }
        for statement in scope.body:
            if isinstance(statement, ast.Assert):
                leading.add(id(statement))
            elif not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)):
                break
    for node in nodes.of(ast.Assert):
        mentioned = {
            sub.id if isinstance(sub, ast.Name) else sub.attr
            for sub in ast.walk(node.test)
            if isinstance(sub, ast.Name | ast.Attribute)
        }
        authorisation = any(_AUTH_WORDS & set(words(name)) for name in mentioned)
        validation = id(node) in leading and bool(mentioned & params)
        if not (authorisation or validation):
            continue
        what = "an authorisation check" if authorisation else "argument validation"
        found = finding(
            "security",
            "security.assert_guard",
            Severity.WARNING,
            f"`assert` used for {what}: `python -O` removes it, and the check with it.",
            node,
            suggestion="Use `if not ...: raise PermissionError(...)` (or ValueError/TypeError for bad arguments).",
        )
        yield RuleHit(found, {node.lineno})


def dropped_bandit_lines(
    scope: Scope, nodes: ScopeNodes, aliases: dict[str, str], target: Target
) -> Iterator[tuple[str, int]]:
    """(bandit test id, line) pairs this scope shows to be false alarms (B310 after a scheme check, B311)."""
    scheme_checked_at = min(
        (getattr(n, "lineno", 0) for n in nodes.of(ast.Compare, ast.Call) if _restricts_scheme(n)),
        default=None,
    )
    for node in nodes.of(ast.Call):
        name = dotted(node.func, aliases) or ""
        if name in _URL_OPENERS and scheme_checked_at is not None and scheme_checked_at <= node.lineno:
            yield "B310", node.lineno
        elif name.startswith("random.") and (target == "tests" or (name == "random.Random" and node.args)):
            yield "B311", node.lineno


def lowered_bandit_lines(nodes: ScopeNodes) -> Iterator[tuple[str, int]]:
    """(bandit test id, line) pairs whose HIGH severity this scope shows to be overstated: ``extractall`` given a
    ``filter=`` (Python 3.12's extraction filters, passed on by the caller) is a decision to review, not a flaw; and
    ``B413`` on ``import Crypto``: pycryptodome, the maintained library, installs the same ``Crypto`` package as the
    abandoned pycrypto, so the import alone does not show the dead one is used."""
    for node in nodes.of(ast.Import, ast.ImportFrom):
        if isinstance(node, ast.Import | ast.ImportFrom) and _imports_crypto(node):
            yield "B413", node.lineno
    for call in nodes.of(ast.Call):
        if (
            isinstance(call.func, ast.Attribute)
            and call.func.attr in ("extractall", "extract")
            and any(k.arg == "filter" for k in call.keywords)
        ):
            yield "B202", call.lineno


def _imports_crypto(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[0] == "Crypto"
    return any(alias.name.split(".")[0] == "Crypto" for alias in node.names)


def _restricts_scheme(node: ast.AST) -> bool:
    """``x.scheme`` compared with something, or ``.startswith("http...")`` on every given prefix."""
    if isinstance(node, ast.Compare):
        return any(
            isinstance(n, ast.Attribute) and n.attr == "scheme" for n in [node.left, *node.comparators]
        )
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "startswith":
        prefixes = [
            e
            for a in node.args
            for e in (a.elts if isinstance(a, ast.Tuple) else [a])
            if isinstance(e, ast.Constant) and isinstance(e.value, str)
        ]
        return bool(prefixes) and all(str(p.value).startswith("http") for p in prefixes)
    return False
