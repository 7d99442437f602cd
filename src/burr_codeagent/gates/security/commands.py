"""What a command line looks like, for the rules that find one built by string formatting and run by a project's
own helper (``self._run_ssh("svcinfo lsvdisk %s" % name)``)."""

from __future__ import annotations

import ast
import re

from ._names import words

__all__ = ["COMMAND_RUNNER", "first_text", "reads_as_command"]

# Words in a function name that say it runs a command line; and what a command line's literal text looks like: a
# program name and then an option, a pipe or a redirect, or a well-known program and an argument.
COMMAND_RUNNER = frozenset(
    {"execute", "exec", "run", "ssh", "shell", "popen", "system", "command", "cmd", "spawn", "output"}
)
_COMMAND_TEXT = re.compile(
    r"^\s*(?:sudo\s+)?(?:[a-z][\w.+-]*\s+(?:.*\s)?(?:--?[a-zA-Z]|[|&;>])"
    r"|(?:git|ls|cat|rm|cp|mv|mkdir|chmod|chown|tar|curl|wget|ping|grep|find|echo|sh|bash|ssh|scp|rsync|kill|"
    r"docker|kubectl|systemctl|service|mount|umount|dd|sed|awk|openssl|unzip|zip|gzip|convert|ffmpeg)\s+\S)",
    re.DOTALL,
)
_STRONG_RUNNER = frozenset({"ssh", "cli", "shell", "cmd", "command", "popen", "system"})
_PROGRAM_AND_ARGUMENT = re.compile(r"^[a-z][\w.+-]*\s+\S")
_LEADING_FIELDS = re.compile(r"^\s*(?:(?:\{[^}]*\}|%[sr]|[A-Z_][A-Z0-9_]*=\S*)\s+)*")


def reads_as_command(node: ast.expr, runner: str) -> bool:
    """Whether the first literal text of a built string reads like a command line (see ``_COMMAND_TEXT``), once the
    leading placeholders and environment assignments are set aside (``"{env} rclone ls {path}"``). A runner whose
    name says it runs commands (``_run_ssh``, ``cli_run``) needs only a program name and an argument."""
    text = _LEADING_FIELDS.sub("", first_text(node))
    if _COMMAND_TEXT.match(text) is not None:
        return True
    return bool(_STRONG_RUNNER & set(words(runner))) and _PROGRAM_AND_ARGUMENT.match(text) is not None


def first_text(node: ast.expr) -> str:
    """The literal text a built string starts with (the template of ``%`` or ``.format()``)."""
    while True:
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else ""
        if isinstance(node, ast.JoinedStr):
            first = node.values[0] if node.values else None
            return str(first.value) if isinstance(first, ast.Constant) else ""
        if isinstance(node, ast.BinOp):
            node = node.left
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            node = node.func.value
        else:
            return ""


_INTERPRETER = re.compile(r"^(?:.*/)?(?:python[\d.]*|pypy\d*|sh|bash|zsh|dash|ksh|perl|ruby|node|php)$")


def interpreter_code(arguments: ast.expr, aliases: dict[str, str]) -> ast.expr | None:
    """The code an argument list hands an interpreter to run: ``code`` in ``["python", "-c", code]``,
    ``[sys.executable, "-c", code]`` or ``["bash", "-c", command]``; None for any other list."""
    if not isinstance(arguments, ast.List | ast.Tuple) or len(arguments.elts) < 3:
        return None
    program = arguments.elts[0]
    named = program.value if isinstance(program, ast.Constant) else None
    is_python = isinstance(program, ast.Attribute) and program.attr == "executable"
    if not (is_python or (isinstance(named, str) and _INTERPRETER.match(named))):
        return None
    for option, code in zip(arguments.elts[1:], arguments.elts[2:], strict=False):
        if isinstance(option, ast.Constant) and option.value in ("-c", "-e", "--command", "--eval"):
            return code
    return None
