"""pytest plugin shipped into the sandbox: mutation testing in one pytest session.

pytest collects once. The baseline -- which test reaches which function of the module under test, and how long
it takes -- comes from the ``execution`` gate's run when the spec carries it (``reach``): then no test runs before
the mutants. Otherwise the tests run normally first while a trace function records it. If the baseline passed,
each mutant's function code is swapped into the live function objects (``__code__``), only the tests that reach
that function run again, in collection order, and the first failure kills the mutant. A per-mutant time limit (``factor`` x the baseline time of those tests +
``margin``) is enforced with ``SIGALRM``; a mutant that hits it is killed. Module-level containers are restored and
``functools`` caches cleared before each mutant, as a fresh process would have them. One JSON line per mutant
goes to the results file as soon as it is known, so a run that is cut short still reports what it finished.

Standalone on purpose (stdlib and pytest only): the sandboxed interpreter does not import burr_codeagent.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import sys
import threading
import time
import types
from collections.abc import Callable, Generator, Iterator
from typing import Any, TextIO

import pytest
from _pytest.runner import runtestprotocol

SPEC_FILE = os.environ.get("CODEAGENT_MUTANTS", ".codeagent-mutants.json")
RESULTS_FILE = os.environ.get("CODEAGENT_MUTATION_RESULTS", ".codeagent-mutation.jsonl")
_CONTAINERS = (dict, list, set, bytearray)


class MutantTimeout(BaseException):
    """Raised by the alarm: the mutant ran past its time limit (a BaseException so ``except Exception`` misses it)."""


class _Session:
    def __init__(self) -> None:
        with open(SPEC_FILE, encoding="utf-8") as handle:
            self.spec: dict[str, Any] = json.load(handle)
        self.module_file = os.path.abspath(self.spec["module"] + ".py")
        self.results: TextIO = open(RESULTS_FILE, "a", encoding="utf-8")  # noqa: SIM115 - closed at unconfigure
        self.baseline = True
        self.reached: dict[str, set[tuple[str, int]]] = {}
        self.seconds: dict[str, float] = {}
        reach = self.spec.get("reach")
        self.derived = isinstance(reach, dict)
        if self.derived:  # the execution gate's run measured it
            for test, data in reach.items():
                self.seconds[test] = float(data["seconds"])
                self.reached[test] = {(str(q), int(n)) for q, n in data["reached"]}
        self.snapshot: list[tuple[Any, Any]] | None = None
        self.armed = False

    def write(self, record: dict[str, Any]) -> None:
        self.results.write(json.dumps(record) + "\n")
        self.results.flush()

    def tracer(self, hits: set[tuple[str, int]]) -> Callable[[types.FrameType, str, Any], None]:
        module_file = self.module_file

        def trace(frame: types.FrameType, event: str, arg: Any) -> None:
            code = frame.f_code
            if event == "call" and code.co_filename == module_file:
                hits.add((code.co_qualname, code.co_firstlineno))

        return trace


_STATE: _Session | None = None


class _DerivedLoop:
    """The session's loop when the baseline comes from the execution gate's run: the mutants, and no baseline."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool | None:
        state = _STATE
        if state is None or session.testsfailed or session.config.option.collectonly:
            return None  # pytest's own loop reports collection errors as usual
        state.snapshot = _snapshot(_module(state))
        state.write({"kind": "baseline", "passed": True, "derived": True, "tests": len(session.items)})
        _run_mutants(session, state)
        state.write({"kind": "done"})
        return True


def pytest_configure(config: pytest.Config) -> None:
    """Read the mutants (and take over the test loop when the baseline is known)."""
    global _STATE
    _STATE = _Session()
    if _STATE.derived:
        config.pluginmanager.register(_DerivedLoop(), "codeagent-mutation-loop")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Close the results file."""
    if _STATE is not None:
        _STATE.results.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    """Baseline: time each test and record which code of the module it reaches."""
    state = _STATE
    assert state is not None
    if state.snapshot is None:
        state.snapshot = _snapshot(_module(state))
    hits: set[tuple[str, int]] = set()
    trace = state.tracer(hits)
    sys.settrace(trace)
    threading.settrace(trace)
    started = time.perf_counter()
    try:
        return (yield)
    finally:
        sys.settrace(None)
        threading.settrace(None)
        state.seconds[item.nodeid] = time.perf_counter() - started
        state.reached[item.nodeid] = hits


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session: pytest.Session) -> Generator[None, object, object]:
    """After the baseline, test the mutants if it passed."""
    result = yield
    state = _STATE
    assert state is not None
    if state.derived:  # the mutants were tested by _DerivedLoop instead of a baseline run
        return result
    passed = session.testsfailed == 0 and bool(session.items)
    state.write({"kind": "baseline", "passed": passed, "tests": len(session.items)})
    if passed:
        _run_mutants(session, state)
    state.write({"kind": "done"})
    return result


def _module(state: _Session) -> types.ModuleType | None:
    module = sys.modules.get(state.spec["module"])
    return module if isinstance(module, types.ModuleType) else None


def _functions(module: types.ModuleType) -> Iterator[types.FunctionType]:
    """Every function object reachable from the module's namespace and its classes, unwrapped."""
    seen: set[int] = set()
    stack: list[Any] = list(vars(module).values())
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, types.FunctionType):
            yield obj
        if isinstance(obj, type) and obj.__module__ == module.__name__:
            stack.extend(vars(obj).values())
        for name in ("__wrapped__", "__func__", "fget", "fset", "fdel"):
            inner = getattr(obj, name, None) if not isinstance(obj, types.ModuleType) else None
            if inner is not None:
                stack.append(inner)


def _snapshot(module: types.ModuleType | None) -> list[tuple[Any, Any]]:
    """Module- and class-level containers as they were after import, to restore before each mutant."""
    if module is None:
        return []
    saved = []
    owners: list[Any] = [module, *(v for v in vars(module).values() if isinstance(v, type))]
    for owner in owners:
        for value in list(vars(owner).values()):
            if isinstance(value, _CONTAINERS):
                try:
                    saved.append((value, copy.deepcopy(value)))
                except Exception:  # an uncopyable value is simply not restored
                    continue
    return saved


def _restore(state: _Session, module: types.ModuleType) -> None:
    for live, saved in state.snapshot or []:
        try:
            fresh = copy.deepcopy(saved)
            if isinstance(live, dict):
                live.clear()
                live.update(fresh)
            elif isinstance(live, list | bytearray):
                live[:] = fresh
            else:
                live.clear()
                live.update(fresh)
        except Exception:  # best effort
            continue
    for value in list(vars(module).values()):
        clear = getattr(value, "cache_clear", None)
        if callable(clear):
            clear()


def _code_index(code: types.CodeType) -> Iterator[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_index(const)


def _unit_code(compiled: types.CodeType, unit: str, first_line: int) -> types.CodeType | None:
    for code in _code_index(compiled):
        if code.co_qualname == unit and code.co_firstlineno == first_line:
            return code
    return None


def _on_alarm(signum: int, frame: types.FrameType | None) -> None:
    if _STATE is not None and _STATE.armed:
        raise MutantTimeout


def _run_mutants(session: pytest.Session, state: _Session) -> None:
    module = _module(state)
    if module is None:
        return
    functions = list(_functions(module))
    unit_codes: dict[tuple[str, int], set[tuple[str, int]]] = {}
    owners: dict[tuple[str, int], list[types.FunctionType]] = {}
    for function in functions:
        code = function.__code__
        if code.co_filename != state.module_file:
            continue
        key = (code.co_qualname, code.co_firstlineno)
        owners.setdefault(key, []).append(function)
        unit_codes[key] = {(c.co_qualname, c.co_firstlineno) for c in _code_index(code)}
    reaches: dict[tuple[str, int], list[pytest.Item]] = {}
    for key, wanted in unit_codes.items():
        reaches[key] = [i for i in session.items if state.reached.get(i.nodeid, set()) & wanted]
    factor = float(state.spec.get("factor", 10.0))
    margin = float(state.spec.get("margin", 0.2))
    deadline = time.perf_counter() + float(state.spec.get("budget", 60.0))
    signal.signal(signal.SIGALRM, _on_alarm)
    for mutant in state.spec["mutants"]:
        key = (mutant["unit"], int(mutant["first_line"]))
        record: dict[str, Any] = {"kind": "mutant", "id": mutant["id"]}
        if time.perf_counter() > deadline:
            state.write({**record, "status": "not_run"})
            continue
        if key not in owners:
            state.write({**record, "status": "unpatchable"})
            continue
        items = reaches[key]
        if not items:
            state.write({**record, "status": "survived", "tests": 0})
            continue
        try:
            new_code = _unit_code(compile(mutant["source"], state.module_file, "exec"), *key)
        except (SyntaxError, ValueError):
            new_code = None
        if new_code is None:
            state.write({**record, "status": "unpatchable"})
            continue
        limit = factor * sum(state.seconds[i.nodeid] for i in items) + margin
        started = time.perf_counter()
        status, killer = _try_mutant(state, module, owners[key], new_code, items, limit)
        state.write(
            {
                **record,
                "status": status,
                "test": killer,
                "tests": len(items),
                "seconds": time.perf_counter() - started,
            }
        )


def _try_mutant(
    state: _Session,
    module: types.ModuleType,
    functions: list[types.FunctionType],
    new_code: types.CodeType,
    items: list[pytest.Item],
    limit: float,
) -> tuple[str, str | None]:
    originals = [f.__code__ for f in functions]
    _restore(state, module)
    current: pytest.Item | None = None
    try:
        for function in functions:
            function.__code__ = new_code
        state.armed = True
        signal.setitimer(signal.ITIMER_REAL, limit, 0.05)  # keeps firing until disarmed
        for current in items:
            reports = runtestprotocol(current, log=False, nextitem=None)
            if any(r.failed for r in reports):
                timed_out = any("MutantTimeout" in str(r.longrepr) for r in reports if r.failed)
                return ("timeout" if timed_out else "killed"), current.nodeid
        return "survived", None
    except MutantTimeout:
        return "timeout", current.nodeid if current is not None else None
    finally:
        state.armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        for function, code in zip(functions, originals, strict=True):
            function.__code__ = code
        try:
            session_state = items[0].session._setupstate
            session_state.teardown_exact(None)
        except BaseException:  # a fixture broken by a mutant must not stop the rest
            pass
