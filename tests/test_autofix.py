"""Local auto-fixes: what they change, what they never touch, and how the agent uses them."""

from __future__ import annotations

from burr_codeagent import AgentConfig, CodeAgent
from burr_codeagent.autofix import add_none_returns, auto_fix, worth_fixing
from burr_codeagent.backends import ScriptedBackend

from .conftest import GOOD_CODE, GOOD_TESTS, make_response

# The good factorial with only formatter-level faults: an unused import, cramped spacing, trailing blanks.
UGLY_CODE = "import os\n" + GOOD_CODE.replace(
    "def factorial(n: int) -> int:", "def factorial( n:int )->int :"
).replace("    if n < 0:", "    if n<0 :   ")


def gates(config: AgentConfig, *names: str, **changes: object) -> AgentConfig:
    settings = config.gates.model_copy(update={"enable": list(names)})
    return config.model_copy(update={"gates": settings, **changes})


def test_ruff_safe_fixes_and_format_repair_formatting_faults() -> None:
    fixed = auto_fix(UGLY_CODE, GOOD_TESTS)
    assert fixed.code == GOOD_CODE
    assert any("F401" in line and line.startswith("code:") for line in fixed.applied)
    assert "code: reformatted with ruff format" in fixed.applied


def test_unsafe_fixes_are_never_applied() -> None:
    code = 'def is_missing(x: object) -> bool:\n    """Tell."""\n    return x == None\n'
    assert "x == None" in auto_fix(code, "").code  # `is None` would change behaviour for a custom __eq__


def test_source_that_does_not_parse_is_left_alone() -> None:
    broken = "def f(:\n    import os\n"
    fixed = auto_fix(broken, GOOD_TESTS)
    assert fixed.code == broken
    assert not any(line.startswith("code:") for line in fixed.applied)


def test_none_return_is_added_only_where_no_value_can_be_returned() -> None:
    source = """\
def plain(a):
    print(a)

    def inner():
        return 3


def gives(a):
    return a


def gen():
    yield 1


@property
def decorated(self):
    print(1)


def stub():
    raise NotImplementedError


class Shape:
    def reset(self):
        self.x = 0

    @staticmethod
    def helper():
        print("x")

    def area(self): ...
"""
    new, names = add_none_returns(source)
    assert names == ["plain", "reset", "helper"]
    assert "def plain(a) -> None:" in new and "def inner():" in new
    assert "def gives(a):" in new and "def gen():" in new and "def decorated(self):" in new
    assert "def stub():" in new and "def area(self): ..." in new


def test_only_failing_or_fixable_attempts_are_worth_fixing(config: AgentConfig) -> None:
    from burr_codeagent import check

    clean = check(GOOD_CODE, GOOD_TESTS, config=gates(config, "syntax"))
    assert not worth_fixing(make_response(), clean)
    assert not worth_fixing(None, clean)
    failing = check("def f(:\n", GOOD_TESTS, config=gates(config, "syntax"))
    assert not failing.passed
    assert not worth_fixing(make_response(code="def f(:\n"), failing)  # still critical whatever is fixed
    assert worth_fixing(make_response(code=UGLY_CODE), failing)


def test_formatting_only_faults_cost_no_second_generation(config: AgentConfig) -> None:
    backend = ScriptedBackend([make_response(code=UGLY_CODE), make_response()])
    result = CodeAgent(gates(config, "syntax", "style", "execution"), backend=backend).run("Write factorial")
    assert result.passed
    assert len(backend.calls) == 1
    assert result.code == GOOD_CODE
    assert result.attempts[0].auto_fixes and "ruff format" in " ".join(result.attempts[0].auto_fixes)


def test_without_auto_fix_the_same_faults_cost_a_generation(config: AgentConfig) -> None:
    # The unused import and the formatting (one warning in all) are two: over a strict threshold of one.
    backend = ScriptedBackend([make_response(code=UGLY_CODE), make_response()])
    strict = gates(config, "syntax", "style", "execution", auto_fix=False, warning_threshold=1)
    agent = CodeAgent(strict, backend=backend)
    result = agent.run("Write factorial")
    assert len(backend.calls) == 2
    assert result.attempts[0].auto_fixes == []


def test_a_fix_that_breaks_the_tests_is_rolled_back(config: AgentConfig) -> None:
    # The tests import `path` from the solution, so removing the "unused" import would break them.
    code = "from os import path\n\n\n" + GOOD_CODE
    tests = GOOD_TESTS.replace("from solution import factorial", "from solution import factorial, path")
    tests += "\n\ndef test_path_is_exported() -> None:\n    assert path.sep\n"
    backend = ScriptedBackend([make_response(code=code, test_code=tests), make_response()])
    agent = CodeAgent(gates(config, "syntax", "style", "execution", warning_threshold=0), backend=backend)
    steps = list(agent.application("Write factorial").iterate(halt_after=["end"]))
    state = steps[-1][2]
    first = state["attempts"][0]
    assert first["response"]["code"] == code  # the original was kept
    assert first["auto_fixes"] == []
    assert state["stop_reason"] == "passed"
    fixes = [result for action, result, _ in steps if action.name == "auto_fix"]
    assert fixes and fixes[0]["auto_fix_result"]["kept"] is False
    assert "scored worse" in fixes[0]["auto_fix_result"]["note"]


def test_the_fix_line_length_follows_the_style_gate(config: AgentConfig) -> None:
    from burr_codeagent.autofix import LINE_LENGTH, fix_response
    from burr_codeagent.gates.style import DEFAULT_LINE_LENGTH

    assert LINE_LENGTH == DEFAULT_LINE_LENGTH  # the fixes never wrap what the gate accepts by default
    call = "    return n * factorial(n - 1) if n > 1 else max(1, n, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)\n"
    long_line = GOOD_CODE.replace("    return n * factorial(n - 1)\n", call)
    response = make_response(code=long_line)
    assert call in fix_response(response, config).code  # 95 characters: fine by default
    narrow = gates(config, "style").model_copy(
        update={"gates": config.gates.model_copy(update={"options": {"style": {"line_length": 79}}})}
    )
    assert call not in fix_response(response, narrow).code  # wrapped at the gate's configured 79
