"""What a gate is and what it is given: the :class:`Gate` protocol and the :class:`GateContext`."""

from __future__ import annotations

import ast
import dataclasses
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..errors import ConfigurationError
from ..models import Finding, Severity, Target, TestOutcome
from ..module_under_test import ModuleUnderTest
from ..plugin_settings import Setting, resolve_settings, validate_setting_declarations
from ._shared import NodeIndex, Tokens, index_nodes, tokens_of
from ._source_lines import Piece, scan

if TYPE_CHECKING:
    from ..config import AgentConfig
    from ..sandbox import PytestResult, RunExtension

__all__ = [
    "DEFAULT_TIME_BUDGET",
    "TEST_RUN",
    "ExtendsTestRun",
    "Gate",
    "GateBase",
    "GateContext",
    "GateSkipped",
    "GateTraits",
    "GateUnavailable",
    "Target",
    "finding",
    "gate_options",
    "validate_gate",
]


class GateSkipped(Exception):  # noqa: N818 - it is a signal, not an error
    """Raise from :meth:`Gate.check` when the gate does not apply; the report shows the gate as ``skipped``."""


class GateUnavailable(Exception):  # noqa: N818 - it is a signal about the gate, not about the code
    """Raise from :meth:`Gate.check` when the gate's own machinery failed (the sandbox could not start, a tool is
    missing). The checker retries the gate once; if it fails again the report shows the gate as ``error`` with an
    info finding ``<gate>.unavailable`` -- never a critical finding that blames the code. An ``OSError`` escaping a
    gate (``EAGAIN`` from ``fork``, a missing binary) is treated the same way."""


@runtime_checkable
class Gate(Protocol):
    """A quality gate. Register instances through the ``register_gates`` hook.

    A gate may also declare the optional attributes of :class:`GateBase` (subclass it to get their defaults);
    they are validated when the gate is registered, so a wrong type is an error instead of a silent default.
    """

    name: str
    description: str

    @property
    def rules(self) -> Mapping[str, str]:
        """Rule id -> one-line description, for reports and SARIF."""
        ...

    def check(self, ctx: GateContext) -> Iterable[Finding]:
        """Inspect ``ctx`` and yield findings. Raising :class:`GateSkipped` marks the gate skipped."""
        ...


class GateBase:
    """Optional base class of a gate: the optional attributes with their defaults.

    Attributes:
        enabled_by_default: Runs unless configuration selects gates explicitly (``gates.enable``).
        needs_tests: Skipped when there is no test code.
        after: Names of gates that must finish first (a tuple: the checker runs gates in waves).
        waits_on_subprocess: Mostly waits on another process (ruff, the sandboxed pytest run), so it runs in a
            thread alongside the others; in-process gates run one after another (threads would only fight over
            the GIL).
        supersedes: Rule ids or ``prefix*`` patterns of other gates that this gate reports better. While this
            gate is selected the checker drops those findings, so a user sees each problem once (``naming``
            supersedes ruff's pep8-naming rules ``style.N*``).
        settings: The options the gate reads (:class:`~burr_codeagent.plugin_settings.Setting`), from
            ``gates.options.<name>``: checked when the checker is built, defaults filled in, handed over as
            ``ctx.options``. A gate that declares none gets ``gates.options.<name>`` as written.
        time_budget: Seconds the gate may take before the checker stops it and reports it cut short (the
            option ``time_budget`` overrides it; None: no budget). Defaults to :data:`DEFAULT_TIME_BUDGET` for
            in-process gates and to None for gates that wait on a subprocess, which bound their own runs.

    A gate may also define ``prepare()``: one-time setup (loading a tool) that the checker runs before starting
    the gate's clock, so the first check is not cut short for it, and ``requirement(options)``: one line stating
    the bar the gate holds code to with those options (``"cyclomatic complexity at most 10 per function"``),
    which the first prompt lists so the model can meet the bar before failing it.
    """

    name: str
    description: str
    rules: Mapping[str, str] = {}
    enabled_by_default: bool = True
    needs_tests: bool = False
    after: tuple[str, ...] = ()
    waits_on_subprocess: bool = False
    supersedes: tuple[str, ...] = ()
    settings: tuple[Setting, ...] = ()

    def requirement(self, options: Mapping[str, Any]) -> str | None:
        """The bar this gate holds code to with ``options``, in one line for the first prompt; None: no line."""
        return None


DEFAULT_TIME_BUDGET = 1.0
"""Seconds an in-process gate may take by default: a 2,000-line module's static check stays under 2 s."""


@dataclass(frozen=True)
class GateTraits:
    """The optional attributes of one gate, read once and checked (see :class:`GateBase`)."""

    enabled_by_default: bool = True
    needs_tests: bool = False
    after: tuple[str, ...] = ()
    waits_on_subprocess: bool = False
    supersedes: tuple[str, ...] = ()
    settings: tuple[Setting, ...] = ()
    time_budget: float | None = None

    @classmethod
    def of(cls, gate: object) -> GateTraits:
        """The traits ``gate`` declares.

        Raises:
            TypeError: an attribute has the wrong type (``after = "execution"`` instead of ``("execution",)``).
        """
        name = getattr(gate, "name", repr(gate))
        values: dict[str, Any] = {}
        for attr in ("enabled_by_default", "needs_tests", "waits_on_subprocess"):
            value = getattr(gate, attr, getattr(cls, attr))
            if not isinstance(value, bool):
                raise TypeError(f"gate {name!r}: {attr} must be True or False, got {value!r}")
            values[attr] = value
        for attr in ("after", "supersedes"):
            value = getattr(gate, attr, ())
            if isinstance(value, str) or not isinstance(value, tuple | list | frozenset | set):
                raise TypeError(
                    f"gate {name!r}: {attr} must be a tuple of names, e.g. {attr} = ({value!r},), got {value!r}"
                )
            if not all(isinstance(item, str) and item for item in value):
                raise TypeError(f"gate {name!r}: {attr} must hold non-empty strings, got {value!r}")
            values[attr] = tuple(value)
        values["settings"] = validate_setting_declarations(f"gate {name!r}", getattr(gate, "settings", ()))
        default = None if values["waits_on_subprocess"] else DEFAULT_TIME_BUDGET
        budget = getattr(gate, "time_budget", default)
        if budget is not None and (
            isinstance(budget, bool) or not isinstance(budget, int | float) or budget <= 0
        ):
            raise TypeError(
                f"gate {name!r}: time_budget must be a positive number of seconds or None, got {budget!r}"
            )
        values["time_budget"] = None if budget is None else float(budget)
        return cls(**values)


def validate_gate(gate: object) -> None:
    """Check that ``gate`` fulfils the :class:`Gate` contract (raises :class:`TypeError` saying what is wrong)."""
    name = getattr(gate, "name", None)
    if not isinstance(getattr(gate, "description", None), str):
        raise TypeError(f"gate {name!r} has no description (a str)")
    rules = getattr(gate, "rules", None)
    if not isinstance(rules, Mapping):
        raise TypeError(f"gate {name!r}: rules must be a mapping of rule id to description, got {rules!r}")
    if not callable(getattr(gate, "check", None)):
        raise TypeError(f"gate {name!r} has no check(ctx) method")
    GateTraits.of(gate)


def gate_options(gate: Gate, config: AgentConfig) -> dict[str, Any]:
    """The options ``gate`` runs with: its declared settings resolved from ``gates.options.<name>`` (defaults
    filled in), or the mapping as written when it declares none.

    Raises:
        ConfigurationError: an unknown option or a value of the wrong type, for a gate that declares settings.
    """
    given = config.gate_options(gate.name)
    given.pop("time_budget", None)  # the checker's option, valid for every gate (see gate_time_budget)
    settings = GateTraits.of(gate).settings
    if not settings:
        return given
    return resolve_settings(settings, given, where=f"gates.options.{gate.name}")


def gate_time_budget(gate: Gate, config: AgentConfig) -> float | None:
    """Seconds ``gate`` may run: ``gates.options.<name>.time_budget``, else its declared ``time_budget``.

    Raises:
        ConfigurationError: the option is not a positive number (or null for no budget).
    """
    given = config.gate_options(gate.name)
    if "time_budget" not in given:
        return GateTraits.of(gate).time_budget
    value = given["time_budget"]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigurationError(
            f"gates.options.{gate.name}.time_budget must be a positive number of seconds, got {value!r}"
        )
    return float(value)


TEST_RUN = "test_run"
"""``GateContext.shared`` key of the sandboxed run of the generated tests (see :attr:`GateContext.test_run`)."""


@runtime_checkable
class ExtendsTestRun(Protocol):
    """Optional capability of a gate: it measures something inside the one sandboxed run of the generated tests.

    Before any gate runs, the checker asks each selected gate that has :meth:`extend_test_run` for a
    :class:`~burr_codeagent.sandbox.RunExtension` (pytest ``-p`` plugins, files, environment, files to read back)
    and passes them all in ``ctx.test_run_extensions``; the gate that runs the tests (``execution``) adds them to
    its single pytest session and publishes the result as :attr:`GateContext.test_run`. The extending gate runs
    ``after`` that gate and reads what its plugin wrote from ``ctx.test_run.files``; when no such run happened
    (``execution`` is not selected) it may make its own run with the same extension. ``coverage`` works this way.
    """

    def extend_test_run(self, ctx: GateContext) -> RunExtension | None:
        """What to add to the test run for this gate, or None to add nothing (``ctx`` carries its options)."""
        ...


@dataclass(frozen=True)
class GateContext:
    """Everything a gate may look at. Syntax trees are parsed once and shared by all gates."""

    code: str
    test_code: str | None
    config: AgentConfig
    function_name: str | None = None
    dependencies: tuple[str, ...] = ()
    code_tree: ast.Module | None = None
    test_tree: ast.Module | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    acceptance_tests: str | None = None
    task: str | None = None
    """The task the code was written for, in the user's words (None when unknown, as for a plain check)."""
    selected_gates: frozenset[str] = frozenset()
    """Names of the gates this check runs."""
    # True when checking a user's own code (``codeagent check``); the agent loop turns it off for model output.
    honour_nosec: bool = True
    module: ModuleUnderTest = field(default_factory=ModuleUnderTest)
    """The name the tests import the code by and, for a module in a project, the project (see
    :mod:`burr_codeagent.module_under_test`). ``test_code`` imports it as ``solution`` either way."""
    tests_as_written: str | None = None
    """The tests as given, importing the module by its own name (``test_code`` has those imports aliased to
    ``solution``, line for line); the sandboxed run of a module in a project uses these."""
    test_run_extensions: tuple[RunExtension, ...] = ()
    """What the selected gates add to the sandboxed run of the generated tests (see :class:`ExtendsTestRun`)."""
    # Results other gates publish for later ones (the execution gate's TestOutcome, coverage data ...).
    shared: dict[str, Any] = field(default_factory=dict, compare=False)
    deadline: float | None = None
    """``time.perf_counter()`` value by which the gate should stop (its time budget); None: no budget."""
    cut_reasons: list[str] = field(default_factory=list, compare=False)
    """What the gate skipped because its budget ran out (see :meth:`cut_short`)."""

    def source(self, target: Target) -> str:
        """The text of the code or of the tests."""
        return self.code if target == "code" else (self.test_code or "")

    def tree(self, target: Target) -> ast.Module | None:
        """The parsed tree of the code or of the tests (None when it does not parse)."""
        return self.code_tree if target == "code" else self.test_tree

    def with_options(self, options: Mapping[str, Any]) -> GateContext:
        """A copy carrying one gate's options (sharing the trees and ``shared``)."""
        return dataclasses.replace(self, options=options, cut_reasons=[])

    def for_gate(self, options: Mapping[str, Any], budget: float | None) -> GateContext:
        """A copy for one gate run: its options and a deadline ``budget`` seconds from now (None: unbounded)."""
        deadline = None if budget is None else time.perf_counter() + budget
        return dataclasses.replace(self, options=options, deadline=deadline, cut_reasons=[])

    def out_of_time(self) -> bool:
        """Whether the gate's time budget is spent; a long gate asks between its steps and stops early."""
        return self.deadline is not None and time.perf_counter() > self.deadline

    def cut_short(self, skipped: str) -> None:
        """Record that the budget ran out and what was not measured (``"bandit's scan"``)."""
        self.cut_reasons.append(skipped)

    def nodes_by_type(self, target: Target = "code") -> Mapping[type[ast.AST], list[ast.AST]]:
        """Every node of the code's (or the tests') tree grouped by type, each group in :func:`ast.walk` order;
        built once per check for all gates."""
        return self.node_index(target).by_type

    def node_index(self, target: Target = "code") -> NodeIndex:
        """The shared index of the tree's nodes (:meth:`nodes_by_type`, and :meth:`NodeIndex.of` for several types
        in walk order)."""
        key = f"node_index:{target}"
        index = self.shared.get(key)
        if index is None:
            index = self.shared[key] = index_nodes(self.tree(target))
        return index

    def source_scan(self, target: Target = "code") -> list[Piece]:
        """The strings, comments and line continuations of the code or the tests (:func:`._source_lines.scan`),
        found once per check for the gates that read them (the line counts, long lines' strings and comments)."""
        key = f"source_scan:{target}"
        found = self.shared.get(key)
        if found is None:
            found = self.shared[key] = scan(self.source(target))
        return found

    def tokens(self, target: Target = "code") -> Tokens:
        """The tokens of the code or the tests, from one tokenize pass per check shared by all gates."""
        key = f"tokens:{target}"
        found = self.shared.get(key)
        if found is None:
            found = self.shared[key] = tokens_of(self.source(target))
        return found

    def suppress(self, silenced: Finding) -> None:
        """Record a finding that a ``# nosec`` comment silenced; the report lists it under ``suppressed``."""
        self.shared.setdefault("suppressed", []).append(silenced)

    @property
    def test_outcome(self) -> TestOutcome | None:
        """The execution gate's outcome, once it has run."""
        outcome = self.shared.get("test_outcome")
        return outcome if isinstance(outcome, TestOutcome) else None

    @property
    def test_run(self) -> PytestResult | None:
        """The sandboxed run of the generated tests with every extension, once the gate that runs them has run."""
        from ..sandbox import PytestResult

        run = self.shared.get(TEST_RUN)
        return run if isinstance(run, PytestResult) else None


def finding(
    gate: str,
    rule: str,
    severity: Severity,
    message: str,
    node: ast.AST | None = None,
    *,
    target: Target = "code",
    suggestion: str | None = None,
    fixable: bool = False,
) -> Finding:
    """Build a finding whose span is taken from an ``ast`` node (1-based columns, as editors and SARIF count)."""
    line = getattr(node, "lineno", None)
    col = getattr(node, "col_offset", None)
    end_line = getattr(node, "end_lineno", None)
    end_col = getattr(node, "end_col_offset", None)
    return Finding(
        gate=gate,
        rule=rule,
        severity=severity,
        message=message,
        line=line,
        column=col + 1 if col is not None else None,
        end_line=end_line,
        end_column=end_col + 1 if end_col is not None else None,
        target=target,
        suggestion=suggestion,
        fixable=fixable,
    )
