"""Patterns of mature, well-regarded libraries that are decisions, not defects: no critical for them."""

from __future__ import annotations

import textwrap

from burr_codeagent import AgentConfig, Severity, check
from burr_codeagent.models import Finding


def static(code: str) -> list[Finding]:
    config = AgentConfig(enable_code_execution=False, tracking=False)
    return check(textwrap.dedent(code), config=config).findings


def test_a_name_probed_under_except_name_error_is_no_critical_undefined_name() -> None:
    """rich.console's `try: get_ipython  except NameError: return False` then `get_ipython()`."""
    code = '''\
    """Notebook detection."""


    def is_jupyter() -> bool:
        """Whether this runs in a Jupyter notebook."""
        try:
            get_ipython  # noqa: B018
        except NameError:
            return False
        shell = get_ipython().__class__.__name__
        return shell == "ZMQInteractiveShell"
    '''
    undefined = [f for f in static(code) if f.rule == "style.F821"]
    assert undefined and all(f.severity is Severity.WARNING for f in undefined)
    unprobed = code.replace("NameError", "ImportError")
    assert any(f.rule == "style.F821" and f.severity is Severity.CRITICAL for f in static(unprobed))


def test_exec_of_a_compiled_code_object_parameter_is_not_injection() -> None:
    """jinja2's `Template.from_code(environment, code: CodeType, ...)`: `exec(code, namespace)` runs what the
    template compiler made, not text a caller chose."""
    code = '''\
    """Templates from compiled code."""

    from types import CodeType


    class Template:
        """A compiled template."""

        @classmethod
        def from_code(cls, environment: object, code: CodeType) -> dict[str, object]:
            """The namespace the template's code defines."""
            namespace: dict[str, object] = {"environment": environment, "__file__": code.co_filename}
            exec(code, namespace)
            return namespace

        @classmethod
        def from_text(cls, environment: object, code: str) -> dict[str, object]:
            """The namespace some text defines."""
            namespace: dict[str, object] = {"environment": environment}
            exec(code, namespace)
            return namespace
    '''
    criticals = {(f.rule, f.line) for f in static(code) if f.severity is Severity.CRITICAL}
    assert criticals == {("security.injection", 20)}
