"""Sanitising checks the taint analysis honours beyond cleaning functions: allow-lists and validation helpers.

A check clears a name only where it holds, so the analysis follows the branches (an allow-list check on one path
does not clean the other):

- inside ``if CHECK:`` (and in the ``else`` of ``if not CHECK:``), in ``x if CHECK else y`` and after ``CHECK and``;
- after ``if not CHECK: return`` (or ``raise``, ``continue``, ``break``, ``abort(...)``, ``sys.exit(...)``) for the
  rest of the block;
- after a loop that raises (or returns) on any element that fails a check, for the collections it walked
  (``for name in field_names: if not name.isidentifier(): raise ValueError(name)``);
- after a validation helper called on the value as a statement of its own (``validate_key_name(data["key"])``,
  which raises on a bad value), unless it is the standard library's (``subprocess.check_call`` runs its argument).

A CHECK on a name: ``set(x) <= ALLOWED``, ``set(x).issubset(...)``, ``x.isdigit()`` and the other ``str.is*``
checks, ``re.fullmatch(PATTERN, x)``, ``re.match(r"...$", x)`` (anchored at the end), ``x in ALLOWED`` when the
collection is a literal of constants or constant-named (``ALLOWED_HOSTS``, ``valid_modes``; not ``old_sources``),
``x == "literal"``, ``url_has_allowed_host_and_scheme(x, ...)``/``is_safe_url(x, ...)``; combined with ``not``, ``and`` and ``or`` (``x == "a" or x == "b"`` checks ``x``). A path is
checked by ``p.startswith(BASE)`` / ``p.is_relative_to(BASE)`` / ``os.path.commonpath([...]) == BASE`` (or
``commonprefix``) only when ``p`` was normalised first (``os.path.realpath``/``abspath``/``normpath``,
``Path.resolve()``): ``base/../x`` starts with ``base``. ``".." in p`` checks ``p`` where it is false. Assigning
to a name ends what a check said about it, unless the new value is made only of checked data
(``names = tuple(map(intern, names))``).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator, Sequence

from .._ast_helpers import may_hold_line
from .._shared import child_nodes
from ._names import dotted, target_names, words

__all__ = ["clean_uses", "is_exit"]

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
_PATH_CHECKS = frozenset({"startswith", "is_relative_to"})
_NORMALISERS = frozenset({"realpath", "abspath", "normpath", "resolve"})
_URL_CHECKS = frozenset({"url_has_allowed_host_and_scheme", "is_safe_url"})
_EXIT_CALLS = frozenset({"abort", "exit", "_exit", "quit"})

Names = frozenset[str]


def clean_uses(
    body: list[ast.stmt],
    aliases: dict[str, str],
    bindings: dict[str, list[ast.expr]],
    branch_lines: Sequence[int] | None = None,
) -> set[int]:
    """The ``id()`` of every ``Name`` load in ``body`` (one scope's statements) where a check has cleared it.

    ``branch_lines``, when given, are the sorted first lines of every ``and``/``or`` and conditional expression of
    the scope: where nothing is checked yet, an expression holding none of them is skipped (only those can start a
    check inside an expression)."""
    walker = _Walker(aliases, bindings, branch_lines)
    walker.block(body, frozenset())
    return walker.clean


def is_exit(statements: list[ast.stmt]) -> bool:
    """Whether a block always leaves: it ends in return/raise/continue/break or a call that does not come back."""
    if not statements:
        return False
    last = statements[-1]
    if isinstance(last, ast.Return | ast.Raise | ast.Continue | ast.Break):
        return True
    if isinstance(last, ast.If):
        return is_exit(last.body) and is_exit(last.orelse)
    if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call):
        func = last.value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in _EXIT_CALLS
    return False


def _raises_or_returns(statements: list[ast.stmt]) -> bool:
    """Like :func:`is_exit`, but ``continue``/``break`` only skip the element: they validate nothing."""
    return is_exit(statements) and not isinstance(statements[-1], ast.Continue | ast.Break)


class _Walker:
    """Follows which names are checked through one scope's blocks."""

    def __init__(
        self,
        aliases: dict[str, str],
        bindings: dict[str, list[ast.expr]],
        branch_lines: Sequence[int] | None = None,
    ) -> None:
        self.aliases = aliases
        self.bindings = bindings
        self.clean: set[int] = set()
        self.branch_lines = branch_lines

    def block(self, statements: list[ast.stmt], clean: Names) -> None:
        for statement in statements:
            self.statement(statement, clean)
            if clean:  # nothing checked yet: no binding can end a check
                clean = clean - (_bound_by(statement) - self._derived_from_checked(statement, clean))
            if isinstance(statement, ast.If):
                if is_exit(statement.body):
                    clean = clean | self.implied(statement.test, False)
                elif statement.orelse and is_exit(statement.orelse):
                    clean = clean | self.implied(statement.test, True)
            elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
                clean = clean | self._validated_by_call(statement.value)
            elif isinstance(statement, ast.For):
                clean = clean | self._validated_elements(statement)

    def statement(self, node: ast.stmt, clean: Names) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return  # a scope of its own
        if isinstance(node, ast.If | ast.While):
            self.expression(node.test, clean)
            self.block(node.body, clean | self.implied(node.test, True))
            orelse = clean | self.implied(node.test, False) if isinstance(node, ast.If) else clean
            self.block(node.orelse, orelse)
            return
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, ast.expr):
                self.expression(value, clean)
            elif isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                self.block(value, clean)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.expr):
                        self.expression(item, clean)
                    elif isinstance(item, ast.ExceptHandler | ast.match_case):
                        self.block(item.body, clean)
                    elif isinstance(item, ast.AST):
                        for sub in child_nodes(item):
                            if isinstance(sub, ast.expr):
                                self.expression(sub, clean)

    def expression(self, node: ast.expr, clean: Names) -> None:
        if not clean and not may_hold_line(self.branch_lines, node):
            return  # nothing is checked here, and nothing in it can check anything
        if isinstance(node, ast.Name):
            if node.id in clean and isinstance(node.ctx, ast.Load):
                self.clean.add(id(node))
            return
        if isinstance(node, ast.Lambda):
            return
        if isinstance(node, ast.IfExp):
            self.expression(node.test, clean)
            self.expression(node.body, clean | self.implied(node.test, True))
            self.expression(node.orelse, clean | self.implied(node.test, False))
            return
        if isinstance(node, ast.BoolOp):
            for value in node.values:
                self.expression(value, clean)
                clean = clean | self.implied(value, isinstance(node.op, ast.And))
            return
        for child in child_nodes(node):
            if isinstance(child, ast.expr):
                self.expression(child, clean)
            elif isinstance(child, ast.comprehension | ast.keyword):
                for sub in child_nodes(child):
                    if isinstance(sub, ast.expr):
                        self.expression(sub, clean)

    def implied(self, test: ast.expr, holds: bool) -> Names:
        """The names ``test`` being ``holds`` (true or false) shows to be checked."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            return self.implied(test.operand, not holds)
        if isinstance(test, ast.BoolOp):
            parts = [self.implied(v, holds) for v in test.values]
            # all of `a and b` hold; one of `a or b` holds, so only what every part checks is known
            if isinstance(test.op, ast.And) == holds:
                return frozenset().union(*parts)
            return frozenset.intersection(*parts) if parts else frozenset()
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            op = test.ops[0]
            if isinstance(op, ast.Is | ast.IsNot) and _is_none(test.comparators[0]):
                # `re.fullmatch(P, x) is None` holds when the check failed
                return self.implied(test.left, holds == isinstance(op, ast.IsNot))
            if isinstance(op, ast.NotIn | ast.NotEq):
                holds = not holds
            if isinstance(op, ast.In | ast.NotIn) and _is_dots(test.left):
                # `".." in name` holds when the name is *not* safe
                return frozenset(_plain_name(test.comparators[0])) if not holds else frozenset()
        return frozenset(self._checked(test)) if holds else frozenset()

    def _checked(self, node: ast.expr) -> Iterator[str]:
        if isinstance(node, ast.Call) and _called(node) in _URL_CHECKS:
            # url_has_allowed_host_and_scheme(url, allowed_hosts=...)
            url = (
                node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "url"), None)
            )
            if url is not None:
                yield from _plain_name(url)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            if method in _CHARACTER_CHECKS and (
                method != "match" or _anchored(node.args[0] if node.args else None)
            ):
                # x.isdigit(), set(x).issubset(ALLOWED), re.fullmatch(PATTERN, x), re.match(r"...$", x)
                for candidate in (node.func.value, *node.args):
                    yield from _plain_name(candidate)
            elif method in _PATH_CHECKS:
                yield from self._normalised(node.func.value)
        elif isinstance(node, ast.Compare) and len(node.ops) == 1:
            op, right = node.ops[0], node.comparators[0]
            if isinstance(op, ast.In | ast.NotIn | ast.LtE) and _is_allow_list(right):
                yield from _plain_name(node.left)  # x in ALLOWED, x not in {"a", "b"}, set(x) <= ALLOWED
            elif isinstance(op, ast.Eq | ast.NotEq):
                for one, other in ((node.left, right), (right, node.left)):
                    if isinstance(other, ast.Constant) and other.value is not None:
                        yield from _plain_name(one)  # x == "foo"
                    elif _is_commonpath(one):
                        for argument in _commonpath_arguments(one):
                            yield from self._normalised(argument)

    def _normalised(self, node: ast.expr) -> Iterator[str]:
        """``p`` when ``p`` is a name bound only to a normalised path (``os.path.realpath(...)``, ``.resolve()``), or
        the path the check normalises itself (``os.path.realpath(p).startswith(BASE)``)."""
        if isinstance(node, ast.Call) and _normalises(node):
            if node.args:
                inner = node.args[0]
            elif isinstance(node.func, ast.Attribute):
                inner = node.func.value
            else:
                return
            while isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.args:
                inner = inner.args[0]  # Path(p).resolve(), str(p)
            yield from _plain_name(inner)
        elif (
            isinstance(node, ast.Name)
            and self.bindings.get(node.id)
            and all(_normalises(v) for v in self.bindings[node.id])
        ):
            yield node.id

    def _derived_from_checked(self, statement: ast.stmt, clean: Names) -> Names:
        """The names ``statement`` binds to values made only of checked data (``names = tuple(map(intern,
        names))``): functions called and imported modules aside, every name it reads is checked."""
        if not isinstance(statement, ast.Assign | ast.AugAssign | ast.AnnAssign) or statement.value is None:
            return frozenset()
        called = {id(n.func) for n in ast.walk(statement.value) if isinstance(n, ast.Call)}
        read = [
            n.id
            for n in ast.walk(statement.value)
            if isinstance(n, ast.Name) and id(n) not in called and n.id not in self.aliases
        ]
        if isinstance(statement, ast.AugAssign):
            read += list(target_names(statement.target))
        return _bound_by(statement) if read and all(name in clean for name in read) else frozenset()

    def _validated_elements(self, loop: ast.For) -> Names:
        """``for name in [typename, *field_names]: if not name.isidentifier(): raise ValueError(name)``: a loop that
        raises (or returns) on any element failing a check leaves every collection it walked checked."""
        targets = frozenset(target_names(loop.target))
        for statement in loop.body:
            if (
                isinstance(statement, ast.If)
                and _raises_or_returns(statement.body)
                and targets & self.implied(statement.test, False)
            ):
                return frozenset(n.id for n in ast.walk(loop.iter) if isinstance(n, ast.Name))
        return frozenset()

    def _validated_by_call(self, call: ast.Call) -> Names:
        """A validation helper, or ``p.relative_to(base)`` (which raises), called as a statement."""
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in ("relative_to", "is_relative_to"):
            return frozenset(self._normalised(func.value))
        if not _is_validator(func, self.aliases):
            return frozenset()
        names: set[str] = set()
        for argument in call.args:
            root = argument
            while isinstance(root, ast.Subscript | ast.Attribute):
                root = root.value
            names.update(_plain_name(root))
        return frozenset(names)


def _called(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _bound_by(statement: ast.stmt) -> Names:
    targets: Iterable[ast.expr] = ()
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AnnAssign | ast.AugAssign | ast.For | ast.AsyncFor):
        targets = [statement.target]
    return frozenset(name for target in targets for name in target_names(target))


def _normalises(node: ast.expr) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in _NORMALISERS


def _is_commonpath(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute | ast.Name)
        and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
        in ("commonpath", "commonprefix")
    )


def _commonpath_arguments(node: ast.expr) -> list[ast.expr]:
    if not isinstance(node, ast.Call) or not node.args:
        return []
    first = node.args[0]
    return list(first.elts) if isinstance(first, ast.List | ast.Tuple) else [first]


def _is_dots(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value == ".."


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _is_validator(func: ast.expr, aliases: dict[str, str]) -> bool:
    """A function named validate_*/check_*/... that is not the standard library's (``subprocess.check_call`` runs
    its argument rather than checking it)."""
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    parts = words(name)
    origin = (dotted(func, aliases) or "").split(".")[0]
    return bool(parts) and parts[0] in _VALIDATOR_VERBS and origin not in sys.stdlib_module_names


def _anchored(pattern: ast.expr | None) -> bool:
    """A literal regex that must match to the end (``re.match`` only anchors the start)."""
    return isinstance(pattern, ast.Constant) and str(pattern.value).endswith(("$", "\\Z"))


def _is_allow_list(node: ast.expr) -> bool:
    """A literal collection of constants, or a constant-named one (``ALLOWED_COMMANDS``, ``valid_modes``): not any
    collection of data (``if source not in old_sources`` checks nothing about the value's safety)."""
    if isinstance(node, ast.Set | ast.List | ast.Tuple):
        return all(isinstance(e, ast.Constant) for e in node.elts)
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)  # `c in "abc"`
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
