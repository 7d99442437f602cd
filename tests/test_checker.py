"""The checker: verdict, severity policy, rule filters, caching, skipped gates."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from burr_codeagent import AgentConfig, Finding, Severity, check, hookimpl
from burr_codeagent.checker import Checker
from burr_codeagent.gates import Gate, GateContext
from burr_codeagent.plugins import PluginManager, default_manager

from .conftest import GOOD_CODE


class Warner:
    """Emits ``count`` warnings, some of them formatter-fixable."""

    name = "warner"
    description = "test gate"
    rules = {"warner.plain": "", "warner.fixable": ""}
    calls = 0

    def __init__(self, plain: int, fixable: int) -> None:
        self.plain, self.fixable = plain, fixable

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        Warner.calls += 1
        for i in range(self.plain):
            yield Finding(
                gate=self.name, rule="warner.plain", severity=Severity.WARNING, message=f"w{i}", line=i + 1
            )
        for i in range(self.fixable):
            yield Finding(
                gate=self.name,
                rule="warner.fixable",
                severity=Severity.WARNING,
                message="ws",
                line=i + 1,
                fixable=True,
            )


def plugin(gate: object) -> object:
    class P:
        @hookimpl
        def register_gates(self, register: Callable[[Gate], None]) -> None:
            register(gate)  # type: ignore[arg-type]

    return P()


def only(*gates: str, **changes: object) -> AgentConfig:
    return AgentConfig(tracking=False, gates={"enable": list(gates)}, **changes)  # type: ignore[arg-type]


def plugin_gates_only(**gate_settings: object) -> AgentConfig:
    """Built-in gates off, so only the per-test plugin gate runs (per-agent gates are on by default)."""
    builtins = sorted(default_manager().gate_names())
    return AgentConfig(tracking=False, gates={"disable": builtins, **gate_settings})  # type: ignore[arg-type]


def test_verdict_is_critical_or_warnings_over_threshold() -> None:
    manager = PluginManager([plugin(Warner(5, 0))], load_entry_points=False)
    config = plugin_gates_only()
    assert Checker(config, manager).check(GOOD_CODE).passed
    manager = PluginManager([plugin(Warner(6, 0))], load_entry_points=False)
    report = Checker(config, manager).check(GOOD_CODE)
    assert not report.passed and report.warning_count == 6


def test_formatter_fixable_warnings_count_once_per_rule() -> None:
    manager = PluginManager([plugin(Warner(2, 30))], load_entry_points=False)
    report = Checker(plugin_gates_only(), manager).check(GOOD_CODE + "\n")
    assert report.warning_count == 3  # 2 plain + 1 for the fixable rule
    assert report.passed
    assert len(report.findings) == 32  # every finding is still listed


def test_rules_can_be_disabled_and_their_severity_changed() -> None:
    manager = PluginManager([plugin(Warner(6, 0))], load_entry_points=False)
    muted = plugin_gates_only(disable_rules=["warner.*"])
    assert Checker(muted, manager).check(GOOD_CODE).findings == []
    softened = plugin_gates_only(severity={"warner.plain": "info"})
    report = Checker(softened, manager).check(GOOD_CODE)
    assert report.passed and report.info_count == 6 and report.warning_count == 0


def test_identical_input_is_served_from_the_cache() -> None:
    gate = Warner(1, 0)
    manager = PluginManager([plugin(gate)], load_entry_points=False)
    config = plugin_gates_only()
    code = GOOD_CODE + "\n# cache probe\n"
    Warner.calls = 0
    first = Checker(config, manager).check(code)
    second = Checker(config, manager).check(code)
    assert Warner.calls == 1 and first == second
    Checker(config.model_copy(update={"warning_threshold": 0}), manager).check(code)
    assert Warner.calls == 2  # a different configuration is a different key


def test_syntax_errors_carry_their_position() -> None:
    report = check("def f(x:\n    return x\n", config=only("syntax"))
    (finding,) = report.findings
    assert finding.rule == "syntax.error" and finding.severity is Severity.CRITICAL
    assert finding.line == 1 and finding.column is not None
    assert not report.passed


def test_test_code_errors_target_the_tests() -> None:
    report = check(GOOD_CODE, "def test_x(:\n", config=only("syntax"))
    assert [(f.rule, f.target) for f in report.findings] == [("syntax.error", "tests")]


def test_a_comment_mentioning_bad_things_is_not_a_syntax_problem() -> None:
    report = check('"""Doc."""\n# eval( input( exec(\nx = "input("\n', config=only("syntax"))
    assert report.findings == [] and report.passed


def test_gates_needing_tests_are_skipped_without_them() -> None:
    class NeedsTests:
        name = "needs"
        description = ""
        rules: dict[str, str] = {}
        needs_tests = True

        def check(self, ctx: GateContext) -> Iterator[Finding]:
            raise AssertionError("must not run")

    manager = PluginManager([plugin(NeedsTests())], load_entry_points=False)
    report = Checker(plugin_gates_only(), manager).check(GOOD_CODE)
    assert [(g.name, g.status) for g in report.gates] == [("needs", "skipped")]


class OwnCrashRule:
    """A gate whose own, ordinary rule happens to end in ``.crashed`` (like ``execution.crashed``)."""

    name = "runner"
    description = "test gate"
    rules = {"runner.crashed": "The child process crashed."}

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        yield Finding(gate="runner", rule="runner.crashed", severity=Severity.CRITICAL, message="segfault")


class Raiser:
    name = "raiser"
    description = "test gate"
    rules: dict[str, str] = {}

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        raise RuntimeError("bug in the gate")


def test_severity_overrides_apply_to_a_gates_own_crashed_rule_but_not_to_a_crash() -> None:
    config = plugin_gates_only(severity={"runner.*": "info", "raiser.*": "info"})
    report = check(GOOD_CODE, config=config, plugins=[plugin(OwnCrashRule()), plugin(Raiser())])
    severities = {f.rule: f.severity for f in report.findings}
    assert severities["runner.crashed"] is Severity.INFO  # the user's override wins over the gate's own rule
    assert severities["raiser.crashed"] is Severity.CRITICAL  # the checker's crash finding stays critical
    assert {g.name: g.status for g in report.gates} == {"runner": "ok", "raiser": "error"}


class LineLengthOwner:
    """Declares that it reports long lines itself, so style's E501 is dropped while it runs."""

    name = "long_lines"
    description = "test gate"
    rules = {"long_lines.found": "A line is too long."}
    supersedes = ("style.E501",)

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        yield Finding(
            gate="long_lines", rule="long_lines.found", severity=Severity.INFO, message="long", line=1
        )


def test_a_gate_may_supersede_another_gates_rules() -> None:
    code = f'"""Doc."""\n\nVALUE = "{"x" * 120}"\n'
    alone = check(code, config=only("style"))
    assert "style.E501" in {f.rule for f in alone.findings}
    both = check(code, config=only("style", "long_lines"), plugins=[plugin(LineLengthOwner())])
    assert {f.rule for f in both.findings} == {"long_lines.found"}


def test_style_reports_naming_when_the_naming_gate_is_not_selected() -> None:
    code = '"""Doc."""\n\n\ndef camelCase() -> None:\n    """Doc."""\n'
    assert "style.N802" in {f.rule for f in check(code, config=only("style")).findings}
    with_naming = check(code, config=only("style", "naming"))
    assert {f.rule for f in with_naming.findings} == {"naming.function"}
