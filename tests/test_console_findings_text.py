"""Finding lines print code and paths as they are: a `:name:` in them is text, not an emoji."""

from __future__ import annotations

import io

from rich.console import Console

from burr_codeagent import AgentConfig, check
from burr_codeagent.console import print_findings


def test_colon_names_in_paths_and_messages_stay_text() -> None:
    code = 'def f(x):\n    """Say :thumbs_up:."""\n    return eval(x)\n'
    report = check(code, config=AgentConfig(enable_code_execution=False, tracking=False))
    buffer = io.StringIO()
    print_findings(Console(file=buffer, width=200, highlight=False), report, "pkg/:thumbs_up:.py", None)
    printed = buffer.getvalue()
    assert "\N{THUMBS UP SIGN}" not in printed
    shown = [f for f in report.findings if f.severity.value != "info"]
    assert printed.count("pkg/:thumbs_up:.py:") == len(shown) + 1  # each finding and the verdict
    assert printed.splitlines()[-1].startswith("pkg/:thumbs_up:.py: ")
