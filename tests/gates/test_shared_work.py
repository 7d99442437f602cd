"""The work gates share within one check: one node index in ``ast.walk`` order and one tokenize pass."""

from __future__ import annotations

import ast
import importlib
import tokenize
from pathlib import Path

import pytest

from burr_codeagent import AgentConfig, check
from burr_codeagent.gates._shared import SHARED_NODE_CLASSES, child_nodes, index_nodes, tokens_of

SOURCE = Path(str(importlib.import_module("argparse").__file__)).read_text(encoding="utf-8")


def test_node_index_groups_every_node_in_ast_walk_order() -> None:
    # ... but the operator and context nodes ast.parse shares between trees (one `Load` for every name read).
    tree = ast.parse(SOURCE)
    walked = [node for node in ast.walk(tree) if node.__class__ not in SHARED_NODE_CLASSES]
    assert len(walked) < len(list(ast.walk(tree))) * 0.8
    index = index_nodes(tree)
    expected: dict[type[ast.AST], list[ast.AST]] = {}
    for node in walked:
        expected.setdefault(type(node), []).append(node)
    assert {kind: [id(n) for n in nodes] for kind, nodes in index.by_type.items()} == {
        kind: [id(n) for n in nodes] for kind, nodes in expected.items()
    }
    imports = [id(n) for n in walked if isinstance(n, ast.Import | ast.ImportFrom)]
    assert [id(n) for n in index.of(ast.Import, ast.ImportFrom)] == imports
    assert len(imports) > 3


EVERY_CONSTRUCT = """
import a.b as c
from . import d
global_name: int = 1
@decorate(x for x in range(3))
async def f(p, /, q=1, *args, r: int = 2, s, **kwargs) -> dict[str, int]:
    global g
    async with open(p) as h, q:
        async for i in h:
            yield i
    match p:
        case [1, *rest] | {"k": _, **more} if rest: pass
        case Point(x=0) as pt: pass
        case None | True: pass
    try:
        await q
    except* (TypeError, ValueError) as e:
        raise RuntimeError from e
    else:
        del q[1:2:3], p.a
    finally:
        assert not p, f"{p!r:>{q}}"
    return {k: v for k, v in {**kwargs}.items() if k if v} or (lambda *a: (yield))
class K(Base, metaclass=M):
    x = [*a, *{1, 2}] if b else (c := -d ** 2 @ e)
"""


def test_children_kept_on_the_nodes_are_the_nodes_children() -> None:
    # child_nodes keeps each node's children on the node, and index_nodes fills them in on its way: asked before
    # the index, after it, or twice, they are ast's children less the shared operator and context nodes (found
    # from the fields the grammar line of each node class, its docstring, types as nodes).
    def expected(node: ast.AST) -> list[int]:
        return [id(c) for c in ast.iter_child_nodes(node) if c.__class__ not in SHARED_NODE_CLASSES]

    every = ast.parse(EVERY_CONSTRUCT)
    assert all([id(c) for c in child_nodes(node)] == expected(node) for node in ast.walk(every))
    tree = ast.parse(SOURCE)
    nodes = [node for node in ast.walk(tree) if node.__class__ not in SHARED_NODE_CLASSES]
    early = nodes[::7]
    assert all([id(c) for c in child_nodes(node)] == expected(node) for node in early)
    index_nodes(tree)
    assert all([id(c) for c in child_nodes(node)] == expected(node) for node in nodes)
    assert all([id(c) for c in child_nodes(node)] == expected(node) for node in nodes)
    # The grammar's lists that hold None in places (`**` in a dict display, keyword-only parameters without a
    # default) and large real modules.
    nodes = list(ast.walk(every))
    assert any(None in node.keys for node in nodes if isinstance(node, ast.Dict))
    assert any(None in node.kw_defaults for node in nodes if isinstance(node, ast.arguments))
    for name in ("argparse", "_pydecimal", "typing", "asyncio.base_events"):
        real = ast.parse(Path(importlib.import_module(name).__file__ or "").read_text(encoding="utf-8"))
        assert all([id(c) for c in child_nodes(node)] == expected(node) for node in ast.walk(real))


def test_tokens_stop_at_the_first_error_and_say_so() -> None:
    assert tokens_of("x = 1\n").complete
    broken = tokens_of('x = 1\ny = """never closed\n')
    assert not broken.complete
    assert any(t.string == "x" for t in broken.tokens)


def test_one_check_tokenizes_the_code_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # complexity (comment lines), style (long lines in strings and comments) and security (`# nosec`) all read
    # the tokens; they used to tokenize the code once each.
    calls = []
    original = tokenize.generate_tokens

    def counting(readline):  # type: ignore[no-untyped-def]
        calls.append(readline)
        return original(readline)

    monkeypatch.setattr(tokenize, "generate_tokens", counting)
    code = (
        '"""A module."""\n\nimport subprocess\n\n\ndef run(command: str) -> int:\n'
        '    """Run it; the comment that follows is long enough to pass the line length limit of ruff by far."""\n'
        "    return subprocess.call(command, shell=True)  # nosec B602\n"
    )
    report = check(code, config=AgentConfig(enable_code_execution=False, tracking=False))
    assert {"security", "complexity", "style"} <= {g.name for g in report.gates if g.status == "ok"}
    assert report.suppressed  # the `# nosec` was read (from the shared tokens)
    assert len(calls) == 1


RADON_METRICS = """
import ast, importlib, json, sys
from pathlib import Path
from radon.complexity import add_inner_blocks
from radon.metrics import h_visit_ast
if sys.argv[1] == "patched":
    from burr_codeagent.gates._radon_visitors import radon_visitors
    radon_visitors()
from radon.visitors import ComplexityVisitor
found = {}
table = "DATA = [\\n" + "".join(f"    ({i}, 'item {i}', {i * 1.5}, None, b'x', ...),\\n" for i in range(300)) + "]\\n"
constructs = '''
async def every(xs, mode):
    match mode:
        case 1 | 2:
            pass
        case {"k": v} if v:
            pass
        case _:
            pass
    async for x in xs:
        pass
    else:
        pass
    while mode and xs or not mode:
        break
    else:
        pass
    try:
        pass
    except ValueError:
        pass
    else:
        pass
    try:
        pass
    except* TypeError:
        pass
    assert [y for y in xs if y if not y]
    return 1 if mode else {k: v for k, v in xs}
'''
sources = {"table": table, "constructs": constructs}
for name in ("argparse", "textwrap", "dataclasses", "_pydecimal", "typing", "asyncio.base_events"):
    sources[name] = Path(importlib.import_module(name).__file__).read_text(encoding="utf-8")
for name, source in sources.items():
    tree = ast.parse(source)
    visitor = ComplexityVisitor.from_ast(tree)
    blocks = add_inner_blocks(visitor.blocks)
    found[name] = (
        [[b.fullname, b.complexity, b.lineno, b.endline] for b in blocks],
        visitor.total_complexity,
        visitor.max_line,
        list(h_visit_ast(tree).total),
    )
print(json.dumps(found))
"""


def test_radon_metrics_are_unchanged_by_the_direct_constant_visit_and_lighter_walk() -> None:
    import json
    import subprocess
    import sys

    def metrics(mode: str) -> object:
        completed = subprocess.run(
            [sys.executable, "-c", RADON_METRICS, mode],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        return json.loads(completed.stdout)

    assert metrics("patched") == metrics("plain")
