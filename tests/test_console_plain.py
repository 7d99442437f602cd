"""console_plain prints what rich prints: to a pipe or a file without importing rich, anywhere else through rich.

``codeagent check``'s text output is the same bytes either way; a terminal still gets rich's colours.
"""

from __future__ import annotations

import io
import random
import sys
from collections.abc import Callable

import pytest
from rich.console import Console
from rich.markup import escape as rich_escape

from burr_codeagent.console_findings import print_findings
from burr_codeagent.console_plain import PlainConsole, escape
from burr_codeagent.models import CheckReport, Finding, GateRun, Severity

TRICKY = [
    "plain words",
    "[bold]not a tag of ours[/]",
    "[/]",
    "[/bold]",
    "a[b]c",
    "list[int] and dict[str, int]",
    "x[0] = y[1:2]",
    "[]",
    "[@click]",
    "[#ff0000]",
    "[link=https://example.com]",
    "\\[escaped]",
    "\\\\[two backslashes]",
    "\\\\\\[three]",
    "ends with a backslash\\",
    "ends with two\\\\",
    "\\",
    "C:\\path\\to\\[file].py",
    ":thumbs_up: :smile: a:b:c",
    "unicode: 日本語, emoji \N{SNAKE}, accents e\u0301, zero\u200bwidth",
    "trailing spaces   ",
    "two\nlines\n",
    "\n",
    "a tab\there",
    "carriage\rreturn",
    "bell\x07 backspace\x08 vt\x0b ff\x0c",
    "escape \x1b[31m sequence",
    "nul \x00 del \x7f",
    "x" * 300,
    "[red]" * 3 + "unclosed",
]


def random_texts(count: int, seed: int = 13) -> list[str]:
    rng = random.Random(seed)
    alphabet = "ab[]/\\@#=: \n"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))) for _ in range(count)]


def test_escape_is_richs_escape() -> None:
    for text in [*TRICKY, *random_texts(5000)]:
        assert escape(text) == rich_escape(text), repr(text)


def markups() -> list[str]:
    """Markup as this package writes it: styled spans around escaped text, and escaped text alone."""
    found = []
    for text in TRICKY:
        found += [escape(text), f"[bold red]error:[/] {escape(text)}", f"[dim]{escape(text)} (x)[/]"]
        found.append(f"{escape(text)}: [yellow]{escape(text)}[/] {escape('[warning]')} {escape(text)}")
    return found


class Stream(io.StringIO):
    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


def printed(
    show: Callable[[Console | PlainConsole], None], *, terminal: bool = False
) -> tuple[str, str, int]:
    """What ``show`` prints through rich's console and through a PlainConsole, and how often the latter used rich."""
    outputs = []
    used_rich = 0

    def rich_console() -> Console:
        nonlocal used_rich
        used_rich += 1
        return Console(highlight=False, soft_wrap=True)

    # As in a process: the consoles are made once stdout is what it will be (rich picks its colours then).
    for console in (lambda: Console(highlight=False, soft_wrap=True), lambda: PlainConsole(rich_console)):
        stream, stdout = Stream(terminal), sys.stdout
        sys.stdout = stream
        try:
            show(console())
        finally:
            sys.stdout = stdout
        outputs.append(stream.getvalue())
    return outputs[0], outputs[1], used_rich


@pytest.fixture(autouse=True)
def no_forced_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("emoji", [False, None])
def test_a_pipe_gets_richs_text_mostly_without_rich(
    monkeypatch: pytest.MonkeyPatch, emoji: bool | None
) -> None:
    plain_prints = 0
    for markup in markups():
        by_rich, by_plain, used_rich = printed(lambda c, m=markup: c.print(m, emoji=emoji))
        assert by_plain == by_rich, repr(markup)
        plain_prints += not used_rich
    assert plain_prints > len(markups()) // 2  # tabs, control characters and (with emoji) colons go to rich


def test_a_terminal_or_forced_colour_gets_richs_colours(monkeypatch: pytest.MonkeyPatch) -> None:
    markup = "[bold red]error:[/] something"
    by_rich, by_plain, used_rich = printed(lambda c: c.print(markup), terminal=True)
    assert by_plain == by_rich and "\x1b[" in by_plain and used_rich
    monkeypatch.setenv("FORCE_COLOR", "1")
    by_rich, by_plain, used_rich = printed(lambda c: c.print(markup))
    assert by_plain == by_rich and "\x1b[" in by_plain and used_rich


def test_check_findings_print_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    findings = [
        Finding(gate="style", rule=f"style.{i}", severity=severity, message=text, line=i, column=2)
        for i, text in enumerate(TRICKY)
        for severity in Severity
    ]
    report = CheckReport.from_findings(
        findings[1:],
        gates=[
            GateRun(name="style", status="ok", seconds=0.1),
            GateRun(name="tests", status="skipped", seconds=0),
        ],
        tests=None,
        seconds=0.5,
        warning_threshold=5,
        suppressed=findings[:1],
    )
    for show_info in (False, True):
        by_rich, by_plain, _ = printed(
            lambda c, s=show_info: print_findings(c, report, "pkg/[x]\\mod.py", "t.py", show_info=s),
        )
        assert by_plain == by_rich
        assert by_plain.count("pkg/[x]\\mod.py:") > len(TRICKY)
