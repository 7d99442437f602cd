"""The plugin system: built-ins through the same hooks, per-agent plugins, entry points, CODEAGENT_PLUGINS."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from burr_codeagent import AgentConfig, CodeAgent, ConfigurationError, Finding, Severity, check, hookimpl
from burr_codeagent.backends import ScriptedBackend
from burr_codeagent.gates import Gate, GateContext
from burr_codeagent.plugin_settings import Setting
from burr_codeagent.plugins import PluginError, PluginManager, default_manager, register_plugin

from .conftest import make_response


class NoTodoGate:
    name = "no_todo"
    description = "Forbids TODO comments."
    rules = {"no_todo.found": "A TODO comment is left in the code."}

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        for number, line in enumerate(ctx.code.splitlines(), 1):
            if "TODO" in line:
                yield Finding(
                    gate=self.name,
                    rule="no_todo.found",
                    severity=Severity.CRITICAL,
                    message="TODO left in code",
                    line=number,
                )


class NoTodoPlugin:
    @hookimpl
    def register_gates(self, register: Callable[[Gate], None]) -> None:
        register(NoTodoGate())


def test_builtins_register_through_the_hooks() -> None:
    manager = PluginManager(load_entry_points=False)
    assert manager.gates()["syntax"].plugin == "builtin:syntax"
    assert {"markdown", "json"} <= manager.renderer_names()
    assert "bedrock" in manager.backend_names()


def test_per_agent_plugin_gate_drives_a_retry_without_touching_global_state(config: AgentConfig) -> None:
    todo = make_response(code=make_response().code + "\n# TODO: memoise\n")
    backend = ScriptedBackend([todo, make_response()])
    result = CodeAgent(config, backend=backend, plugins=[NoTodoPlugin()]).run("Write factorial")
    assert [f.rule for f in result.attempts[0].report.findings if f.gate == "no_todo"] == ["no_todo.found"]
    assert len(result.attempts) == 2 and result.passed
    assert "no_todo" not in default_manager().gate_names()


def test_check_accepts_plugins_too() -> None:
    report = check("x = 1  # TODO\n", plugins=[NoTodoPlugin()])
    assert report.critical_count == 1 and not report.passed


def test_duplicate_gate_names_are_an_error_naming_both_plugins() -> None:
    class Clash:
        @hookimpl
        def register_gates(self, register: Callable[[Gate], None]) -> None:
            register(type("G", (), {"name": "syntax", "description": "", "rules": {}, "check": None})())

    with pytest.raises(PluginError, match="gate 'syntax' is registered twice: by 'builtin:syntax'"):
        PluginManager([Clash()], load_entry_points=False).gates()


def test_a_crashing_gate_is_reported_and_the_check_goes_on() -> None:
    class Boom:
        name = "boom"
        description = "Always crashes."
        rules: dict[str, str] = {}

        def check(self, ctx: GateContext) -> Iterator[Finding]:
            raise RuntimeError("kaboom")

    class BoomPlugin:
        @hookimpl
        def register_gates(self, register: Callable[[Gate], None]) -> None:
            register(Boom())

    report = check("def f(:\n", plugins=[BoomPlugin()])
    runs = {g.name: g for g in report.gates}
    assert runs["boom"].status == "error" and "kaboom" in (runs["boom"].error or "")
    assert runs["syntax"].status == "ok"
    rules = {f.rule for f in report.findings}
    assert {"boom.crashed", "syntax.error"} <= rules


def test_codeagent_plugins_empty_loads_no_external_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEAGENT_PLUGINS", "")
    assert all(name.startswith("builtin:") for name in PluginManager().plugin_names())


def test_configuration_may_name_a_gate_passed_to_the_agent(tmp_path: Path) -> None:
    chosen = AgentConfig(gates={"enable": ["syntax", "no_todo"]}, output_dir=tmp_path, tracking=False)
    todo = make_response(code=make_response().code + "\n# TODO: memoise\n")
    result = CodeAgent(chosen, backend=ScriptedBackend([todo]), plugins=[NoTodoPlugin()]).run("factorial")
    assert [g.name for g in result.attempts[0].report.gates] == ["syntax", "no_todo"]
    assert [f.rule for f in result.attempts[0].report.findings] == ["no_todo.found"]


def test_check_may_enable_a_gate_passed_with_plugins() -> None:
    config = AgentConfig(gates={"enable": ["no_todo"]})
    report = check("x = 1  # TODO\n", config=config, plugins=[NoTodoPlugin()])
    assert [g.name for g in report.gates] == ["no_todo"] and report.critical_count == 1


def test_unknown_gate_names_are_rejected_by_what_runs_them_with_a_suggestion() -> None:
    config = AgentConfig(gates={"disable": ["namig"]})
    with pytest.raises(
        ConfigurationError, match=r"gates.disable: unknown gate 'namig' \(did you mean 'naming'\?\)"
    ):
        check("x = 1\n", config=config)
    with pytest.raises(ConfigurationError, match="unknown gate 'no_todo'"):
        check("x = 1\n", config=AgentConfig(gates={"enable": ["no_todo"]}))


def test_unknown_report_format_is_rejected_by_the_agent(config: AgentConfig) -> None:
    with pytest.raises(
        ConfigurationError, match=r"report_formats: unknown report format 'jsn' \(did you mean 'json'"
    ):
        CodeAgent(config.model_copy(update={"report_formats": ["jsn"]}), backend=ScriptedBackend([]))


def test_a_misspelt_hook_is_an_error_not_a_silent_no_op() -> None:
    class Misspelt:
        @hookimpl
        def register_gate(self, register: Callable[[Gate], None]) -> None:
            register(NoTodoGate())

    with pytest.raises(PluginError, match=r"register_gate.*the hooks are register_gates"):
        PluginManager([Misspelt()], load_entry_points=False)
    with pytest.raises(PluginError, match="register_gate"):
        check("x = 1\n", plugins=[Misspelt()])


def test_register_plugin_is_deprecated() -> None:
    with pytest.warns(DeprecationWarning, match="plugins="):
        register_plugin(NoTodoPlugin())
    assert "no_todo" in default_manager().gate_names()


def test_a_string_after_is_rejected_at_registration_not_run_in_the_wrong_wave() -> None:
    class Late(NoTodoGate):
        name = "late"
        after = "execution"

    with pytest.raises(
        PluginError,
        match=r"invalid gate: gate 'late': after must be a tuple of names, e\.g\. after = \('execution',\)",
    ):
        check("x = 1\n", plugins=[plugin_of(Late())])


@pytest.mark.parametrize(
    ("attribute", "value", "message"),
    [
        ("needs_tests", "yes", "needs_tests must be True or False"),
        ("rules", ["no_todo.found"], "rules must be a mapping"),
        ("supersedes", "style.E501", "supersedes must be a tuple"),
        ("settings", {"max": 3}, "settings must be a tuple"),
    ],
)
def test_gate_attributes_of_the_wrong_type_are_plugin_errors(
    attribute: str, value: object, message: str
) -> None:
    gate = NoTodoGate()
    setattr(gate, attribute, value)
    with pytest.raises(PluginError, match=message):
        PluginManager([plugin_of(gate)], load_entry_points=False).gates()


def test_a_renderer_without_render_is_rejected() -> None:
    class Half:
        name = "half"
        extension = "txt"
        description = "no render"

        def can_render(self, obj: object) -> bool:
            return True

    class P:
        @hookimpl
        def register_renderers(self, register: Callable[[object], None]) -> None:
            register(Half())

    with pytest.raises(PluginError, match=r"invalid renderer: renderer 'half' has no render\(\) method"):
        PluginManager([P()], load_entry_points=False).renderers()


class MaxTodos(NoTodoGate):
    """Declares one setting: how many TODOs are allowed."""

    settings = (Setting("allowed", int, 0, "TODO comments allowed."),)

    def check(self, ctx: GateContext) -> Iterator[Finding]:
        found = list(super().check(ctx))
        return iter(found[ctx.options["allowed"] :])


def test_a_gates_declared_setting_is_validated_and_defaulted() -> None:
    code = "x = 1  # TODO\ny = 2  # TODO\n"
    assert check(code, plugins=[plugin_of(MaxTodos())]).critical_count == 2  # default 0
    relaxed = AgentConfig(gates={"options": {"no_todo": {"allowed": "1"}}})
    assert check(code, config=relaxed, plugins=[plugin_of(MaxTodos())]).critical_count == 1
    misspelt = AgentConfig(gates={"options": {"no_todo": {"alowed": 1}}})
    with pytest.raises(
        ConfigurationError,
        match=r"gates.options.no_todo: unknown setting 'alowed' \(did you mean 'allowed'\?\)",
    ):
        check(code, config=misspelt, plugins=[plugin_of(MaxTodos())])
    wrong = AgentConfig(gates={"options": {"no_todo": {"allowed": "many"}}})
    with pytest.raises(
        ConfigurationError, match=r"gates\.options\.no_todo\.allowed: Input should be a valid integer"
    ):
        check(code, config=wrong, plugins=[plugin_of(MaxTodos())])


def test_backend_options_are_checked_against_the_backend_declarations(config: AgentConfig) -> None:
    cassette = AgentConfig(backend="replay", backend_options={"replay": {"casette": "run.json"}})
    with pytest.raises(
        ConfigurationError,
        match=r"backend_options.replay: unknown setting 'casette' \(did you mean 'cassette'\?\)",
    ):
        CodeAgent(cassette)
    with pytest.raises(
        ConfigurationError, match=r"backend_options: unknown backend 'replai' \(did you mean 'replay'\?\)"
    ):
        CodeAgent(AgentConfig(backend="replay", backend_options={"replai": {}}))
    with pytest.raises(ConfigurationError, match=r"backend_options\.replay\.match"):
        CodeAgent(AgentConfig(backend="replay", backend_options={"replay": {"match": "fuzzy"}}))


def plugin_of(item: object) -> object:
    class P:
        @hookimpl
        def register_gates(self, register: Callable[[object], None]) -> None:
            register(item)

    return P()


def test_threads_asking_a_fresh_manager_at_once_all_see_every_built_in_gate() -> None:
    # A pool's first checks ask the process's manager for its gates from several threads at the same moment.
    import sys
    import threading

    interval = sys.getswitchinterval()
    sys.setswitchinterval(
        1e-6
    )  # switch threads as often as possible, so a half-registered manager would show
    try:
        for _ in range(5):
            manager = PluginManager(load_entry_points=False)
            barrier = threading.Barrier(8)
            seen: list[set[str]] = []

            def first_check(manager: PluginManager = manager, barrier: threading.Barrier = barrier) -> None:
                barrier.wait()
                seen.append(manager.gate_names())

            threads = [threading.Thread(target=first_check) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert len(seen) == 8 and all(names == seen[0] for names in seen), seen
            assert {"syntax", "security", "execution"} <= seen[0]
    finally:
        sys.setswitchinterval(interval)
