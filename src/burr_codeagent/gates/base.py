"""What a gate is and what it is given: the :class:`Gate` protocol and the :class:`GateContext`."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..models import Finding, Severity, Target, TestOutcome
from ..plugin_settings import Setting, resolve_settings, validate_setting_declarations

if TYPE_CHECKING:
    from ..config import AgentConfig

__all__ = [
    "Gate",
    "GateBase",
    "GateContext",
    "GateSkipped",
    "GateTraits",
    "Target",
    "finding",
    "gate_options",
    "validate_gate",
]


class GateSkipped(Exception):  # noqa: N818 - it is a signal, not an error
    """Raise from :meth:`Gate.check` when the gate does not apply; the report shows the gate as ``skipped``."""


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


@dataclass(frozen=True)
class GateTraits:
    """The optional attributes of one gate, read once and checked (see :class:`GateBase`)."""

    enabled_by_default: bool = True
    needs_tests: bool = False
    after: tuple[str, ...] = ()
    waits_on_subprocess: bool = False
    supersedes: tuple[str, ...] = ()
    settings: tuple[Setting, ...] = ()

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
    settings = GateTraits.of(gate).settings
    if not settings:
        return given
    return resolve_settings(settings, given, where=f"gates.options.{gate.name}")


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
    selected_gates: frozenset[str] = frozenset()
    """Names of the gates this check runs."""
    # Results other gates publish for later ones (the execution gate's TestOutcome, coverage data ...).
    shared: dict[str, Any] = field(default_factory=dict, compare=False)

    def source(self, target: Target) -> str:
        """The text of the code or of the tests."""
        return self.code if target == "code" else (self.test_code or "")

    def tree(self, target: Target) -> ast.Module | None:
        """The parsed tree of the code or of the tests (None when it does not parse)."""
        return self.code_tree if target == "code" else self.test_tree

    def with_options(self, options: Mapping[str, Any]) -> GateContext:
        """A copy carrying one gate's options (sharing the trees and ``shared``)."""
        return dataclasses.replace(self, options=options)

    @property
    def test_outcome(self) -> TestOutcome | None:
        """The execution gate's outcome, once it has run."""
        outcome = self.shared.get("test_outcome")
        return outcome if isinstance(outcome, TestOutcome) else None


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
