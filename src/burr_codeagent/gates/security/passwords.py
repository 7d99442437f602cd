"""Password hashing rules: a password through a fast hash, and key derivation with a salt that is no salt.

- ``security.weak_password_hash`` (critical): MD5/SHA-1 over a value named like a password or inside a function
  named like one; or a plain general-purpose hash (SHA-2, SHA-3, BLAKE2) over a value whose own name ends in a
  password word. General-purpose hashes are right for checksums and high-entropy tokens (``password_reset_token``
  is not a password), wrong for passwords: a GPU tries billions a second.
- ``security.weak_salt`` (warning): ``hashlib.pbkdf2_hmac``/``hashlib.scrypt`` with a literal salt, or one computed
  from other data (a hash of the user name): equal inputs get equal hashes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...models import Severity
from ._names import dotted, keyword, words
from .taint import ScopeTaint

__all__ = ["PASSWORD_WORDS", "password_hashing"]

PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "pw", "passphrase"})
WEAK_HASHES = frozenset({"hashlib.md5", "hashlib.sha1"})
FAST_HASHES = frozenset(
    {
        "hashlib.sha224",
        "hashlib.sha256",
        "hashlib.sha384",
        "hashlib.sha512",
        "hashlib.sha3_256",
        "hashlib.sha3_512",
        "hashlib.blake2b",
        "hashlib.blake2s",
    }
)
_KDFS = ("hashlib.pbkdf2_hmac", "hashlib.scrypt")
_SLOW_HASH_ADVICE = "Use hashlib.scrypt / hashlib.pbkdf2_hmac with a random salt (or bcrypt/argon2)."

Hit = tuple[str, Severity, str, str]
"""(rule, severity, message, suggestion) for the call the rule looked at."""


def password_hashing(
    call: ast.Call, name: str | None, taint: ScopeTaint, aliases: dict[str, str]
) -> Iterator[Hit]:
    """The password-hashing findings of one call."""
    yield from _weak_hash(call, name, taint)
    yield from _fixed_salt(call, name, taint, aliases)


def _weak_hash(call: ast.Call, name: str | None, taint: ScopeTaint) -> Iterator[Hit]:
    algorithm = name
    if name == "hashlib.new" and call.args and isinstance(call.args[0], ast.Constant):
        algorithm = f"hashlib.{str(call.args[0].value).lower()}"
    if algorithm is None:
        return
    data = call.args[1:] if name == "hashlib.new" else call.args
    short = algorithm.split(".")[-1].upper()
    if algorithm in FAST_HASHES:
        if any(_names_a_password(a) for a in data):
            yield (
                "security.weak_password_hash",
                Severity.CRITICAL,
                f"A password is hashed with plain {short}: a general-purpose hash is fast to brute-force, and "
                "without a salt equal passwords get equal hashes.",
                _SLOW_HASH_ADVICE,
            )
        return
    if algorithm not in WEAK_HASHES:
        return
    # The hashed value is named like a password, or it is a parameter of a function named like one
    # (`def hash_password(value): md5(value.encode())`).
    scope = taint.scope
    in_password_function = not isinstance(scope, ast.Module) and bool(PASSWORD_WORDS & set(words(scope.name)))
    uses_parameter = any(
        isinstance(sub, ast.Name) and sub.id in taint.params for a in data for sub in ast.walk(a)
    )
    if any(_mentions_password(a) for a in data) or (in_password_function and uses_parameter):
        yield (
            "security.weak_password_hash",
            Severity.CRITICAL,
            f"A password is hashed with {short}, which is fast to brute-force.",
            _SLOW_HASH_ADVICE,
        )


def _mentions_password(node: ast.AST) -> bool:
    return any(PASSWORD_WORDS & set(words(name)) for name in _names_in(node))


def _names_a_password(node: ast.AST) -> bool:
    """A name or attribute in ``node`` whose last word is a password word (``password``, ``user.passwd``)."""
    return any((parts := words(name)) and parts[-1] in PASSWORD_WORDS for name in _names_in(node))


def _names_in(node: ast.AST) -> Iterator[str]:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            yield sub.id
        elif isinstance(sub, ast.Attribute):
            yield sub.attr


def _fixed_salt(
    call: ast.Call, name: str | None, taint: ScopeTaint, aliases: dict[str, str]
) -> Iterator[Hit]:
    """A key-derivation call whose salt is a literal or computed from data (a hash of the user name)."""
    if name not in _KDFS:
        return
    given = keyword(call, "salt")
    salt = (
        given.value
        if given is not None
        else call.args[2]
        if name == _KDFS[0] and len(call.args) > 2
        else None
    )
    why = _salt_origin(salt, taint, aliases) if salt is not None else None
    if why is not None:
        yield (
            "security.weak_salt",
            Severity.WARNING,
            f"The salt of {name}() is {why}: equal passwords get equal hashes, and one precomputed table cracks "
            "them all.",
            "Use a fresh random salt per password (os.urandom(16)) and store it beside the hash.",
        )


def _salt_origin(
    node: ast.expr, taint: ScopeTaint, aliases: dict[str, str], seen: frozenset[str] = frozenset()
) -> str | None:
    """``"a constant"`` or ``"a hash of other data"`` when ``node`` is one (through the scope's bindings)."""
    if isinstance(node, ast.Constant | ast.JoinedStr) or (
        isinstance(node, ast.BinOp) and not any(isinstance(n, ast.Name | ast.Call) for n in ast.walk(node))
    ):
        return "a constant"
    if isinstance(node, ast.Call):
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        hashed = [node.func, receiver.func] if isinstance(receiver, ast.Call) else [node.func]
        if any((dotted(f, aliases) or "").startswith("hashlib.") for f in hashed):
            return "a hash of other data"
        if isinstance(node.func, ast.Attribute) and node.func.attr == "encode" and receiver is not None:
            return _salt_origin(receiver, taint, aliases, seen)
    if isinstance(node, ast.Name) and node.id not in seen:
        values = taint.bindings.get(node.id, [])
        origins = [_salt_origin(v, taint, aliases, seen | {node.id}) for v in values]
        if values and all(origins):
            return origins[0]
    return None
