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


def test_compile_runs_nothing_the_exec_of_its_result_is_the_sink() -> None:
    """`compile()` makes a code object (ast.parse, py_compile, dis, timeit do it); running it is the danger."""
    code = '''\
    """Compiling."""


    def check_syntax(source: str) -> object:
        """A code object for ``source``."""
        return compile(source, "<string>", "exec")


    def run(source: str) -> None:
        """Run ``source``."""
        code = compile(source, "<string>", "exec")
        exec(code)
    '''
    criticals = {(f.rule, f.line) for f in static(code) if f.severity is Severity.CRITICAL}
    assert criticals == {("security.injection", 12)}


def test_loading_the_file_a_caller_names_is_its_choice_a_requests_file_is_not() -> None:
    """tracemalloc's `Snapshot.load(filename)`: `pickle.load(fp)` of the file the caller names."""
    code = '''\
    """Snapshots."""

    import pickle

    from flask import request


    def load(filename: str) -> object:
        """The snapshot saved in ``filename``."""
        with open(filename, "rb") as fp:
            return pickle.load(fp)


    def upload() -> object:
        """The snapshot a client uploaded."""
        return pickle.load(request.files["snapshot"])


    def decode(blob: bytes) -> object:
        """The snapshot in ``blob``."""
        return pickle.loads(blob)
    '''
    criticals = {(f.rule, f.line) for f in static(code) if f.severity is Severity.CRITICAL}
    assert criticals == {("security.injection", 16), ("security.injection", 21)}


def test_a_loop_that_rejects_bad_elements_checks_the_collection() -> None:
    """collections.namedtuple: every field name is checked with `isidentifier()` before `eval` builds `__new__`."""
    code = '''\
    """Records."""

    import sys


    def record_type(field_names: list[str]) -> object:
        """A constructor taking ``field_names``."""
        for name in field_names:
            if not name.isidentifier():
                raise ValueError(name)
        field_names = list(map(sys.intern, field_names))
        arg_list = ", ".join(field_names)
        return eval(f"lambda {arg_list}: ({arg_list})", {})


    def skipping(field_names: list[str]) -> object:
        """The same, skipping bad names instead of refusing them."""
        for name in field_names:
            if not name.isidentifier():
                continue
        arg_list = ", ".join(field_names)
        return eval(f"lambda {arg_list}: ({arg_list})", {})
    '''
    criticals = {(f.rule, f.line) for f in static(code) if f.severity is Severity.CRITICAL}
    assert criticals == {("security.injection", 22)}
