"""A small adapter over bandit's internals, so the rest of the package never touches them.

Bandit's maintainers promise a command line, not a library API. This module drives the same objects the command
line does (a test set built from the loaded plugins and the AST node visitor) on a string held in memory, and turns
bandit's ``Issue`` objects into plain :class:`BanditIssue` records. It is written against the pinned version
(:data:`SUPPORTED_VERSION`); ``tests/gates/test_bandit_adapter.py`` fails first if an upgrade changes what it uses.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import logging
import threading
import tokenize
import warnings
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from .._shared import NODE_FIELDS, SHARED_NODE_CLASSES, node_fields
from .._warnings import caught_warnings

__all__ = ["SUPPORTED_VERSION", "BanditIssue", "bandit_version", "scan", "warm_up"]

SUPPORTED_VERSION = "1.9.4"
"""The bandit release this adapter is written and tested against (pinned in pyproject.toml)."""

# Bandit keeps per-run state on objects it shares (the test set, its plugin manager); nothing promises that two
# scans may run at once, and the checker runs gates in threads, so scans take turns.
_LOCK = threading.Lock()
# A path in no package, so bandit names the module without looking at the working directory.
_VIRTUAL_DIR = "/codeagent-virtual"


@dataclass(frozen=True)
class BanditIssue:
    """One bandit result. Lines and columns are 1-based; ``end_column`` is exclusive."""

    test_id: str
    test_name: str
    severity: str
    confidence: str
    text: str
    line: int
    column: int
    end_line: int
    end_column: int | None
    cwe: int


def bandit_version() -> str:
    """The installed bandit version."""
    with _quiet_import():
        import bandit

    return str(bandit.__version__)


@contextlib.contextmanager
def _quiet_import() -> Iterator[None]:
    # bandit 1.9.4 passes stevedore an argument stevedore deprecated, and loading its extensions logs an ERROR for
    # the optional SARIF formatter (it needs sarif_om, which we do not use): bandit's business, not the user's.
    # Its report formatters (two thirds of the extension loading at import) are never used here: none is loaded.
    from stevedore import extension

    stevedore_log = logging.getLogger("stevedore.extension")
    level = stevedore_log.level
    stevedore_log.setLevel(logging.CRITICAL)
    original = extension.ExtensionManager.list_entry_points

    def without_formatters(manager: Any) -> Any:
        return [] if manager.namespace == "bandit.formatters" else original(manager)

    extension.ExtensionManager.list_entry_points = without_formatters  # type: ignore[method-assign,assignment]
    try:
        with caught_warnings():
            warnings.filterwarnings("ignore", message="The verify_requirements", category=DeprecationWarning)
            yield
    finally:
        extension.ExtensionManager.list_entry_points = original  # type: ignore[method-assign]
        stevedore_log.setLevel(level)


@functools.cache
def _test_set() -> Any:
    from ._bandit_loader import load_test_set

    with _quiet_import():
        return load_test_set()


def warm_up() -> None:
    """Import bandit and build its test set now (the first scan otherwise pays for it)."""
    with _LOCK:
        _test_set()


def scan(
    source: str,
    *,
    filename: str = "solution.py",
    honour_nosec: bool = False,
    skip: Collection[str] = (),
    tree: ast.Module | None = None,
) -> list[BanditIssue]:
    """Run every bandit test over ``source`` and return its issues in source order.

    ``honour_nosec`` makes ``# nosec`` comments silence bandit as on the command line; it is off by default because code
    written by a model must not be able to switch off its own security review. ``skip`` lists test ids (``B101``) whose
    issues are dropped. ``tree`` is ``source`` already parsed (bandit otherwise parses it again); bandit annotates its
    nodes with ``_bandit_parent`` and ``_bandit_sibling``; the parent links are taken off again as the walk leaves each
    node (they would hold the tree in reference cycles). Raises :class:`SyntaxError` when the source does not parse, and
    :class:`RuntimeError` when bandit's internals are not what this adapter expects.
    """
    data = source.encode("utf-8")
    path = f"{_VIRTUAL_DIR}/{filename}"
    with _LOCK:
        try:
            tests = _test_set()
            from bandit.core import meta_ast, metrics
        except ImportError as exc:  # pragma: no cover - only with a broken install
            raise RuntimeError(f"bandit is not importable: {exc}") from exc
        # bandit's nosec pattern is case-sensitive: without the word there is no comment to parse (and no need to
        # import bandit's manager, which pulls in rich.progress).
        nosec = _nosec_lines(data) if honour_nosec and b"nosec" in data else {}
        try:
            counters = metrics.Metrics()
            counters.begin(path)
            visitor = _visitor_class()(
                path, io.BytesIO(data), meta_ast.BanditMetaAst(), tests, False, nosec, counters
            )
            # Per-node score aggregation costs a fifth of a scan and only feeds bandit's own report.
            visitor.update_scores = _ignore_scores
            if not nosec:
                visitor.tester = _tester_class()(tests, False, nosec, counters)
                visitor.tester.skipped = frozenset(skip)
            visitor.examined = _examined_node_types(tests)
            visitor.generic_visit(ast.parse(data) if tree is None else tree)
            if not _file_tests_find_nothing(tests, source):
                visitor.run_file_tests()
            results = list(visitor.tester.results)
        except (AttributeError, TypeError) as exc:
            raise RuntimeError(
                f"bandit {bandit_version()} does not match the adapter (written for {SUPPORTED_VERSION}): {exc}"
            ) from exc
    issues = [_to_issue(result) for result in results if result.test_id not in skip]
    return sorted(issues, key=lambda i: (i.line, i.column, i.test_id))


@functools.cache
def _visitor_class() -> Any:
    """bandit's node visitor, driven as its ``process`` drives it, that sets up a test context only for the node
    types a test or a ``visit_`` method looks at.

    For every other node (names, operators, most expressions: two thirds of a tree) bandit builds a context dict,
    computes a line range and logs twice, then finds no test to run; skipping that work is a third of a scan and
    changes no result. The walk itself (and the ``_bandit_parent``/``_bandit_sibling`` links tests rely on) is
    bandit's, copied from ``BanditNodeVisitor.generic_visit`` of the supported version, except that it leaves out
    the nodes :func:`ast.parse` shares between all trees (``Load``, ``Add``, ``Eq`` ...: childless, and no test
    looks at them): linked to their last parent, one of them kept the last scanned tree alive until the next scan.
    A node's ``_bandit_parent`` link is taken off again when its subtree has been visited.
    """
    from bandit.core import node_visitor
    from bandit.core.utils import linerange, namespace_path_split

    class Visitor(node_visitor.BanditNodeVisitor):  # type: ignore[misc]
        examined: frozenset[str] = frozenset()
        namespace: str  # set by bandit's __init__ and visit_ methods

        def generic_visit(self, node: ast.AST) -> None:
            # ``ast.iter_fields`` and a call per node, unrolled: this loop runs once per node of the tree. Only the
            # fields that may hold nodes are read (see ``node_fields``), and a node with no such field (a name,
            # ``pass``) is not walked into: bandit's walk would find nothing there.
            examined, tree_node, shared = self.examined, ast.AST, SHARED_NODE_CLASSES
            constant, text, fields_of = ast.Constant, (str, bytes), NODE_FIELDS
            # bandit's visit of a constant does something only for a string or bytes that is not a statement of
            # its own (a docstring): the others, a third of a module's examined nodes, are passed by.
            statement = node.__class__ is ast.Expr
            fields = fields_of.get(node.__class__)
            for name in node_fields(node.__class__) if fields is None else fields:
                value = getattr(node, name, None)
                if value.__class__ is list:
                    last = len(value) - 1
                    for index, item in enumerate(value):
                        if isinstance(item, tree_node) and item.__class__ not in shared:
                            item._bandit_sibling = value[index + 1] if index < last else None  # type: ignore[attr-defined]
                            item._bandit_parent = node  # type: ignore[attr-defined]
                            kind = item.__class__
                            if kind.__name__ in examined:
                                if kind is not constant or (isinstance(item.value, text) and not statement):  # type: ignore[attr-defined]
                                    self._visit_examined(item)
                            elif fields_of.get(kind) != ():  # something below it may be examined
                                self.generic_visit(item)
                            del item._bandit_parent  # type: ignore[attr-defined]  # see below
                elif isinstance(value, tree_node) and value.__class__ not in shared:
                    value._bandit_sibling = None  # type: ignore[attr-defined]
                    value._bandit_parent = node  # type: ignore[attr-defined]
                    kind = value.__class__
                    if kind.__name__ in examined:
                        if kind is not constant or (isinstance(value.value, text) and not statement):  # type: ignore[attr-defined]
                            self._visit_examined(value)
                    elif fields_of.get(kind) != ():
                        self.generic_visit(value)
                    # Its subtree is done: tests walk up from the node they look at (its ancestors are still
                    # linked), never from one visited before. Left in place, each link closed a reference cycle
                    # with the parent's field, and the tree waited for the collector (15 ms on 6,400 lines).
                    del value._bandit_parent  # type: ignore[attr-defined]

        def _visit_examined(self, node: ast.AST) -> None:
            if self.pre_visit(node):
                self.visit(node)
                self.generic_visit(node)
                self.post_visit(node)

        def pre_visit(self, node: ast.AST) -> bool:
            """bandit's ``pre_visit`` (the node's context) without its debug logging and depth bookkeeping, which
            only serve ``--debug`` output: a tenth of a scan."""
            context: dict[str, Any] = {"imports": self.imports, "import_aliases": self.import_aliases}
            if hasattr(node, "lineno"):
                context["lineno"] = node.lineno
            if hasattr(node, "col_offset"):
                context["col_offset"] = node.col_offset
            if hasattr(node, "end_col_offset"):
                context["end_col_offset"] = node.end_col_offset
            context["node"] = node
            context["linerange"] = linerange(node)
            context["filename"] = self.fname
            context["file_data"] = self.fdata
            self.context = context
            return True

        def post_visit(self, node: ast.AST) -> None:
            """bandit's ``post_visit``: leaving a function or class leaves its namespace."""
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                self.namespace = namespace_path_split(self.namespace)[0]

        def run_file_tests(self) -> None:
            """The tests that read the whole file rather than a node (the end of ``process``)."""
            self.context = {
                "file_data": self.fdata,
                "filename": self.fname,
                "lineno": 0,
                "linerange": [0, 1],
                "col_offset": 0,
            }
            self.update_scores(self.tester.run_tests(self.context, "File"))

    return Visitor


@functools.cache
def _tester_class() -> Any:
    """bandit's tester for a source without ``# nosec`` comments: ``run_tests`` as bandit's, less what only
    matters with such comments or for bandit's own report, and without the tests whose results are dropped.

    Per node and test bandit copies the context with :func:`copy.copy`, looks the node's lines up in the (empty)
    table of ``nosec`` comments, logs at debug level and adds up severity scores nobody reads here: together
    about a third of a scan. Here the tests of one node share one context (no bandit test writes to it), and a
    test whose id is in ``skipped`` (the scan's ``skip``) is not run at all. The test calls and the fields set on
    each result are bandit's, copied from ``BanditTester.run_tests`` of the supported version
    (``tests/gates/test_bandit_adapter.py`` compares whole scans with stock bandit's).
    """
    from bandit.core import tester as b_tester

    context_class = _read_once_context_class()

    class Tester(b_tester.BanditTester):  # type: ignore[misc]
        skipped: frozenset[str] = frozenset()

        def run_tests(self, raw_context: dict[str, Any], checktype: str) -> None:
            context = context_class(raw_context)
            tests = self._tests_of(checktype)
            if checktype == "Call":
                tests = _tests_for_call(self._call_requirements(tests), raw_context)
            for test, config in tests:
                try:
                    result = test(context) if config is _NO_CONFIG else test(context, config)
                    if result is not None:
                        _complete(result, test, raw_context)
                        self.results.append(result)
                except Exception as exc:  # as bandit: a failing test is reported, the scan goes on
                    self.report_error(test.__name__, context, exc)

        def _tests_of(self, checktype: str) -> list[tuple[Any, Any]]:
            """The tests to run on a node of ``checktype`` with their configuration, looked up once per scan."""
            prepared: dict[str, list[tuple[Any, Any]]] = self.__dict__.setdefault("_prepared", {})
            found = prepared.get(checktype)
            if found is None:
                found = prepared[checktype] = [
                    (
                        _call_blacklist(test) if checktype == "Call" else test,
                        getattr(test, "_config", _NO_CONFIG),
                    )
                    for test in self.testset.get_tests(checktype)
                    if getattr(test, "_test_id", None) not in self.skipped
                ]
            return found

        def _call_requirements(self, tests: list[tuple[Any, Any]]) -> list[tuple[Any, Any, Any]]:
            """The call tests with what a call needs for each to find anything (:func:`_call_requirement`)."""
            found: list[tuple[Any, Any, Any]] | None = self.__dict__.get("_call_requirements_found")
            if found is None:
                found = self.__dict__["_call_requirements_found"] = [
                    (test, config, _call_requirement(test, config)) for test, config in tests
                ]
            return found

    return Tester


_NO_CONFIG = object()


def _tests_for_call(tests: list[tuple[Any, Any, Any]], raw_context: dict[str, Any]) -> list[tuple[Any, Any]]:
    """The call tests, in bandit's order, less those the call cannot meet the requirement of."""
    qualname, name, node = raw_context.get("qualname"), raw_context.get("name"), raw_context.get("node")
    if not isinstance(qualname, str) or not isinstance(name, str) or not isinstance(node, ast.Call):
        return [(test, config) for test, config, _ in tests]
    keywords = {keyword.arg for keyword in node.keywords}
    chosen = []
    for test, config, need in tests:
        if need is not None:
            kind, wanted = need
            if kind == "qualname":
                if qualname not in wanted:
                    continue
            elif kind == "name":
                if name not in wanted:
                    continue
            elif kind == "keyword":
                if keywords.isdisjoint(wanted):
                    continue
            elif kind == "name holds":
                if wanted not in name:
                    continue
            elif kind == "qualname ends" and not qualname.endswith(wanted):
                continue
        chosen.append((test, config))
    return chosen


# What a call must have for each of these bandit tests to find anything, read from the tests of the supported
# version (each returns nothing otherwise): its qualified name, its name, a keyword argument. Most calls meet none,
# and a test call costs more than the look-up.
_FIXED_REQUIREMENTS: dict[tuple[str, str], tuple[str, Any]] = {
    ("B102", "exec_used"): ("qualname", frozenset({"exec"})),
    ("B612", "logging_config_insecure_listen"): ("qualname", frozenset({"logging.config.listen"})),
    ("B508", "snmp_insecure_version_check"): ("qualname", frozenset({"pysnmp.hlapi.CommunityData"})),
    ("B509", "snmp_crypto_check"): ("qualname", frozenset({"pysnmp.hlapi.UsmUserData"})),
    ("B504", "ssl_with_no_version"): ("qualname", frozenset({"ssl.wrap_socket"})),
    ("B601", "paramiko_calls"): ("name", frozenset({"exec_command"})),
    ("B507", "ssh_no_host_key_verification"): ("name", frozenset({"set_missing_host_key_policy"})),
    ("B604", "any_other_function_with_shell_equals_true"): ("keyword", frozenset({"shell"})),
    ("B502", "ssl_with_bad_version"): ("keyword", frozenset({"method", "ssl_version"})),
    ("B103", "set_bad_file_permissions"): ("name holds", "chmod"),
    ("B202", "tarfile_unsafe_members"): ("name holds", "extractall"),
    ("B201", "flask_debug_true"): ("qualname ends", ".run"),
}
# The tests of process starts: the qualified names come from their configuration (``shell``, ``subprocess``,
# ``no_shell`` lists of functions).
_CONFIGURED_REQUIREMENTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("B602", "subprocess_popen_with_shell_equals_true"): ("subprocess",),
    ("B603", "subprocess_without_shell_equals_true"): ("subprocess",),
    ("B605", "start_process_with_a_shell"): ("shell",),
    ("B606", "start_process_with_no_shell"): ("no_shell",),
    ("B607", "start_process_with_partial_path"): ("subprocess", "shell", "no_shell"),
    ("B609", "linux_commands_wildcard_injection"): ("shell", "subprocess"),
}


def _call_requirement(test: Any, config: Any) -> tuple[str, Any] | None:
    """What a call needs for ``test`` to find anything; None: the test runs on every call."""
    key = (getattr(test, "_test_id", ""), getattr(test, "__name__", ""))
    if key in _FIXED_REQUIREMENTS:
        return _FIXED_REQUIREMENTS[key]
    lists = _CONFIGURED_REQUIREMENTS.get(key)
    if lists is None or not isinstance(config, dict):
        return None
    if not all(isinstance(config.get(name), list | tuple) for name in lists):
        return None  # configured otherwise than bandit's defaults: run it
    return "qualname", frozenset(qualname for name in lists for qualname in config[name])


def _call_blacklist(test: Any) -> Any:
    """bandit's blacklist test (B001) for calls, run only on a call its lists can name: ``__import__``,
    ``importlib``'s imports (whose first argument is the name) and the qualified names the blacklists hold. For any
    other call bandit's test compares the name with every listed one and finds nothing: a fortieth of a scan.
    Any other test is returned as it is."""
    from bandit.core import blacklisting

    if test is not blacklisting.blacklist:
        return test
    config = getattr(test, "_config", None)
    if not isinstance(config, dict) or not isinstance(config.get("Call"), list):
        return test
    listed = frozenset(qualname for check in config["Call"] for qualname in check["qualnames"])
    by_argument = ("importlib.import_module", "importlib.__import__")

    def blacklist(context: Any, config: Any) -> Any:
        func = context.node.func
        if not (isinstance(func, ast.Name) and func.id == "__import__"):
            name = context.call_function_name_qual
            if name not in listed and name not in by_argument:
                return None
        return test(context, config)

    blacklist.__name__ = test.__name__
    blacklist._test_id = test._test_id  # type: ignore[attr-defined]  # read when a result is completed
    return blacklist


# bandit's Context properties that only look a key up in the node's context dict, which no test writes to: the
# tests of a call ask for its name 40,000 times in a scan of a large module.
_LOOKUP_PROPERTIES = {"call_function_name_qual": "qualname", "call_function_name": "name", "node": "node"}


@functools.cache
def _read_once_context_class() -> Any:
    """bandit's ``Context`` with the :data:`_LOOKUP_PROPERTIES` read from the context dict once, when it is made,
    instead of on every access; bandit's own class when one of them is not the plain property it expects."""
    from bandit.core import context as b_context

    stock = b_context.Context
    if not all(isinstance(vars(stock).get(name), property) for name in _LOOKUP_PROPERTIES):
        return stock

    class ReadOnceContext(stock):  # type: ignore[misc,valid-type]
        call_function_name_qual: Any = None  # plain class attributes hide the properties: set per instance
        call_function_name: Any = None
        node: Any = None

        def __init__(self, context_object: dict[str, Any]) -> None:
            self._context = context_object
            self.call_function_name_qual = context_object.get("qualname")
            self.call_function_name = context_object.get("name")
            self.node = context_object.get("node")

    return ReadOnceContext


def _complete(result: Any, test: Any, context: dict[str, Any]) -> None:
    """Fill in what bandit's ``run_tests`` fills in on a test's result from the node's context."""
    filename = context["filename"]
    result.fname = filename.decode("utf-8") if isinstance(filename, bytes) else filename
    result.fdata = context["file_data"]
    if result.lineno is None:
        result.lineno = context["lineno"]
    if result.linerange == []:
        result.linerange = context["linerange"]
    if result.col_offset == -1:
        result.col_offset = context["col_offset"]
    result.end_col_offset = context.get("end_col_offset", 0)
    result.test = test.__name__
    if result.test_id == "":
        result.test_id = test._test_id


def _file_tests_find_nothing(tests: Any, source: str) -> bool:
    """Whether bandit's whole-file tests cannot report anything on ``source``: its only one (B613, trojansource)
    looks for bidirectional control characters, line by line, and there is none (a twelfth of a scan saved)."""
    from bandit.plugins import trojansource

    only_trojansource = all(test is trojansource.trojansource for test in tests.get_tests("File"))
    return only_trojansource and not any(char in source for char in trojansource.BIDI_CHARACTERS)


def _examined_node_types(tests: Any) -> frozenset[str]:
    """Node class names bandit does something for: a test is registered for it, or the visitor has a method."""
    from bandit.core import node_visitor

    methods = {
        name[len("visit_") :] for name in dir(node_visitor.BanditNodeVisitor) if name.startswith("visit_")
    }
    return frozenset(methods | set(tests.tests))


def _ignore_scores(scores: object) -> None:
    """Stands in for ``BanditNodeVisitor.update_scores``; results are read from the tester, not the scores."""


def _nosec_lines(data: bytes) -> dict[int, set[str] | None]:
    from bandit.core import manager

    lines: dict[int, set[str] | None] = {}
    try:
        for token in tokenize.tokenize(io.BytesIO(data).readline):
            if token.type == tokenize.COMMENT:
                parsed = manager._parse_nosec_comment(token.string)
                if parsed is not None:
                    lines[token.start[0]] = parsed
    except tokenize.TokenError:
        pass
    return lines


def _to_issue(result: Any) -> BanditIssue:
    line = int(result.lineno)
    line_range = [int(n) for n in (result.linerange or [line])]
    col = int(result.col_offset) if result.col_offset is not None and result.col_offset >= 0 else 0
    end_col = int(result.end_col_offset) if result.end_col_offset else None
    return BanditIssue(
        test_id=str(result.test_id),
        test_name=str(result.test),
        severity=str(result.severity),
        confidence=str(result.confidence),
        text=str(result.text),
        line=line,
        column=col + 1,
        end_line=max(line_range),
        end_column=end_col + 1 if end_col is not None else None,
        cwe=int(result.cwe.id),
    )
