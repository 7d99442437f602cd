"""Taint tracking for the security rules: where a value can come from, across one module.

Two strengths of source, because they deserve different verdicts:

- ``EXTERNAL``: data an attacker can choose; *remote* when it arrives over the network (a request, a socket), which
  is what makes a file path or a URL dangerous -- a command-line tool opening the file its user named is not. Web request objects (Flask/Quart/Bottle's ``request``, a Django view's
  ``request``, a Starlette/FastAPI ``Request``, the parameters of a route handler), ``input()``, ``sys.argv``,
  ``argparse`` results, ``sys.stdin``, the environment (``os.environ``, ``os.getenv``) and ``socket.recv``.
- ``PARAM``: a parameter of a *public* function. Whoever calls the library decides what it is, so it reaches a sink
  only inside that function; private helpers (``dataclasses._create_fn`` building code for ``exec``) are trusted
  with what their module passes them.

Taint flows through assignments (a fixed point over each function's bindings, ignoring order), string building
(``%``, f-strings, ``+``, ``.format()``, ``.join()``), containers and calls. Calls to functions of the same module
use a summary: whether the callee returns external data of its own, and whether its result depends on its
arguments (``def clean(x): return int(x)`` does not). External data passed to a function of the module taints that
function's parameters, so a flow through a helper is followed (a few calls deep). ``int()``, ``float()``,
``shlex.quote()``, ``os.path.basename()`` and friends clean a value, and so does an allow-list check an ``if`` makes
on a name (``if not set(expr) <= ALLOWED: return``, ``x.isdigit()``, ``re.fullmatch(PATTERN, x)``, ``x in
ALLOWED``) or a validation helper called on it as a statement (``validate_key_name(data["key"])``, which raises on a
bad value), see :mod:`.sanitisers`. Those checks follow the branches: they clean the name only where they hold
(inside ``if x in ALLOWED:``, after ``if not x.isdigit(): return``), never on the other path. Route parameters a
framework converts to numbers (Flask's ``<int:id>``, FastAPI's ``id: int``) are not sources.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import IntEnum

from .._shared import child_nodes
from ._names import _BINDERS, Scope, ScopeNodes, assignments, dotted
from .sanitisers import clean_uses
from .sources import (
    REQUEST_DATA,
    REQUEST_MODULES,
    ROUTE_DECORATORS,
    SANITISERS,
    SINK_SANITISERS,
    called_source,
)

__all__ = ["Level", "ModuleTaint", "ScopeTaint", "Taint"]

_ROUNDS = 4
_NUMERIC_TYPES = frozenset({"int", "float", "bool", "UUID", "Decimal", "date", "datetime"})
_NOT_TEXT = _NUMERIC_TYPES | {"CodeType"}
_CONVERTED = re.compile(r"<(?:int|float|uuid):(\w+)>")


class Level(IntEnum):
    """How far a value can be trusted; higher is worse."""

    PARAM = 1
    EXTERNAL = 2


@dataclass(frozen=True)
class Taint:
    """A tainted value: how bad, and where it comes from in words (``flask.request.args``, ``input()``)."""

    level: Level
    source: str
    remote: bool = False
    cleaned: frozenset[str] = frozenset()
    """The kinds of sink the value was made safe for (``shell`` after ``shlex.quote``, ``path`` after
    ``os.path.basename``): safe there, still dangerous elsewhere."""

    def via(self, function: str) -> Taint:
        """The same taint, having passed through ``function``."""
        if f"`{function}()`" in self.source:
            return self
        return Taint(self.level, f"{self.source} (through `{function}()`)", self.remote, self.cleaned)

    def reaches(self, sink: str | None) -> bool:
        """Whether the value is still dangerous at a sink of kind ``sink`` (None: any sink)."""
        return sink is None or sink not in self.cleaned


def strongest(taints: Iterable[Taint | None]) -> Taint | None:
    """The most dangerous of ``taints`` (the first of equals), or None when all are clean."""
    best: Taint | None = None
    for taint in taints:
        if taint is not None and (best is None or _danger(taint) > _danger(best)):
            best = taint
            if best.level is Level.EXTERNAL and not best.cleaned:
                break
    return best


def _danger(taint: Taint) -> tuple[Level, int]:
    """Higher is worse: the level first, then how few kinds of sink the value was made safe for."""
    return taint.level, -len(taint.cleaned)


@dataclass
class Summary:
    """What a caller needs to know about a function of the module."""

    returns: Taint | None = None
    passes_arguments: bool = True

    def key(self) -> tuple[Level | None, bool, bool]:
        """What callers see of the summary (the wording of the source aside)."""
        return (
            self.returns.level if self.returns else None,
            bool(self.returns and self.returns.remote),
            self.passes_arguments,
        )


def _is_request_annotation(annotation: ast.expr | None) -> bool:
    if annotation is None:
        return False
    name = annotation.attr if isinstance(annotation, ast.Attribute) else getattr(annotation, "id", "")
    return isinstance(name, str) and name.endswith("Request")


def _annotated_name(annotation: ast.expr | None) -> str:
    """``CodeType`` for ``types.CodeType``, ``"CodeType"`` or ``CodeType``; empty when there is none."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return annotation.value.rsplit(".", 1)[-1]
    if isinstance(annotation, ast.Attribute):
        return annotation.attr
    return annotation.id if isinstance(annotation, ast.Name) else ""


def _is_route_handler(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for decorator in function.decorator_list:
        func = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(func, ast.Attribute) and func.attr in ROUTE_DECORATORS:
            return True
    return False


def _typed_route_parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Route parameters the framework converts to a number (or UUID) before the handler sees them: Flask's
    ``<int:id>``/``<float:x>``/``<uuid:u>`` converters and FastAPI's ``id: int`` annotations."""
    typed = {
        a.arg
        for a in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs)
        if isinstance(a.annotation, ast.Name | ast.Attribute)
        and (a.annotation.id if isinstance(a.annotation, ast.Name) else a.annotation.attr) in _NUMERIC_TYPES
    }
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call) and decorator.args and isinstance(decorator.args[0], ast.Constant):
            typed.update(_CONVERTED.findall(str(decorator.args[0].value)))
    return typed


@dataclass
class _Bindings:
    """What one scope binds and calls, collected once however many rounds the analysis takes."""

    bindings: dict[str, list[ast.expr]] = field(default_factory=dict)
    calls: list[ast.Call] = field(default_factory=list)
    returned: list[ast.expr] = field(default_factory=list)


def _collect(nodes: ScopeNodes) -> _Bindings:
    found = _Bindings()
    found.calls.extend(nodes.of(ast.Call))
    for node in nodes.of(ast.Return, ast.Yield, ast.YieldFrom):
        if isinstance(node, ast.Return | ast.Yield | ast.YieldFrom) and node.value is not None:
            found.returned.append(node.value)
    for node in nodes.of(*_BINDERS):
        for name, value in assignments(node):
            found.bindings.setdefault(name, []).append(value)
    return found


class ModuleTaint:
    """The taint analysis of one module: one :class:`ScopeTaint` per function (and the module body).

    A fixed point over the module's functions: a scope is analysed again only when a function it calls changed its
    summary or external data newly reaches its parameters, for at most a few rounds.
    """

    def __init__(self, scopes: dict[Scope, ScopeNodes], aliases: dict[str, str], tree: ast.Module) -> None:
        self.aliases = aliases
        self._scopes = scopes
        self._static_facts: dict[Scope, _StaticFacts] = {}
        self._binding_inputs: dict[Scope, dict[str, frozenset[str]]] = {}
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self.methods: dict[ast.AST, dict[str, ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        self.public: set[ast.AST] = set()
        self._index(tree)
        self.collected = {scope: _collect(nodes) for scope, nodes in scopes.items()}
        self.globals = self.collected[tree].bindings
        self._clean_uses: dict[Scope, set[int]] = {}
        callers: dict[ast.AST, set[Scope]] = {}
        self.call_sites: dict[ast.AST, list[ast.Call]] = {}
        for scope, found in self.collected.items():
            for call in found.calls:
                callee = self.resolve(call, scope)
                if callee is not None:
                    callers.setdefault(callee, set()).add(scope)
                    self.call_sites.setdefault(callee, []).append(call)
        self.summaries: dict[ast.AST, Summary] = {}
        self.incoming: dict[ast.AST, dict[str, Taint]] = {}
        self.scopes: dict[Scope, ScopeTaint] = {}
        passed: dict[Scope, dict[ast.AST, dict[str, Taint]]] = {}
        dirty: set[Scope] = set(scopes)
        for _ in range(_ROUNDS):
            changed: set[Scope] = set()
            # In source order, not the set's (memory addresses): which of two equal sources a finding names is
            # the first one passed on, and must be the same on every run.
            for scope in [scope for scope in scopes if scope in dirty]:
                analysis = ScopeTaint(scope, scopes[scope], self)
                self.scopes[scope] = analysis
                if not isinstance(scope, ast.Module):
                    summary = analysis.summary()
                    if summary.key() != self.summaries.get(scope, Summary()).key():
                        changed.update(callers.get(scope, ()))
                    self.summaries[scope] = summary
                passed[scope] = analysis.passed_on()
            incoming: dict[ast.AST, dict[str, Taint]] = {}
            for contributions in passed.values():
                for target, params in contributions.items():
                    for param, taint in params.items():
                        incoming.setdefault(target, {}).setdefault(param, taint)
            for function in set(incoming) | set(self.incoming):
                if _levels(incoming.get(function, {})) != _levels(self.incoming.get(function, {})):
                    changed.add(function)  # type: ignore[arg-type]  # only functions receive arguments
            self.incoming = incoming
            dirty = changed
            if not dirty:
                break

    def binding_inputs(self, scope: Scope) -> dict[str, frozenset[str]]:
        """Name bound in ``scope`` -> the names read in the values bound to it, found once per scope."""
        found = self._binding_inputs.get(scope)
        if found is None:
            bindings = self.collected[scope].bindings
            found = self._binding_inputs[scope] = {
                name: _names_read(values) for name, values in bindings.items()
            }
        return found

    def static_facts(self, scope: Scope) -> _StaticFacts:
        """What :class:`ScopeTaint` found about ``scope``'s nodes that no round of the fixed point changes (which call
        is a source, a cleaning call or reaches which function; which attribute reads external data), by ``id()``:
        the scope's parameters and request objects are the same in every round."""
        found = self._static_facts.get(scope)
        if found is None:
            found = self._static_facts[scope] = _StaticFacts()
        return found

    def release(self) -> None:
        """Let go of the per-scope analyses, which point back at this one: left in that cycle, they (and the whole
        syntax tree their indexes hold) would wait for the garbage collector instead of being freed at once."""
        self.scopes.clear()

    def clean_uses(self, scope: Scope) -> set[int]:
        """The name loads of ``scope`` that a check has cleared (see :func:`.sanitisers.clean_uses`): the same in
        every round of the fixed point, so found once per scope."""
        found = self._clean_uses.get(scope)
        if found is None:
            nodes = self._scopes[scope]
            branches = [*nodes.of(ast.BoolOp), *nodes.of(ast.IfExp)]
            found = self._clean_uses[scope] = clean_uses(
                scope.body,
                self.aliases,
                self.collected[scope].bindings,
                sorted(node.lineno for node in branches if isinstance(node, ast.BoolOp | ast.IfExp)),
            )
        return found

    def _index(self, tree: ast.Module) -> None:
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions[node.name] = node
                if not node.name.startswith("_"):
                    self.public.add(node)
            elif isinstance(node, ast.ClassDef):
                methods = {
                    m.name: m for m in node.body if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef)
                }
                for method in methods.values():
                    self.methods[method] = methods
                    dunder = method.name.startswith("__") and method.name.endswith("__")
                    if not node.name.startswith("_") and (dunder or not method.name.startswith("_")):
                        self.public.add(method)

    def given_literals(self, function: Scope, param: str) -> bool:
        """Whether ``function`` is called in this module, and every call gives ``param`` a literal."""
        if isinstance(function, ast.Module) or not self.call_sites.get(function):
            return False
        names = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
        if function in self.methods and names and names[0] in ("self", "cls"):
            names = names[1:]
        position = names.index(param) if param in names else None
        for call in self.call_sites[function]:
            given = next((k.value for k in call.keywords if k.arg == param), None)
            if given is None and position is not None and position < len(call.args):
                given = call.args[position]
            if not isinstance(given, ast.Constant):
                return False
        return True

    def resolve(self, call: ast.Call, caller: Scope) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """The function of this module that ``call`` reaches, when that is plain to see."""
        func = call.func
        if isinstance(func, ast.Name) and func.id not in self.aliases:
            return self.functions.get(func.id)
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in ("self", "cls")
            and caller in self.methods
        ):
            return self.methods[caller].get(func.attr)
        return None


@dataclass(frozen=True)
class _CallFacts:
    """What a call is, whatever the names hold (see :meth:`ScopeTaint._call_facts`)."""

    clean: bool = False
    sink: str | None = None
    """The kind of sink the call cleans its argument for."""
    source: Taint | None = None
    callee: ast.FunctionDef | ast.AsyncFunctionDef | None = None


@dataclass
class _StaticFacts:
    """One scope's facts no round of the fixed point changes, by node ``id()``."""

    calls: dict[int, _CallFacts] = field(default_factory=dict)
    reads: dict[int, Taint | None] = field(default_factory=dict)
    """What an attribute or subscript read is a source of."""


def _changed_since(names: frozenset[str], changed_at: dict[str, int], step: int) -> bool:
    return any(changed_at.get(name, 0) > step for name in names)


def _names_read(values: list[ast.expr]) -> frozenset[str]:
    """Every name below ``values`` (more than :meth:`ScopeTaint.taint_of` reads, never less)."""
    found: set[str] = set()
    stack: list[ast.AST] = list(values)
    while stack:
        node = stack.pop()
        if node.__class__ is ast.Name:
            found.add(node.id)
        else:
            stack.extend(child_nodes(node))
    return frozenset(found)


def _levels(params: dict[str, Taint]) -> set[tuple[str, Level, bool]]:
    return {(p, t.level, t.remote) for p, t in params.items()}


@dataclass
class ScopeTaint:
    """Which names of one function (or of the module body) hold tainted data."""

    scope: Scope
    nodes: ScopeNodes
    module: ModuleTaint
    tainted: dict[str, Taint] = field(default_factory=dict)
    request_objects: set[str] = field(default_factory=set)
    params: set[str] = field(default_factory=set)
    with_incoming: bool = True

    def __post_init__(self) -> None:
        self.public = self.scope in self.module.public
        self.facts = self.module.static_facts(self.scope)
        collected = self.module.collected[self.scope]
        self.bindings = collected.bindings
        self.calls = collected.calls
        self._returned = collected.returned
        if not isinstance(self.scope, ast.Module):
            self._seed_parameters(self.scope)
        self.clean = self.module.clean_uses(self.scope)
        self._propagate()

    def passed_on(self) -> dict[ast.AST, dict[str, Taint]]:
        """External data this scope passes to the module's functions, per callee and parameter."""
        passed: dict[ast.AST, dict[str, Taint]] = {}
        for call in self.calls:
            callee = self.module.resolve(call, self.scope)
            if callee is None:
                continue
            params = [a.arg for a in (*callee.args.posonlyargs, *callee.args.args)]
            if callee in self.module.methods and params and params[0] in ("self", "cls"):
                params = params[1:]
            pairs = list(zip(params, call.args, strict=False))
            pairs += [(k.arg, k.value) for k in call.keywords if k.arg]
            for param, arg in pairs:
                taint = self.taint_of(arg)
                if taint is not None and taint.level is Level.EXTERNAL:
                    passed.setdefault(callee, {}).setdefault(param, taint.via(callee.name))
        return passed

    def _seed_parameters(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        args = function.args
        every = [a for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a]
        named = [a for a in every if a.arg not in ("self", "cls")]
        for arg in named:
            if arg.arg in ("request", "req") or _is_request_annotation(arg.annotation):
                self.request_objects.add(arg.arg)
        handler = bool(self.request_objects) or _is_route_handler(function)
        incoming = self.module.incoming.get(function, {}) if self.with_incoming else {}
        typed = _typed_route_parameters(function) if handler else set()
        for arg in named:
            self.params.add(arg.arg)
            if arg.arg in self.request_objects or arg.arg in typed:
                continue
            if handler:
                self.tainted[arg.arg] = Taint(
                    Level.EXTERNAL, f"the request parameter `{arg.arg}`", remote=True
                )
            elif arg.arg in incoming:
                self.tainted[arg.arg] = incoming[arg.arg]
            elif _annotated_name(arg.annotation) not in _NOT_TEXT:
                # a number, or a code object the caller compiled (`Template.from_code(code: CodeType)`), is no text
                # that can smuggle in code
                self.tainted[arg.arg] = Taint(Level.PARAM, f"the parameter `{arg.arg}`")

    def _propagate(self) -> None:
        # Passes over every binding until one changes nothing. A binding's taint depends only on what the names
        # read in its values hold (``taint_of`` looks nothing else up that a pass changes), and a name's taint
        # only gets stronger: so a binding none of whose names changed since it was last evaluated would give the
        # same taint again and change nothing, and is passed by (the same updates, in the same order).
        tainted, bindings = self.tainted, self.bindings
        step = 0
        changed_at: dict[str, int] = {}
        evaluated_at: dict[str, int] = {}
        inputs: dict[str, frozenset[str]] | None = None
        changed = True
        while changed:
            changed = False
            for name, values in bindings.items():
                seen = evaluated_at.get(name)
                if seen is not None:
                    if inputs is None:
                        inputs = self.module.binding_inputs(self.scope)
                    if not _changed_since(inputs[name], changed_at, seen):
                        continue
                evaluated_at[name] = step
                taint = strongest(self.taint_of(v) for v in values)
                if taint is not None and (name not in tainted or taint.level > tainted[name].level):
                    tainted[name] = taint
                    step += 1
                    changed_at[name] = step
                    changed = True

    def counts(self, taint: Taint | None) -> bool:
        """Whether ``taint`` makes a sink critical here: external data always, parameters of public functions."""
        return taint is not None and (taint.level is Level.EXTERNAL or self.public)

    def summary(self) -> Summary:
        """How a call to this function passes taint to its result."""
        if self.with_incoming and self.scope in self.module.incoming:
            # What callers passed in must not make the result external for every other caller.
            return ScopeTaint(self.scope, self.nodes, self.module, with_incoming=False).summary()
        taints = [self.taint_of(v) for v in self._returned]
        external = strongest(t for t in taints if t is not None and t.level is Level.EXTERNAL)
        passes = any(t is not None and t.level is Level.PARAM for t in taints)
        return Summary(returns=external, passes_arguments=passes)

    def sanitised(self, node: ast.AST, sink: str | None = None, seen: frozenset[str] = frozenset()) -> bool:
        """Whether ``node`` is made only of literals, checked names and cleaning calls (``int(x)``, and
        ``shlex.quote(x)`` for a ``sink`` of kind ``shell``): shown safe, not merely of unknown origin like an
        attribute or a global."""
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.Name):
            if id(node) in self.clean:
                return True
            values = self.bindings.get(node.id) or (
                [] if node.id in self.params else self.module.globals.get(node.id, [])
            )
            return (
                bool(values)
                and node.id not in seen
                and node.id not in self.params
                and all(self.sanitised(v, sink, seen | {node.id}) for v in values)
            )
        if isinstance(node, ast.Call):
            name = dotted(node.func, self.module.aliases) or ""
            return name in SANITISERS or (sink is not None and SINK_SANITISERS.get(name) == sink)
        if isinstance(node, ast.JoinedStr | ast.FormattedValue | ast.BinOp | ast.Tuple | ast.List):
            return all(self.sanitised(c, sink, seen) for c in child_nodes(node) if isinstance(c, ast.expr))
        return False

    def taint_of(self, node: ast.AST) -> Taint | None:
        """Where data flowing into ``node``'s value can come from; None when it is clean."""
        if isinstance(node, ast.Name):
            return None if id(node) in self.clean else self.tainted.get(node.id)
        if isinstance(node, ast.Call):
            return self._call_taint(node)
        if isinstance(node, ast.Attribute | ast.Subscript):
            reads = self.facts.reads
            key = id(node)
            if key in reads:
                source = reads[key]
            else:
                source = reads[key] = self._source(node)
            if source is not None:
                return source
            return self.taint_of(node.value)
        if isinstance(node, ast.Lambda | ast.Constant):
            return None
        return strongest(self.taint_of(c) for c in child_nodes(node) if isinstance(c, ast.expr))

    def _call_facts(self, call: ast.Call) -> _CallFacts:
        """What ``call`` is, whatever the names hold: a cleaning call, a sink's cleaning call (with its kind of sink),
        a source of external data (with its taint), or a call data flows through (with the module's function it
        reaches, if any)."""
        name = dotted(call.func, self.module.aliases) or ""
        if name in SANITISERS:
            return _CallFacts(clean=True)
        if name in SINK_SANITISERS:
            return _CallFacts(sink=SINK_SANITISERS[name])
        known = called_source(call, name)
        if known is not None:
            return _CallFacts(source=Taint(Level.EXTERNAL, *known))
        if isinstance(call.func, ast.Attribute):
            source = self._source(call.func)
            if source is not None:
                return _CallFacts(source=source)
        return _CallFacts(callee=self.module.resolve(call, self.scope))

    def _source(self, node: ast.expr) -> Taint | None:
        name = dotted(node.value if isinstance(node, ast.Subscript) else node, self.module.aliases) or ""
        if name == "sys.argv" or name.startswith("sys.argv."):
            return Taint(Level.EXTERNAL, "sys.argv")
        if name == "os.environ" or name.startswith("os.environ."):
            return Taint(Level.EXTERNAL, "os.environ")
        if name.startswith("sys.stdin"):
            return Taint(Level.EXTERNAL, "sys.stdin")
        parts = name.split(".")
        for module in REQUEST_MODULES:
            if name.startswith(module + ".") and len(parts) > 2 and parts[2] in REQUEST_DATA:
                return Taint(Level.EXTERNAL, ".".join(parts[:3]), remote=True)
        if (
            len(parts) > 1
            and parts[1] in REQUEST_DATA
            and (parts[0] in self.request_objects or self._free_request(parts[0]))
        ):
            return Taint(Level.EXTERNAL, f"{parts[0]}.{parts[1]}", remote=True)
        return None

    def _free_request(self, name: str) -> bool:
        """``request`` used but never imported, bound or passed in: a framework's request object whose import the
        excerpt (or the model) left out; the undefined name is the style gate's business."""
        return (
            name == "request"
            and name not in self.module.aliases
            and name not in self.params
            and not any(name in c.bindings for c in self.module.collected.values())
        )

    def _call_taint(self, call: ast.Call) -> Taint | None:
        facts = self.facts.calls.get(id(call))
        if facts is None:
            facts = self.facts.calls[id(call)] = self._call_facts(call)
        if facts.clean:
            return None
        if facts.sink is not None:
            inner = strongest(self.taint_of(a) for a in call.args)
            return replace(inner, cleaned=inner.cleaned | {facts.sink}) if inner else None
        if facts.source is not None:
            return facts.source
        callee = facts.callee
        arguments = strongest(self.taint_of(p) for p in (*call.args, *(k.value for k in call.keywords)))
        if callee is not None:
            summary = self.module.summaries.get(callee, Summary())
            through = arguments.via(callee.name) if arguments is not None else None
            return strongest([summary.returns, through if summary.passes_arguments else None])
        receiver = self.taint_of(call.func.value) if isinstance(call.func, ast.Attribute) else None
        return strongest([arguments, receiver])
