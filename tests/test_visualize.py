"""`codeagent visualize`: DOT and mermaid always; PNG/SVG through graphviz's dot, with a clear message without it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from burr_codeagent import CodeAgent
from burr_codeagent.visualize import VisualizeError, graph_dot, graph_mermaid, write_graph

HAS_DOT = shutil.which("dot") is not None


def codeagent(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a child process (so PATH really decides whether ``dot`` exists)."""
    return subprocess.run(
        [sys.executable, "-c", "from burr_codeagent.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_mermaid_and_dot_describe_the_graph() -> None:
    graph = CodeAgent().graph()
    mermaid = graph_mermaid(graph)
    assert mermaid.startswith("stateDiagram-v2")
    assert "code_checker --> code_generator : not_good_enough and retries < 5" in mermaid
    dot = graph_dot(graph)
    assert "digraph" in dot and "code_generator" in dot and "code_checker" in dot and "end" in dot


def test_png_without_dot_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    env = {**os.environ, "PATH": str(bin_dir)}  # nothing on PATH but python: no `dot`
    done = codeagent("visualize", "-o", str(tmp_path / "graph.png"), env=env)
    assert done.returncode == 2
    message = " ".join(done.stderr.split())
    assert "graphviz" in message and "dot" in message and ".mmd" in message
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "graph.png").exists()
    # the text formats still work on the same machine
    assert codeagent("visualize", "-o", str(tmp_path / "graph.mmd"), env=env).returncode == 0
    assert (tmp_path / "graph.mmd").read_text().startswith("stateDiagram-v2")


@pytest.mark.skipif(not HAS_DOT, reason="graphviz's dot is not installed")
@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG"), (".svg", b"<svg")])
def test_pictures_through_graphviz(tmp_path: Path, suffix: str, magic: bytes) -> None:
    done = codeagent("visualize", "-o", str(tmp_path / f"graph{suffix}"))
    assert done.returncode == 0, done.stderr
    data = (tmp_path / f"graph{suffix}").read_bytes()
    assert magic in data[:400]
    if suffix == ".svg":
        assert b"code_checker" in data


def test_unknown_suffix_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(VisualizeError, match=r"\.png, \.svg"):
        write_graph(CodeAgent().graph(), tmp_path / "graph.jpeg")
