"""The checker: runs the enabled gates (concurrently, in dependency waves) into a :class:`CheckReport`."""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import logging
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import TYPE_CHECKING

from .config import AgentConfig
from .errors import ConfigurationError
from .events import AgentEvent, Listener, emit
from .gates._gc_pause import with_collection_paused
from .gates._warnings import caught_warnings
from .gates.base import (
    ExtendsTestRun,
    Gate,
    GateContext,
    GateSkipped,
    GateTraits,
    GateUnavailable,
    gate_options,
    gate_time_budget,
)
from .models import CheckReport, Finding, GateRun, Severity, TestOutcome
from .module_under_test import SOLUTION, ModuleUnderTest
from .plugins import PluginManager, default_manager, manager_for

if TYPE_CHECKING:
    from .sandbox import RunExtension

__all__ = ["Checker", "check"]

log = logging.getLogger(__name__)

_SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _parse(source: str | None) -> ast.Module | None:
    if source is None:
        return None
    try:
        with caught_warnings():
            # The parser warns about invalid escape sequences (DeprecationWarning; SyntaxWarning from Python 3.12) on
            # stderr; ruff's W605 reports them as findings of the style gate, so they stay off the user's terminal.
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def _matches(rule: str, patterns: Iterable[str]) -> str | None:
    """The most specific pattern (exact id, or a prefix ending in ``*``) that matches ``rule``."""
    best: str | None = None
    for pattern in patterns:
        if pattern == rule:
            return pattern
        if (
            pattern.endswith("*")
            and rule.startswith(pattern[:-1])
            and (best is None or len(pattern) > len(best))
        ):
            best = pattern
    return best


class Checker:
    """Runs gates over code and tests. One checker can check many attempts.

    Args:
        config: Settings; default ``AgentConfig()``.
        manager: The plugins whose gates run; default :func:`~burr_codeagent.plugins.default_manager` (the
            built-ins and the installed plugins).
        listeners: Callables that receive an :class:`~burr_codeagent.events.AgentEvent` per gate.

    Raises:
        ConfigurationError: ``gates.enable`` or ``gates.disable`` names a gate ``manager`` does not have.
    """

    def __init__(
        self,
        config: AgentConfig | None = None,
        manager: PluginManager | None = None,
        listeners: Sequence[Listener] = (),
        *,
        honour_nosec: bool = True,
    ) -> None:
        self.config = config or AgentConfig()
        # `# nosec` comments count on a user's own code; the agent turns this off for the model's code.
        self.honour_nosec = honour_nosec
        self.manager = manager if manager is not None else default_manager()
        self.manager.validate(self.config, backend=False, formats=False)
        self.listeners = list(listeners)

    def selected_gates(self) -> list[Gate]:
        """The gates this configuration runs, in registration order."""
        settings = self.config.gates
        chosen = []
        for name, registered in self.manager.gates().items():
            gate = registered.item
            if settings.enable is not None:
                wanted = name in settings.enable
            else:
                wanted = GateTraits.of(gate).enabled_by_default
            if wanted and name not in settings.disable:
                chosen.append(gate)
        return chosen

    def requirements(self) -> list[str]:
        """What the selected gates hold code to, one line each (from each gate's ``requirement(options)``).

        The first prompt lists them so a model can meet the bar before failing it; a gate whose options are
        wrong states nothing here (checking it reports the error).
        """
        lines = []
        for gate in self.selected_gates():
            state = getattr(gate, "requirement", None)
            if not callable(state):
                continue
            try:
                line = state(gate_options(gate, self.config))
            except (ConfigurationError, ValueError, TypeError):
                continue
            if isinstance(line, str) and line.strip():
                lines.append(line.strip())
        return lines

    def _cache_key(self, ctx: GateContext, gates: list[Gate]) -> str:
        payload = json.dumps(
            [
                ctx.code,
                ctx.test_code,
                ctx.function_name,
                list(ctx.dependencies),
                ctx.acceptance_tests,
                ctx.task,
                self.config.model_dump(mode="json", exclude={"api_key"}),
                [g.name for g in gates],
                ctx.honour_nosec,
                [ctx.module.name, str(ctx.module.import_root), str(ctx.module.project_root)],
                ctx.tests_as_written,
            ],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    @with_collection_paused  # see gates/_gc_pause.py: a fifth of a large module's check was garbage collection
    def check(
        self,
        code: str,
        test_code: str | None = None,
        *,
        function_name: str | None = None,
        dependencies: Sequence[str] = (),
        acceptance_tests: str | None = None,
        attempt: int | None = None,
        task: str | None = None,
        module: ModuleUnderTest | None = None,
    ) -> CheckReport:
        """Run every selected gate and return the report. Identical input is served from a cache.

        ``task`` is the task text the code answers; names it imposes are exempt from the naming rules.
        ``module`` is the name the tests import the code by (default ``solution``) and, for a module in a project,
        where the project is (:meth:`ModuleUnderTest.of_file`): the static gates see the tests' imports of it as
        imports of ``solution``; the sandboxed run imports it under its own name with the project on ``sys.path``.
        """
        start = time.perf_counter()
        module = module or ModuleUnderTest()
        ctx = GateContext(
            code=code,
            test_code=_aliased(test_code, module),
            module=module,
            tests_as_written=test_code,
            config=self.config,
            function_name=function_name,
            dependencies=tuple(dependencies),
            acceptance_tests=acceptance_tests,
            task=task,
            honour_nosec=self.honour_nosec,
        )
        gates = self.selected_gates()
        ctx = dataclasses.replace(ctx, selected_gates=frozenset(g.name for g in gates))
        key = self._cache_key(ctx, gates)
        cache = self.manager.report_cache
        cached = cache.get(key)
        if cached is not None:
            emit(self.listeners, AgentEvent("check_finished", attempt, {"report": cached, "cached": True}))
            return cached
        # Parsed only on a cache miss, once, and shared by every gate.
        ctx = dataclasses.replace(ctx, code_tree=_parse(code), test_tree=_parse(ctx.test_code))
        ctx = dataclasses.replace(ctx, test_run_extensions=self._test_run_extensions(gates, ctx))

        emit(self.listeners, AgentEvent("check_started", attempt, {"gates": [g.name for g in gates]}))
        runs: dict[str, GateRun] = {}
        findings: list[Finding] = []
        superseded = _superseded_rules(gates)
        for wave in _waves(gates):
            for run, found in self._run_wave(wave, ctx):
                runs[run.name] = run
                found = self._apply_policy(found, run, superseded)
                findings.extend(found)
                emit(self.listeners, AgentEvent("gate_finished", attempt, {"gate": run, "findings": found}))
        findings.sort(
            key=lambda f: (_SEVERITY_ORDER[f.severity], f.target, f.line or 0, f.column or 0, f.rule)
        )
        outcome = ctx.shared.get("test_outcome")
        report = CheckReport.from_findings(
            findings,
            gates=[runs[g.name] for g in gates],
            tests=outcome if isinstance(outcome, TestOutcome) else None,
            seconds=round(time.perf_counter() - start, 4),
            warning_threshold=self.config.warning_threshold,
            suppressed=list(ctx.shared.get("suppressed", [])),
        )
        if not report.unverified:  # a gate that could not run may run next time: check again, do not remember
            cache.put(key, report)
        emit(self.listeners, AgentEvent("check_finished", attempt, {"report": report, "cached": False}))
        return report

    def _test_run_extensions(self, gates: list[Gate], ctx: GateContext) -> tuple[RunExtension, ...]:
        """What the selected gates add to the sandboxed run of the generated tests (:class:`ExtendsTestRun`)."""
        extensions = []
        for gate in gates:
            if not isinstance(gate, ExtendsTestRun):
                continue
            try:
                extension = gate.extend_test_run(ctx.with_options(gate_options(gate, self.config)))
            except Exception:  # the gate then finds no measurement in the run and reports the error itself
                log.warning("gate %s could not extend the test run", gate.name, exc_info=True)
                continue
            if extension is not None:
                extensions.append(extension)
        return tuple(extensions)

    def _run_wave(self, wave: list[Gate], ctx: GateContext) -> Iterator[tuple[GateRun, list[Finding]]]:
        """Gates that wait on a subprocess run in threads while the others run here, one after another.

        In-process gates are pure Python: threads would only fight over the GIL (measured slower than running them
        in turn), while a gate waiting on ruff or pytest leaves the interpreter free.
        """
        waiting = [g for g in wave if GateTraits.of(g).waits_on_subprocess]
        if not waiting:
            for gate in wave:
                yield self._run_gate(gate, ctx)
            return
        with ThreadPoolExecutor(max_workers=len(waiting)) as pool:
            futures = [pool.submit(self._run_gate, gate, ctx) for gate in waiting]
            for gate in wave:
                if gate not in waiting:
                    yield self._run_gate(gate, ctx)
            for future in as_completed(futures):
                yield future.result()

    def _run_gate(self, gate: Gate, ctx: GateContext) -> tuple[GateRun, list[Finding]]:
        start = time.perf_counter()
        traits = GateTraits.of(gate)
        if traits.needs_tests and not ctx.test_code:
            return GateRun(name=gate.name, status="skipped", error="no test code"), []
        for attempt in (1, 2):
            try:
                return self._run_gate_once(gate, ctx, traits, start)
            except (GateUnavailable, OSError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
                if attempt == 1:
                    continue  # a fork that hit EAGAIN under load usually works a moment later
        elapsed = round(time.perf_counter() - start, 4)
        note = Finding(
            gate=gate.name,
            rule=f"{gate.name}.unavailable",
            severity=Severity.INFO,
            message=f"The {gate.name} gate could not run (tried twice): {problem}. This says nothing about the code: "
            "the check is unverified, neither passed nor failed.",
            suggestion="Check the machine (process limits, free memory, load, installed tools) and run the check again.",
        )
        run = GateRun(
            name=gate.name, status="error", seconds=elapsed, error=f"unavailable: {problem}", unavailable=True
        )
        return run, [note]

    def _run_gate_once(
        self, gate: Gate, ctx: GateContext, traits: GateTraits, start: float
    ) -> tuple[GateRun, list[Finding]]:
        """One run of ``gate``; raises :class:`GateUnavailable` / ``OSError`` for the caller to retry."""
        found: list[Finding] = []
        budget: float | None = None
        gate_ctx = ctx
        try:
            budget = gate_time_budget(gate, self.config)
            prepare = getattr(gate, "prepare", None)
            if callable(prepare):
                prepare()  # one-time setup (loading a tool) is not charged to the budget
            gate_ctx = ctx.for_gate(gate_options(gate, self.config), budget)
            for item in gate.check(gate_ctx):
                found.append(item)
                if gate_ctx.out_of_time():
                    gate_ctx.cut_short("the rest of its findings")
                    break
        except GateSkipped as skip:
            return GateRun(
                name=gate.name, status="skipped", seconds=time.perf_counter() - start, error=str(skip)
            ), []
        except (GateUnavailable, OSError):
            raise
        except Exception as exc:  # a broken gate must never take the checker down
            message = f"{type(exc).__name__}: {exc}"
            crashed = Finding(
                gate=gate.name,
                rule=_crash_rule(gate.name),
                severity=Severity.CRITICAL,
                message=f"The {gate.name} gate crashed: {message}",
                suggestion="This is a bug in the gate, not necessarily in the code; see the gate's error.",
            )
            elapsed = time.perf_counter() - start
            return GateRun(name=gate.name, status="error", seconds=elapsed, error=message), [crashed]
        elapsed = round(time.perf_counter() - start, 4)
        if gate_ctx.cut_reasons:
            note = (
                f"cut short after {elapsed:.2f} s (time budget {budget:g} s): skipped "
                f"{', '.join(gate_ctx.cut_reasons)}; the findings so far are kept"
            )
            found.append(
                Finding(
                    gate=gate.name,
                    rule=f"{gate.name}.cut_short",
                    severity=Severity.INFO,
                    message=f"The {gate.name} gate was {note}.",
                    suggestion=f"Raise gates.options.{gate.name}.time_budget to measure everything.",
                )
            )
            return GateRun(name=gate.name, status="ok", seconds=elapsed, error=note, cut_short=True), found
        return GateRun(name=gate.name, status="ok", seconds=elapsed), found

    def _apply_policy(
        self, findings: list[Finding], run: GateRun, superseded: dict[str, set[str]]
    ) -> list[Finding]:
        """Drop disabled and superseded rules and apply severity overrides -- except to the checker's own
        crash finding (a gate that raised), which always stays critical."""
        settings = self.config.gates
        kept = []
        # What the policy says depends only on the rule and the gate: decided once for each (a large module has
        # hundreds of findings of a few rules).
        decided: dict[tuple[str, str], tuple[bool, Severity | None]] = {}
        for f in findings:
            if run.status == "error" and f.rule == _crash_rule(run.name):
                kept.append(f)
                continue
            verdict = decided.get((f.rule, f.gate))
            if verdict is None:
                dropped = any(
                    _matches(f.rule, [p]) and owners - {f.gate} for p, owners in superseded.items()
                ) or bool(_matches(f.rule, settings.disable_rules))
                override = None if dropped else _matches(f.rule, settings.severity)
                verdict = decided[(f.rule, f.gate)] = (
                    dropped,
                    settings.severity[override] if override is not None else None,
                )
            dropped, severity = verdict
            if dropped:
                continue
            if severity is not None:
                f = f.model_copy(update={"severity": severity})
            kept.append(f)
        return kept


def _aliased(test_code: str | None, module: ModuleUnderTest) -> str | None:
    """``test_code`` with its imports of ``module`` turned into imports of ``solution``, line for line."""
    if test_code is None or module.name == SOLUTION:
        return test_code
    from .integrations.module_alias import alias_module_imports  # libcst: only when a module has a name

    return alias_module_imports(test_code, module.name)


def _crash_rule(gate: str) -> str:
    return f"{gate}.crashed"


def _superseded_rules(gates: list[Gate]) -> dict[str, set[str]]:
    """Rule patterns other gates supersede -> the selected gates that supersede them."""
    found: dict[str, set[str]] = {}
    for gate in gates:
        for pattern in GateTraits.of(gate).supersedes:
            found.setdefault(pattern, set()).add(gate.name)
    return found


def _waves(gates: list[Gate]) -> list[list[Gate]]:
    """Group gates so each runs after the gates named in its optional ``after`` attribute."""
    names = {g.name for g in gates}
    done: set[str] = set()
    remaining = list(gates)
    waves: list[list[Gate]] = []
    while remaining:
        wave = [g for g in remaining if not (set(GateTraits.of(g).after) & names) - done]
        if not wave:  # a cycle: run the rest together rather than never
            wave = remaining
        waves.append(wave)
        done.update(g.name for g in wave)
        remaining = [g for g in remaining if g not in wave]
    return waves


def check(
    code: str,
    test_code: str | None = None,
    *,
    config: AgentConfig | None = None,
    plugins: Sequence[object] | None = None,
    function_name: str | None = None,
    dependencies: Sequence[str] = (),
    acceptance_tests: str | None = None,
    listeners: Sequence[Listener] = (),
    task: str | None = None,
    module: ModuleUnderTest | str | None = None,
) -> CheckReport:
    """Check ``code`` (and ``test_code``, importable as module ``solution``) with every enabled gate.

    Without ``test_code`` the ``tests`` and ``execution`` gates are reported as skipped. ``task`` is the task text
    the code answers: the names it imposes (``write minSubArraySum(nums)``) are exempt from the naming rules.
    ``module`` names the module the tests import instead of ``solution`` (``"mymod"``, or a
    :class:`ModuleUnderTest` for a module in a project: ``ModuleUnderTest.of_file(Path("src/pkg/mod.py"))``).
    """
    checker = Checker(config, manager_for(plugins), listeners)
    return checker.check(
        code,
        test_code,
        function_name=function_name,
        dependencies=dependencies,
        acceptance_tests=acceptance_tests,
        task=task,
        module=ModuleUnderTest(module) if isinstance(module, str) else module,
    )
