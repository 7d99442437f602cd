"""The complexity gate's line counts (code lines, comments) from one scan agree with a tokenize pass."""

from __future__ import annotations

import ast
import importlib
import tokenize
from pathlib import Path

import pytest

from burr_codeagent.gates._shared import tokens_of
from burr_codeagent.gates._source_lines import line_counts, literal_tokens
from burr_codeagent.gates.complexity import _token_line_counts

TRICKY = [
    "",
    "x = 1",
    "x = 1  # a comment\n# another\n\n",
    's = "a # not a comment"  # but this is\n',
    "t = '''a\n# inside\n'''  # after\n",
    'u = """x "" y \\""" z"""\nv = 2\n',
    "w = 'it\\'s'\nr = r\"\\\"\"\n",
    "f = f\"{x!r:>{width}} # {y}\"\nb = rb'\\x00'\n",
    "total = 1 + \\\n    2\n",
    "s = 'a\\\nb'\nq = 3\n",
    "x = [1,  # one\n     2,\n]\n",
    'if x in"abc":pass\n',
    "def f():\n    '''Doc.'''\n\n    # c\n    return ''''quoted' '''\n",
    "e = ''\nd = \"\"\n",
    "x = 1\n\f\ny = 2\n",
]


@pytest.mark.parametrize("source", TRICKY)
def test_tricky_sources_count_as_tokenize_counts(source: str) -> None:
    ast.parse(source)
    assert line_counts(source) == _token_line_counts(tokens_of(source).tokens)


@pytest.mark.parametrize(
    "module",
    ["argparse", "typing", "_pydecimal", "tokenize", "dataclasses", "pprint", "re._parser", "inspect"],
)
def test_stdlib_modules_count_as_tokenize_counts(module: str) -> None:
    source = Path(str(importlib.import_module(module).__file__)).read_text(encoding="utf-8")
    counted = line_counts(source)
    assert counted is not None
    assert counted == _token_line_counts(tokens_of(source).tokens)
    assert counted[1] > 10


def _tokenized_literals(source: str) -> list[tuple[int, tuple[int, int], tuple[int, int]]]:
    kinds = (tokenize.STRING, tokenize.COMMENT)
    return [(t.type, t.start, t.end) for t in tokens_of(source).tokens if t.type in kinds]


PREFIXED = 'x = f"a{b}"\ny = Rb"\\n" if"q" else br"z"  # c \ns = (\n  "a"\n  rf"b{c}"\n)\n'


@pytest.mark.parametrize("source", [*TRICKY, PREFIXED])
def test_string_and_comment_tokens_of_tricky_sources_are_tokenizes(source: str) -> None:
    # The style gate reads where strings and comments are (is a long line's overflow in one?) from this scan.
    ast.parse(source)
    assert literal_tokens(source) == _tokenized_literals(source)


@pytest.mark.parametrize("module", ["argparse", "typing", "_pydecimal", "tokenize", "inspect", "string"])
def test_string_and_comment_tokens_of_stdlib_modules_are_tokenizes(module: str) -> None:
    source = Path(str(importlib.import_module(module).__file__)).read_text(encoding="utf-8")
    found = literal_tokens(source)
    assert found is not None
    assert found == _tokenized_literals(source)
    assert len(found) > 100


def test_carriage_returns_are_left_to_tokenize() -> None:
    assert literal_tokens("x = 1  # c\r\n") is None
    assert line_counts("x = 1\r\ny = 2\r\n") is None


def test_the_gate_counts_the_same_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    from burr_codeagent import AgentConfig, check

    source = Path(str(importlib.import_module("textwrap").__file__)).read_text(encoding="utf-8")  # index 43.9
    config = AgentConfig(
        enable_code_execution=False,
        tracking=False,
        gates={"enable": ["complexity"], "options": {"complexity": {"min_maintainability": 100}}},
    )
    fast = check(source, config=config).findings
    calls: list[object] = []
    original = tokenize.generate_tokens

    def counting(readline):  # type: ignore[no-untyped-def]
        calls.append(readline)
        return original(readline)

    monkeypatch.setattr(tokenize, "generate_tokens", counting)
    monkeypatch.setattr("burr_codeagent.gates.complexity.line_counts", lambda source, pieces=None: None)
    slow = check(source + "\n", config=config).findings
    assert calls  # the second check did tokenize
    indexes = [[f.message for f in found if f.rule == "complexity.maintainability"] for found in (fast, slow)]
    assert indexes[0] == indexes[1] and len(indexes[0]) == 1 and " 0.0 " not in indexes[0][0]


def test_one_check_scans_the_source_once_for_line_counts_and_long_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The maintainability index's line counts and the style gate's strings and comments (read when a line is too
    # long) come from one scan; the long string still makes its line one no formatter can fix.
    from burr_codeagent import AgentConfig, check
    from burr_codeagent.gates import _source_lines

    calls: list[str] = []
    original = _source_lines.scan

    def counting(source: str) -> list[_source_lines.Piece]:
        calls.append(source)
        return original(source)

    monkeypatch.setattr("burr_codeagent.gates.base.scan", counting)
    long_text = "x" * 120
    code = f'"""A module."""\n\nMESSAGE = "{long_text}"  # a comment\n'
    report = check(code, config=AgentConfig(enable_code_execution=False, tracking=False))
    assert {"complexity", "style"} <= {g.name for g in report.gates if g.status == "ok"}
    long_lines = [f for f in report.findings if f.rule == "style.E501"]
    assert len(long_lines) == 1 and not long_lines[0].fixable
    assert calls == [code]
