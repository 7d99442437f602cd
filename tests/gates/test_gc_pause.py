"""A check holds off automatic garbage collection while it runs, frees its own trees when it ends, and leaves the
collector as it found it, also when checks overlap on threads."""

from __future__ import annotations

import ast
import gc
import importlib
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from burr_codeagent import AgentConfig, check
from burr_codeagent import checker as checker_module

SOURCE = Path(str(importlib.import_module("shlex").__file__)).read_text(encoding="utf-8")
CONFIG = AgentConfig(enable_code_execution=False, tracking=False, gates={"enable": ["security", "naming"]})


@pytest.fixture
def trees(monkeypatch: pytest.MonkeyPatch) -> list[weakref.ref[ast.Module]]:
    """Weak references to every syntax tree the checks of the test parse."""
    watched: list[weakref.ref[ast.Module]] = []
    parse = checker_module._parse

    def parse_and_watch(source: str | None) -> ast.Module | None:
        tree = parse(source)
        if tree is not None:
            watched.append(weakref.ref(tree))
        return tree

    monkeypatch.setattr(checker_module, "_parse", parse_and_watch)
    return watched


def test_a_check_frees_its_syntax_trees_when_it_returns(trees: list[weakref.ref[ast.Module]]) -> None:
    # bandit links every node to its parent: the tree is one big cycle that only the collector frees. It used to
    # stay in memory until some later full collection (and made those slower).
    report = check(SOURCE + "\n# freed\n", config=CONFIG)
    assert [g.status for g in report.gates] == ["ok", "ok"]
    assert trees
    assert [ref() for ref in trees] == [None] * len(trees)


def test_a_check_leaves_no_cycles_for_the_collector(trees: list[weakref.ref[ast.Module]]) -> None:
    # With the collector off, only reference counting frees the tree: nothing of the check (bandit's parent links,
    # the taint analysis of each function and its module) may keep it in a cycle. A collection over the whole tree
    # was 15 ms of a 230 ms check of a 6,400-line module.
    config = AgentConfig(enable_code_execution=False, tracking=False)
    was = gc.isenabled()
    gc.disable()
    try:
        report = check(SOURCE + "\n# no cycles\n", "from solution import split\n", config=config)
        alive = [ref() is not None for ref in trees]
    finally:
        if was:
            gc.enable()
    assert "security" in {g.name for g in report.gates if g.status == "ok"}
    assert len(trees) == 2
    assert alive == [False, False]


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_left_as_it_was(enabled: bool) -> None:
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        check(SOURCE + f"\n# alone {enabled}\n", config=CONFIG)
        assert gc.isenabled() is enabled
        with ThreadPoolExecutor(max_workers=4) as pool:
            reports = list(pool.map(lambda n: check(f"{SOURCE}\n# {n} {enabled}\n", config=CONFIG), range(8)))
        assert all(r.gates for r in reports)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_checks_that_overlap_without_end_still_get_full_collections(monkeypatch: pytest.MonkeyPatch) -> None:
    # Under a pool that is never idle automatic collection never comes back on: every FULL_AFTER checks that end
    # while another runs, everything is collected, so old cyclic garbage cannot pile up.
    from burr_codeagent.gates import _gc_pause

    generations: list[int] = []
    monkeypatch.setattr(_gc_pause.gc, "collect", lambda generation=2: generations.append(generation) or 0)
    was = gc.isenabled()
    gc.enable()
    try:
        with _gc_pause.collection_paused():  # a long check that outlives the others
            for _ in range(2 * _gc_pause.FULL_AFTER):
                with _gc_pause.collection_paused():
                    assert not gc.isenabled()
            assert not gc.isenabled()
        assert gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
    assert generations.count(2) == 2
    assert generations.count(1) == 2 * _gc_pause.FULL_AFTER - 2
    assert generations[-1] == 0  # the last check to end: the youngest generation, and collection back on
