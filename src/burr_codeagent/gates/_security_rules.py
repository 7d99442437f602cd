"""The ``security`` gate's own syntax-tree rules, for what bandit misses or reports with the wrong weight.

Everything here works on the ``ast`` the checker parsed once; names are resolved through the module's imports
(``from requests import get as fetch`` makes ``fetch(url)`` a ``requests.get`` call), never by matching text.

A small taint analysis decides whether data comes from outside a function: its parameters, ``input()``,
``sys.argv`` and ``sys.stdin`` are tainted, and so is any local name assigned from a tainted expression (a fixed
point over the function's assignments, ignoring order). ``int()``, ``float()``, ``shlex.quote()`` and friends
clean a value.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from ..models import Finding, Severity
from .base import finding

__all__ = ["RULES", "SUPERSEDES", "RuleHit", "run_rules"]

Target = Literal["code", "tests"]

RULES = {
    "security.sql_injection": "SQL text built by f-string, %-formatting, .format() or concatenation reaches execute().",
    "security.injection": "Data from outside the function reaches eval/exec, a shell, or an unsafe deserialiser.",
    "security.no_timeout": "An HTTP request with no timeout (or timeout=None) can hang forever.",
    "security.path_traversal": "A file path built from a function argument is used without validation.",
    "security.hardcoded_secret": "A password, token or key is written into the source.",
    "security.weak_password_hash": "A password is hashed with MD5 or SHA-1.",
}

# Bandit tests whose finding on the same line says the same thing as one of these rules, which then wins.
SUPERSEDES: dict[str, frozenset[str]] = {
    "security.sql_injection": frozenset({"B608"}),
    "security.injection": frozenset({"B102", "B301", "B302", "B307", "B506", "B602", "B604", "B605", "B609"}),
    "security.no_timeout": frozenset({"B113", "B310"}),
    "security.path_traversal": frozenset(),
    "security.hardcoded_secret": frozenset({"B105", "B106", "B107"}),
    "security.weak_password_hash": frozenset({"B303", "B324"}),
}

SQL_METHODS = frozenset({"execute", "executemany", "executescript", "read_sql", "read_sql_query", "raw"})
HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
SANITISERS = frozenset(
    {
        "int",
        "float",
        "bool",
        "len",
        "abs",
        "round",
        "shlex.quote",
        "os.path.basename",
        "ast.literal_eval",
        "hash",
    }
)
PATH_SINKS = frozenset(
    {
        "open",
        "io.open",
        "os.open",
        "os.remove",
        "os.unlink",
        "os.rmdir",
        "os.listdir",
        "os.scandir",
        "shutil.rmtree",
        "shutil.copy",
        "shutil.copy2",
        "shutil.copyfile",
        "shutil.move",
    }
)
PATH_METHODS = frozenset(
    {"open", "read_text", "read_bytes", "write_text", "write_bytes", "unlink", "rmdir", "iterdir", "mkdir"}
)
PATH_VALIDATORS = frozenset(
    {
        "is_relative_to",
        "relative_to",
        "commonpath",
        "commonprefix",
        "secure_filename",
        "basename",
        "fullmatch",
    }
)
DESERIALISERS = frozenset(
    {
        "pickle.loads",
        "pickle.load",
        "marshal.loads",
        "marshal.load",
        "dill.loads",
        "dill.load",
        "jsonpickle.decode",
    }
)
SHELL_CALLS = frozenset({"os.system", "os.popen"})
SAFE_YAML_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})
WEAK_HASHES = frozenset({"hashlib.md5", "hashlib.sha1"})

_SECRET_NOUNS = frozenset(
    {"password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "credentials"}
)
_KEY_QUALIFIERS = frozenset({"api", "secret", "private", "access", "signing", "encryption", "auth"})
_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "pw", "passphrase"})
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


@dataclass
class RuleHit:
    """A finding and the lines it covers, so bandit's finding of the same problem can be dropped."""

    finding: Finding
    lines: set[int] = field(default_factory=set)


def run_rules(tree: ast.Module, target: Target) -> list[RuleHit]:
    """Apply every rule to one module. Hard-coded secrets are not looked for in tests (fixtures need them)."""
    scopes = _index(tree)
    every = [node for nodes in scopes.values() for node in nodes]
    aliases = _import_aliases(every)
    hits: list[RuleHit] = []
    for scope, nodes in scopes.items():
        hits.extend(_Scope(scope, nodes, aliases, target).run())
    if target == "code":
        hits.extend(_hardcoded_secrets(every))
    return hits


def _index(tree: ast.Module) -> dict[ast.Module | ast.FunctionDef | ast.AsyncFunctionDef, list[ast.AST]]:
    """Every node of the module in one traversal, grouped by the function (or module) whose own code it is.

    A nested function is a scope of its own; class bodies belong to the enclosing scope's list but their methods
    are scopes.
    """
    scopes: dict[ast.Module | ast.FunctionDef | ast.AsyncFunctionDef, list[ast.AST]] = {tree: []}
    stack: list[tuple[ast.AST, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef]] = [
        (child, tree) for child in ast.iter_child_nodes(tree)
    ]
    while stack:
        node, scope = stack.pop()
        scopes[scope].append(node)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            scopes[node] = []
            stack.extend((child, node) for child in ast.iter_child_nodes(node))
        else:
            stack.extend((child, scope) for child in ast.iter_child_nodes(node))
    return scopes


# -- names -------------------------------------------------------------------------------------------------------


def _import_aliases(nodes: list[ast.AST]) -> dict[str, str]:
    """Local name -> dotted origin, for every import anywhere in the module."""
    aliases: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    aliases[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def _dotted(node: ast.expr, aliases: dict[str, str]) -> str | None:
    """``a.b.c`` for a name or attribute chain, with the first part resolved through the imports."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(aliases.get(node.id, node.id))
    return ".".join(reversed(parts))


def _words(identifier: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(identifier)]


def _is_secret_name(identifier: str) -> bool:
    words = _words(identifier)
    if not words:
        return False
    last = words[-1]
    if last in _SECRET_NOUNS:
        return True
    return last == "key" and len(words) > 1 and words[-2] in _KEY_QUALIFIERS


def _mentions_password(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        name = sub.id if isinstance(sub, ast.Name) else sub.attr if isinstance(sub, ast.Attribute) else None
        if name and _PASSWORD_WORDS & set(_words(name)):
            return True
    return False


def _keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((k for k in call.keywords if k.arg == name), None)


def _is_none(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


# -- per-scope rules ---------------------------------------------------------------------------------------------


class _Scope:
    def __init__(
        self,
        scope: ast.Module | ast.FunctionDef | ast.AsyncFunctionDef,
        nodes: list[ast.AST],
        aliases: dict[str, str],
        target: Target,
    ) -> None:
        self.scope = scope
        self.aliases = aliases
        self.target: Target = target
        self.nodes = nodes
        self.tainted: set[str] = set()
        if not isinstance(scope, ast.Module):
            args = scope.args
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            self.tainted = {a.arg for a in every if a is not None and a.arg not in ("self", "cls")}
        self.bindings: dict[str, list[ast.expr]] = {}
        for node in self.nodes:
            for name, value in _assignments(node):
                self.bindings.setdefault(name, []).append(value)
        self._propagate()

    def _propagate(self) -> None:
        changed = True
        while changed:
            changed = False
            for name, values in self.bindings.items():
                if name not in self.tainted and any(self.is_tainted(v) for v in values):
                    self.tainted.add(name)
                    changed = True

    def is_tainted(self, node: ast.AST) -> bool:
        """Whether data from outside the scope can flow into ``node``'s value."""
        if isinstance(node, ast.Name):
            return node.id in self.tainted
        if isinstance(node, ast.Call):
            name = _dotted(node.func, self.aliases)
            if name in SANITISERS:
                return False
            if name == "input" or (name or "").startswith("sys.stdin"):
                return True
            parts = [*node.args, *(k.value for k in node.keywords)]
            if isinstance(node.func, ast.Attribute):
                parts.append(node.func.value)
            return any(self.is_tainted(p) for p in parts)
        if isinstance(node, ast.Attribute | ast.Subscript):
            if _dotted(node.value if isinstance(node, ast.Subscript) else node, self.aliases) == "sys.argv":
                return True
            return self.is_tainted(node.value)
        if isinstance(node, ast.Lambda | ast.Constant):
            return False
        return any(
            self.is_tainted(child) for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr)
        )

    def run(self) -> Iterator[RuleHit]:
        for node in self.nodes:
            if isinstance(node, ast.Call):
                name = _dotted(node.func, self.aliases)
                yield from self._sql(node)
                yield from self._injection(node, name)
                yield from self._timeout(node, name)
                yield from self._path(node, name)
                yield from self._weak_hash(node, name)

    def _hit(self, rule: str, severity: Severity, message: str, node: ast.AST, suggestion: str) -> RuleHit:
        found = finding("security", rule, severity, message, node, target=self.target, suggestion=suggestion)
        start = getattr(node, "lineno", 0)
        return RuleHit(found, set(range(start, (getattr(node, "end_lineno", None) or start) + 1)))

    # SQL ---------------------------------------------------------------------------------------------------------

    def _built_string(self, node: ast.expr, seen: frozenset[str] = frozenset()) -> list[ast.expr]:
        """The string-building expressions ``node`` is (or is bound to); empty when it is a plain literal."""
        if isinstance(node, ast.JoinedStr) and any(isinstance(v, ast.FormattedValue) for v in node.values):
            return [node]
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Mod | ast.Add)
            and (_is_text(node.left) or _is_text(node.right) or self._built_string(node.left, seen))
            and not (_is_text(node.left) and _is_text(node.right))
        ):
            return [node]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and _is_text(node.func.value)
        ):
            return [node]
        if isinstance(node, ast.Name) and node.id not in seen:
            built: list[ast.expr] = []
            for value in self.bindings.get(node.id, []):
                built.extend(self._built_string(value, seen | {node.id}))
            return built
        return []

    def _sql(self, call: ast.Call) -> Iterator[RuleHit]:
        if not (isinstance(call.func, ast.Attribute) and call.func.attr in SQL_METHODS and call.args):
            return
        built = self._built_string(call.args[0])
        if not built:
            return
        tainted = any(self.is_tainted(b) for b in built)
        hit = self._hit(
            "security.sql_injection",
            Severity.CRITICAL if tainted else Severity.WARNING,
            f"SQL passed to .{call.func.attr}() is built by string formatting"
            + (" from the function's arguments (SQL injection)." if tainted else "."),
            call,
            "Use placeholders and pass the values separately: cursor.execute('... WHERE id = ?', (user_id,)).",
        )
        for b in built:
            hit.lines.update(range(b.lineno, (b.end_lineno or b.lineno) + 1))
        yield hit

    # eval / shell / deserialisation ------------------------------------------------------------------------------

    def _injection(self, call: ast.Call, name: str | None) -> Iterator[RuleHit]:
        if name is None or not call.args:
            return
        first = call.args[0]
        sink: str | None = None
        if name in ("eval", "exec") and self.is_tainted(first):
            sink, fix = (
                f"{name}()",
                "Parse the data instead (ast.literal_eval, json.loads) or dispatch on a whitelist.",
            )
        elif name in SHELL_CALLS and self.is_tainted(first):
            sink, fix = f"{name}()", "Call subprocess.run([...]) with an argument list and no shell."
        elif name.startswith("subprocess.") and _shell_true(call) and self.is_tainted(first):
            sink, fix = (
                f"{name}(shell=True)",
                "Pass an argument list and drop shell=True (or shlex.quote each part).",
            )
        elif name in DESERIALISERS and self.is_tainted(first):
            sink, fix = (
                f"{name}()",
                "Deserialise untrusted data with json (or a schema-checked format), never pickle.",
            )
        elif (
            name in ("yaml.load", "yaml.load_all")
            and not _safe_yaml(call, self.aliases)
            and self.is_tainted(first)
        ) or (name in ("yaml.unsafe_load", "yaml.unsafe_load_all") and self.is_tainted(first)):
            sink, fix = f"{name}()", "Use yaml.safe_load()."
        if sink is not None:
            message = f"Data from outside the function reaches {sink} (code or command injection)."
            yield self._hit("security.injection", Severity.CRITICAL, message, call, fix)

    # timeouts ----------------------------------------------------------------------------------------------------

    def _timeout(self, call: ast.Call, name: str | None) -> Iterator[RuleHit]:
        if name is None:
            return
        module, _, verb = name.rpartition(".")
        timeout = _keyword(call, "timeout")
        if module == "requests" and verb in HTTP_VERBS:
            if timeout is None or _is_none(timeout.value):
                yield self._hit(
                    "security.no_timeout",
                    Severity.WARNING,
                    f"{name}() without a timeout waits forever on a server that does not answer.",
                    call,
                    "Pass timeout=(connect_seconds, read_seconds), e.g. timeout=10.",
                )
        elif module == "httpx" and verb in HTTP_VERBS | {"stream", "Client", "AsyncClient"}:
            if timeout is not None and _is_none(timeout.value):
                yield self._hit(
                    "security.no_timeout",
                    Severity.WARNING,
                    f"{name}(timeout=None) disables httpx's timeout.",
                    call,
                    "Pass a finite timeout, e.g. timeout=10.",
                )
        elif (
            name == "urllib.request.urlopen"
            and (timeout is None or _is_none(timeout.value))
            and len(call.args) < 3
        ):
            yield self._hit(
                "security.no_timeout",
                Severity.WARNING,
                "urlopen() without a timeout waits forever on a server that does not answer.",
                call,
                "Pass timeout=10 (seconds).",
            )

    # paths -------------------------------------------------------------------------------------------------------

    def _path(self, call: ast.Call, name: str | None) -> Iterator[RuleHit]:
        # Test functions get their paths from fixtures such as tmp_path, not from a user.
        if isinstance(self.scope, ast.Module) or self.target == "tests":
            return
        path: ast.expr | None = None
        if name in PATH_SINKS and call.args:
            path = call.args[0]
        elif isinstance(call.func, ast.Attribute) and call.func.attr in PATH_METHODS:
            receiver = call.func.value
            if (
                isinstance(receiver, ast.Call)
                and _dotted(receiver.func, self.aliases)
                in (
                    "pathlib.Path",
                    "pathlib.PurePath",
                )
            ) or isinstance(receiver, ast.BinOp | ast.Name):
                path = receiver
        if path is None or not self._built_path_from_arguments(path) or self._validates_paths():
            return
        yield self._hit(
            "security.path_traversal",
            Severity.WARNING,
            "A file path built from the function's arguments is used without validation ('../' can escape the "
            "intended directory).",
            call,
            "Resolve the path and check it stays inside the base directory: "
            "if not path.resolve().is_relative_to(base.resolve()): raise ValueError(...).",
        )

    def _built_path_from_arguments(self, node: ast.expr, seen: frozenset[str] = frozenset()) -> bool:
        if isinstance(node, ast.Name):
            return node.id not in seen and any(
                self._built_path_from_arguments(v, seen | {node.id}) for v in self.bindings.get(node.id, [])
            )
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div | ast.Add | ast.Mod):
            return self.is_tainted(node)
        if isinstance(node, ast.JoinedStr):
            return self.is_tainted(node)
        if isinstance(node, ast.Call):
            name = _dotted(node.func, self.aliases)
            if name in ("os.path.join", "posixpath.join") or (
                name in ("pathlib.Path", "pathlib.PurePath") and len(node.args) > 1
            ):
                return any(self.is_tainted(a) for a in node.args[1:])
            if name in ("pathlib.Path", "pathlib.PurePath", "str", "os.fspath") and node.args:
                return self._built_path_from_arguments(node.args[0], seen)
        return False

    def _validates_paths(self) -> bool:
        for node in self.nodes:
            if isinstance(node, ast.Call):
                called = (
                    node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                )
                if called in PATH_VALIDATORS or called == "startswith":
                    return True
            if isinstance(node, ast.Compare) and any(
                isinstance(c, ast.Constant) and c.value == ".." for c in [node.left, *node.comparators]
            ):
                return True
        return False

    # hashes ------------------------------------------------------------------------------------------------------

    def _weak_hash(self, call: ast.Call, name: str | None) -> Iterator[RuleHit]:
        algorithm = name
        if name == "hashlib.new" and call.args and isinstance(call.args[0], ast.Constant):
            algorithm = f"hashlib.{str(call.args[0].value).lower()}"
        if algorithm not in WEAK_HASHES:
            return
        data = call.args[1:] if name == "hashlib.new" else call.args
        # The hashed value is named like a password, or it is a parameter of a function named like one
        # (`def hash_password(value): md5(value.encode())`).
        in_password_function = not isinstance(self.scope, ast.Module) and bool(
            _PASSWORD_WORDS & set(_words(self.scope.name))
        )
        uses_parameter = any(
            isinstance(sub, ast.Name) and sub.id in self.tainted for a in data for sub in ast.walk(a)
        )
        if any(_mentions_password(a) for a in data) or (in_password_function and uses_parameter):
            yield self._hit(
                "security.weak_password_hash",
                Severity.CRITICAL,
                f"A password is hashed with {algorithm.split('.')[-1].upper()}, which is fast to brute-force.",
                call,
                "Use hashlib.scrypt / hashlib.pbkdf2_hmac with a random salt (or bcrypt/argon2).",
            )


def _assignments(node: ast.AST) -> Iterator[tuple[str, ast.expr]]:
    if isinstance(node, ast.Assign):
        for target in node.targets:
            for name in _target_names(target):
                yield name, node.value
    elif isinstance(node, ast.AnnAssign | ast.AugAssign) and node.value is not None:
        for name in _target_names(node.target):
            yield name, node.value
    elif isinstance(node, ast.NamedExpr):
        yield node.target.id, node.value
    elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
        for name in _target_names(node.target):
            yield name, node.iter
    elif isinstance(node, ast.withitem) and node.optional_vars is not None:
        for name in _target_names(node.optional_vars):
            yield name, node.context_expr


def _target_names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _target_names(element)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


def _is_text(node: ast.expr) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)) or isinstance(node, ast.JoinedStr)


def _shell_true(call: ast.Call) -> bool:
    shell = _keyword(call, "shell")
    return shell is not None and not (isinstance(shell.value, ast.Constant) and not shell.value.value)


def _safe_yaml(call: ast.Call, aliases: dict[str, str]) -> bool:
    loader = _keyword(call, "Loader")
    value = loader.value if loader is not None else (call.args[1] if len(call.args) > 1 else None)
    if value is None:
        return False
    name = _dotted(value, aliases) or ""
    return name.rsplit(".", 1)[-1] in SAFE_YAML_LOADERS


# -- hard-coded secrets ------------------------------------------------------------------------------------------


def _looks_like_secret(value: ast.expr | None) -> bool:
    """A non-empty literal string without spaces that is not a placeholder like ``<token>`` or ``${TOKEN}``."""
    if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
        return False
    text = value.value
    return bool(text.strip()) and not any(c.isspace() for c in text) and not re.search(r"[<>{}]|\$\(", text)


def _names_itself(name: str, value: ast.expr | None) -> bool:
    """``{"password": "Password"}``: a label or field name, not a secret."""
    text = value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else ""
    return _words(text) == _words(name) or text.lower() in _words(name)


def _hardcoded_secrets(nodes: list[ast.AST]) -> Iterator[RuleHit]:
    for node in nodes:
        pairs: list[tuple[str, ast.expr | None, ast.AST]] = []
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
                if name:
                    pairs.append((name, node.value, node))
        elif isinstance(node, ast.Call):
            pairs.extend((k.arg, k.value, k) for k in node.keywords if k.arg)
        elif isinstance(node, ast.Dict):
            for key, item in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    pairs.append((key.value, item, key))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            positional = [*node.args.posonlyargs, *node.args.args]
            defaults = list(
                zip(positional[len(positional) - len(node.args.defaults) :], node.args.defaults, strict=True)
            )
            defaults += [
                (a, d) for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True) if d
            ]
            pairs.extend((arg.arg, default, arg) for arg, default in defaults)
        elif (
            isinstance(node, ast.Compare)
            and len(node.comparators) == 1
            and isinstance(node.ops[0], ast.Eq | ast.NotEq)
        ):
            left, right = node.left, node.comparators[0]
            for named, literal in ((left, right), (right, left)):
                compared = named.id if isinstance(named, ast.Name) else getattr(named, "attr", None)
                if compared:
                    pairs.append((compared, literal, node))
        for name, value, anchor in pairs:
            if _is_secret_name(name) and _looks_like_secret(value) and not _names_itself(name, value):
                found = finding(
                    "security",
                    "security.hardcoded_secret",
                    Severity.WARNING,
                    f"`{name}` gets a literal secret value in the source.",
                    anchor,
                    suggestion="Read secrets from the environment or a secret store (os.environ['...']).",
                )
                line = getattr(anchor, "lineno", 0)
                yield RuleHit(found, {line})
