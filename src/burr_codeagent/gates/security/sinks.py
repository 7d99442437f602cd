"""Sink rules: tainted data (see :mod:`.taint`) reaching code execution, deserialisers, shells, SQL, file paths and
outgoing requests, plus HTTP timeouts and weak password hashes.

A flow from external input (a web request, ``input()``, ``sys.argv``, the environment) is critical at code
execution, shell, deserialisation and SQL sinks, and so is a public function's own parameter. File paths and URLs
are critical only for remote input (a request, a socket): a command-line tool opening the file its user named is
doing its job, as is an HTTP client fetching the URL its caller passed. A path built from a public function's
parameter without validation keeps its warning.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Literal

from ...models import Severity
from ..base import finding
from ._names import dotted, is_text, keyword, words
from .commands import COMMAND_RUNNER, first_text, interpreter_code, reads_as_command
from .outgoing import outgoing_requests
from .passwords import password_hashing
from .queries import query_injection
from .quoting import escaped, pasted_in_quotes, pastes
from .rule_hit import RuleHit
from .taint import ScopeTaint, Taint
from .web import web_flaws

__all__ = ["RuleHit", "SinkRules"]

Target = Literal["code", "tests"]

SQL_METHODS = frozenset({"execute", "executemany", "executescript", "read_sql", "read_sql_query", "raw"})
PATH_SINKS = frozenset(
    {
        "open",
        "io.open",
        "os.open",
        "os.remove",
        "os.unlink",
        "os.rmdir",
        "os.listdir",
        "os.scandir",
        "shutil.rmtree",
        "shutil.copy",
        "shutil.copy2",
        "shutil.copyfile",
        "shutil.move",
        "flask.send_file",
        "flask.send_from_directory",
    }
)
PATH_METHODS = frozenset(
    {"open", "read_text", "read_bytes", "write_text", "write_bytes", "unlink", "rmdir", "iterdir", "mkdir"}
)
# compile() makes a code object and runs nothing: the taint flows on to the exec()/eval() that runs it.
CODE_EXECUTION = frozenset({"eval", "exec", "builtins.eval", "builtins.exec"})
DESERIALISERS = frozenset(
    {
        "pickle.loads",
        "pickle.load",
        "_pickle.loads",
        "cPickle.loads",
        "dill.loads",
        "dill.load",
        "jsonpickle.decode",
        "shelve.open",
        "pandas.read_pickle",
        "joblib.load",
        "torch.load",
    }
)
# Deserialisers of a file (a path or an open file): loading the file a caller names is its choice, as opening it
# is (see the path rule); only a file a request names is critical.
FILE_DESERIALISERS = frozenset(
    {"pickle.load", "dill.load", "shelve.open", "pandas.read_pickle", "joblib.load", "torch.load"}
)
SHELL_CALLS = frozenset(
    {"os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput", "commands.getoutput"}
)
SAFE_YAML_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})
_SQL_TEXT = re.compile(
    r"^\s*(select\s.+\sfrom|insert\s+(or\s+\w+\s+)?into|update\s.+\sset|delete\s+from|replace\s+into)\b",
    re.IGNORECASE | re.DOTALL,
)
PROCESS_RUNNERS = frozenset(
    {
        "subprocess.Popen",
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
    }
)
# A command line that starts with a program's name (not with a placeholder for the whole command).
_PROGRAM_FIRST = re.compile(r"^\s*(?:[A-Z_][A-Z0-9_]*=\S*\s+)*[\w./-]")
_INTERPRETER_FIX = (
    "Never hand data to an interpreter as code; pass it as an argument or on stdin to a fixed script."
)
# Bandit's tests of a shell started with a command that is not a literal.
_SHELL_TESTS = ("B602", "B604", "B605", "B609")


class SinkRules:
    """The sink rules for one scope, over its taint analysis."""

    def __init__(self, taint: ScopeTaint, target: Target) -> None:
        self.taint = taint
        self.scope = taint.scope
        self.nodes = taint.nodes
        self.aliases = taint.module.aliases
        self.target: Target = target
        self.lowered: set[tuple[str, int]] = set()
        """Bandit results on shell calls whose command the analysis shows to be checked or quoted."""

    def run(self) -> Iterator[RuleHit]:
        """Every finding of this scope."""
        for node in self.taint.calls:
            name = dotted(node.func, self.aliases)
            yield from self._sql(node)
            yield from self._injection(node, name)
            yield from outgoing_requests(self, node, name)
            yield from self._path(node, name)
            yield from query_injection(self, node, name)
            yield from web_flaws(self, node, name)
            for rule, severity, message, suggestion in password_hashing(node, name, self.taint, self.aliases):
                yield self.hit(rule, severity, message, node, suggestion)

    def hit(self, rule: str, severity: Severity, message: str, node: ast.AST, suggestion: str) -> RuleHit:
        """A finding of ``rule`` at ``node``, covering its lines."""
        found = finding("security", rule, severity, message, node, target=self.target, suggestion=suggestion)
        start = getattr(node, "lineno", 0)
        return RuleHit(found, set(range(start, (getattr(node, "end_lineno", None) or start) + 1)))

    def critical_taint(self, node: ast.expr, sink: str | None = None) -> Taint | None:
        """The taint of ``node`` when it makes a sink (of kind ``sink``: ``shell``, ``path``, ``sql``...) critical
        here (see :meth:`ScopeTaint.counts`); a value made safe for that kind of sink is not."""
        taint = self.taint.taint_of(node)
        return taint if self.taint.counts(taint) and taint is not None and taint.reaches(sink) else None

    # SQL ---------------------------------------------------------------------------------------------------------

    def _sql(self, call: ast.Call) -> Iterator[RuleHit]:
        """SQL built by string formatting reaching ``execute()`` -- or any call, when the text reads as SQL
        (``db.query("select ... '%s'" % name)``, a project's own ``insertDB(conn, sql)`` helper)."""
        method = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
        known = isinstance(call.func, ast.Attribute) and method in SQL_METHODS
        for argument in call.args[:2] if not known else call.args[:1]:
            built = self.built_string(argument)
            if built and (known or any(_SQL_TEXT.match(t) for t in self.literal_text(argument))):
                yield self._sql_hit(call, method, built)
                return

    def _sql_hit(self, call: ast.Call, method: str, built: list[ast.expr]) -> RuleHit:
        taint = next((t for t in (self.critical_taint(b, "sql") for b in built) if t is not None), None)
        pasted = None if taint else pasted_in_quotes(built, self._template, self._safe_paste)
        if taint:
            why = f" from {taint.source} (SQL injection)."
        elif pasted is not None:
            why = (
                f" and pastes `{ast.unparse(pasted)[:60]}` between quotes: a quote in the value ends the SQL "
                "string (SQL injection)."
            )
        else:
            why = "."
        hit = self.hit(
            "security.sql_injection",
            Severity.CRITICAL if taint or pasted is not None else Severity.WARNING,
            f"SQL passed to {method}() is built by string formatting{why}",
            call,
            "Use placeholders and pass the values separately: cursor.execute('... WHERE id = ?', (user_id,)).",
        )
        for b in built:
            hit.lines.update(range(b.lineno, (b.end_lineno or b.lineno) + 1))
        return hit

    # eval / shell / deserialisation ------------------------------------------------------------------------------

    def _injection(self, call: ast.Call, name: str | None) -> Iterator[RuleHit]:
        if name is None or not call.args:
            return
        sink, fix = _injection_sink(call, name, self.aliases)
        if sink is None:
            sink, fix = self._command_helper(call, name)
        if sink is None:
            yield from self._program_name(call, name)
            return
        shell = name in SHELL_CALLS or _shell_true(call) or sink.endswith("as a command line")
        taint = self.critical_taint(call.args[0], "shell" if shell else None)
        if name in FILE_DESERIALISERS and taint is not None and not taint.remote:
            return
        if taint is None and shell:
            taint = self._pasted_argument(call.args[0])
            if taint is not None:
                message = (
                    f"A command line built by string formatting from {taint.source} reaches {sink}: a space, quote "
                    "or `;` in the value changes the command (command injection)."
                )
                yield self.hit("security.injection", Severity.CRITICAL, message, call, fix)
                return
        if taint is None:
            if self.taint.sanitised(call.args[0], "shell"):
                self.lowered.update((test_id, call.lineno) for test_id in _SHELL_TESTS)
            return
        message = f"Data from {taint.source} reaches {sink} (code or command injection)."
        yield self.hit("security.injection", Severity.CRITICAL, message, call, fix)

    def _pasted_argument(self, command: ast.expr) -> Taint | None:
        """A parameter -- of any function, private helpers too -- pasted into a command line by string building:
        however trusted the caller, its value is not quoted for the shell."""
        for built in self.built_string(command):
            # `"%s > out" % command` pastes a whole command line: the caller chose to run it.
            if not _PROGRAM_FIRST.match(first_text(built)):
                continue
            for inside, value in pastes(built, self._template):
                taint = self.taint.taint_of(value)
                taint = taint if taint is not None and taint.reaches("shell") else None
                quoted = inside and escaped(value)  # '%s' % x.replace("'", "'\"'\"'")
                if taint is not None and not quoted and not self._literal_arguments(value):
                    return taint
        return None

    def _literal_arguments(self, value: ast.expr) -> bool:
        """Every parameter ``value`` uses gets a literal from each caller in the module (``_find_tool("clang")``)."""
        used = {n.id for n in ast.walk(value) if isinstance(n, ast.Name) and n.id in self.taint.params}
        return bool(used) and all(self.taint.module.given_literals(self.scope, p) for p in used)

    def _program_name(self, call: ast.Call, name: str) -> Iterator[RuleHit]:
        """``subprocess.Popen([cmd, "-x"])`` or ``subprocess.run(cmd)`` where a request names the program: without a
        shell the arguments are safe, the program is not. Only remote input counts: a function running the program
        its caller names is a process runner, not a flaw."""
        if name not in PROCESS_RUNNERS:
            return
        first = call.args[0]
        code = interpreter_code(first, self.aliases)
        taint = self.critical_taint(code) if code is not None else None
        if taint is not None:
            message = f"Data from {taint.source} is the code an interpreter runs: {name}([..., '-c', code])."
            yield self.hit("security.injection", Severity.CRITICAL, message, call, _INTERPRETER_FIX)
            return
        program = first.elts[0] if isinstance(first, ast.List | ast.Tuple) and first.elts else first
        hit = self._remote_hit(
            "security.injection",
            program,
            call,
            f"Data from {{source}} chooses the program {name}() runs (command injection).",
            "Pick the program from a fixed mapping (COMMANDS[choice]); never let the request name it.",
        )
        if hit is not None:
            yield hit

    def _remote_hit(
        self,
        rule: str,
        value: ast.expr,
        call: ast.Call,
        message: str,
        suggestion: str,
        sink: str | None = None,
    ) -> RuleHit | None:
        """A critical ``rule`` at ``call`` when ``value`` comes from a request or socket (``message`` names it as
        ``{source}``) and was not made safe for a ``sink`` of that kind; None otherwise."""
        taint = self.taint.taint_of(value)
        if taint is None or not taint.remote or not taint.reaches(sink):
            return None
        return self.hit(rule, Severity.CRITICAL, message.format(source=taint.source), call, suggestion)

    def _command_helper(self, call: ast.Call, name: str) -> tuple[str | None, str]:
        """A project's own command runner (``utils.execute(cmd)``, ``self._run_ssh(cmd)``, ``get_output(cmd)``) given
        a command line built by string formatting: as good as a shell, unless the text is quoted."""
        runner = name.rsplit(".", 1)[-1]
        if runner[:1].isupper() or not COMMAND_RUNNER & set(words(runner)):  # SystemExit(...) runs nothing
            return None, ""
        built = self.built_string(call.args[0])
        if not any(reads_as_command(b, runner) for b in built):
            return None, ""
        return (
            f"{name}() as a command line",
            "Pass the command as an argument list (['git', 'show', ref]) or shlex.quote() each value.",
        )

    # paths -------------------------------------------------------------------------------------------------------

    def _path(self, call: ast.Call, name: str | None) -> Iterator[RuleHit]:
        # Test functions get their paths from fixtures such as tmp_path, not from a user.
        if self.target == "tests":
            return
        path: ast.expr | None = None
        if name in PATH_SINKS and call.args:
            path = call.args[-1] if name == "flask.send_from_directory" else call.args[0]
        elif isinstance(call.func, ast.Attribute) and call.func.attr in PATH_METHODS:
            receiver = call.func.value
            if (
                isinstance(receiver, ast.Call)
                and dotted(receiver.func, self.aliases) in ("pathlib.Path", "pathlib.PurePath")
            ) or isinstance(receiver, ast.BinOp | ast.Name):
                path = receiver
        if path is None:
            return
        hit = self._remote_hit(
            "security.path_traversal",
            path,
            call,
            "A file path from {source} is used without validation ('../' reaches any file).",
            "Resolve the path and check it stays inside the base directory: "
            "if not path.resolve().is_relative_to(base.resolve()): raise ValueError(...).",
            sink="path",
        )
        if hit is not None:
            yield hit
        elif not isinstance(self.scope, ast.Module) and self._built_path_from_arguments(path):
            yield self.hit(
                "security.path_traversal",
                Severity.WARNING,
                "A file path built from the function's arguments is used without validation ('../' can escape "
                "the intended directory).",
                call,
                "Resolve the path and check it stays inside the base directory: "
                "if not path.resolve().is_relative_to(base.resolve()): raise ValueError(...).",
            )

    def _counts(self, node: ast.expr) -> bool:
        return self.critical_taint(node, "path") is not None

    def built_string(self, node: ast.expr, seen: frozenset[str] = frozenset()) -> list[ast.expr]:
        """The string-building expressions ``node`` is (or is bound to); empty when it is a plain literal."""
        if isinstance(node, ast.JoinedStr) and any(isinstance(v, ast.FormattedValue) for v in node.values):
            return [node]
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Mod | ast.Add)
            and (self._is_text(node.left) or self._is_text(node.right) or self.built_string(node.left, seen))
            and not (self._is_text(node.left) and self._is_text(node.right))
        ):
            return [node]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and self._is_text(node.func.value)
        ):
            return [node]
        if isinstance(node, ast.Name) and node.id not in seen:
            built: list[ast.expr] = []
            for value in self.taint.bindings.get(node.id, []):
                built.extend(self.built_string(value, seen | {node.id}))
            return built
        return []

    def _is_text(self, node: ast.expr) -> bool:
        """A string literal, or a name bound only to literal text (``query = "SELECT ... %s"``)."""
        if is_text(node):
            return True
        values = self.taint.bindings.get(node.id, []) if isinstance(node, ast.Name) else []
        return bool(values) and all(is_text(v) for v in values)

    def _safe_paste(self, value: ast.expr) -> bool:
        """Shown safe, or escaped (``x.replace("'", "''")``, also through a name bound only to such values)."""
        if self.taint.sanitised(value, "sql") or escaped(value):
            return True
        values = self.taint.bindings.get(value.id, []) if isinstance(value, ast.Name) else []
        return bool(values) and all(escaped(v) for v in values)

    def _template(self, node: ast.expr) -> str | None:
        """The text of a literal template: a string constant, or a name bound to one."""
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in node.values):
            return "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
        if isinstance(node, ast.Name) and self._is_text(node):
            return self._template(self.taint.bindings[node.id][0])
        return None

    def literal_text(self, node: ast.expr, seen: frozenset[str] = frozenset()) -> list[str]:
        """The literal text of the template ``node`` is built on, following names to their values (the values
        pasted in are not followed: ``"x: {}".format(query)`` is no SQL)."""
        if isinstance(node, ast.Constant):
            return [node.value] if isinstance(node.value, str) else []
        if isinstance(node, ast.JoinedStr):
            return [str(v.value) for v in node.values if isinstance(v, ast.Constant)]
        if isinstance(node, ast.Name) and node.id not in seen:
            return [
                t
                for v in self.taint.bindings.get(node.id, [])
                for t in self.literal_text(v, seen | {node.id})
            ]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.literal_text(node.left, seen) + self.literal_text(node.right, seen)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            return self.literal_text(node.left, seen)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            return self.literal_text(node.func.value, seen)
        return []

    def _built_path_from_arguments(self, node: ast.expr, seen: frozenset[str] = frozenset()) -> bool:
        if isinstance(node, ast.Name):
            return node.id not in seen and any(
                self._built_path_from_arguments(v, seen | {node.id})
                for v in self.taint.bindings.get(node.id, [])
            )
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div | ast.Add | ast.Mod):
            return self._counts(node)
        if isinstance(node, ast.JoinedStr):
            return self._counts(node)
        if isinstance(node, ast.Call):
            name = dotted(node.func, self.aliases)
            if name in ("os.path.join", "posixpath.join") or (
                name in ("pathlib.Path", "pathlib.PurePath") and len(node.args) > 1
            ):
                return any(self._counts(a) for a in node.args[1:])
            if name in ("pathlib.Path", "pathlib.PurePath", "str", "os.fspath") and node.args:
                return self._built_path_from_arguments(node.args[0], seen)
        return False


def _injection_sink(call: ast.Call, name: str, aliases: dict[str, str]) -> tuple[str | None, str]:
    """The sink ``call`` is, in words, and how to fix it; ``(None, "")`` when it is no injection sink."""
    if name in CODE_EXECUTION:
        short = name.rsplit(".", 1)[-1]
        return (
            f"{short}()",
            "Parse the data instead (ast.literal_eval, json.loads) or dispatch on a whitelist.",
        )
    if name in SHELL_CALLS:
        return f"{name}()", "Call subprocess.run([...]) with an argument list and no shell."
    if name.startswith("subprocess.") and _shell_true(call):
        return f"{name}(shell=True)", "Pass an argument list and drop shell=True (or shlex.quote each part)."
    if name in DESERIALISERS:
        return f"{name}()", "Deserialise untrusted data with json (or a schema-checked format), never pickle."
    if (name in ("yaml.load", "yaml.load_all") and not _safe_yaml(call, aliases)) or name in (
        "yaml.unsafe_load",
        "yaml.unsafe_load_all",
    ):
        return f"{name}()", "Use yaml.safe_load()."
    return None, ""


def _shell_true(call: ast.Call) -> bool:
    shell = keyword(call, "shell")
    return shell is not None and not (isinstance(shell.value, ast.Constant) and not shell.value.value)


def _safe_yaml(call: ast.Call, aliases: dict[str, str]) -> bool:
    loader = keyword(call, "Loader")
    value = loader.value if loader is not None else (call.args[1] if len(call.args) > 1 else None)
    if value is None:
        return False
    name = dotted(value, aliases) or ""
    return name.rsplit(".", 1)[-1] in SAFE_YAML_LOADERS
