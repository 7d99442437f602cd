"""The documentation site builds with `mkdocs build --strict` (broken links and missing pages fail it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_mkdocs_builds_strictly(tmp_path: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO, capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "site" / "index.html").is_file()


def test_no_page_is_a_placeholder() -> None:
    placeholders = [p.name for p in (REPO / "docs").glob("*.md") if "To be written." in p.read_text()]
    assert placeholders == []


def test_gates_page_lists_every_built_in_gates_default_budget() -> None:
    from burr_codeagent.gates.base import GateTraits
    from burr_codeagent.plugins import manager_for

    page = (Path(__file__).parents[1] / "docs" / "gates.md").read_text(encoding="utf-8")
    section = page.split("## Time budgets", 1)[1].split("\n## ", 1)[0]
    documented = {
        cells[0].strip("` "): cells[1].strip()
        for line in section.splitlines()
        if line.startswith("| `") and len(cells := line.strip("|").split("|")) >= 2
    }
    for name, registered in manager_for(None).gates().items():
        if not type(registered.item).__module__.startswith("burr_codeagent."):
            continue
        budget = GateTraits.of(registered.item).time_budget
        expected = "none" if budget is None else f"{budget:g} s"
        assert documented.get(name) == expected, f"docs/gates.md: budget of {name!r} should read {expected!r}"
