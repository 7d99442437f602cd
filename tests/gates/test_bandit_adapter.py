"""The bandit adapter: it drives bandit's internals, so an upgrade that changes them must fail here first."""

from __future__ import annotations

import threading
import tomllib
from pathlib import Path

import pytest

from burr_codeagent.gates.security._bandit_adapter import SUPPORTED_VERSION, BanditIssue, bandit_version, scan

PROJECT_ROOT = Path(__file__).resolve().parents[2]

VULNERABLE = """\
import subprocess


def run(command):
    subprocess.call(command, shell=True)  # nosec
    return eval(command)
"""


def test_installed_bandit_is_the_pinned_version_the_adapter_supports() -> None:
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert f"bandit=={SUPPORTED_VERSION}" in pyproject["project"]["dependencies"]
    assert bandit_version() == SUPPORTED_VERSION


def test_scan_returns_issues_with_positions_severity_and_cwe() -> None:
    issues = scan(VULNERABLE)
    by_id = {i.test_id: i for i in issues}
    assert by_id["B602"] == BanditIssue(
        test_id="B602",
        test_name="subprocess_popen_with_shell_equals_true",
        severity="HIGH",
        confidence="HIGH",
        text="subprocess call with shell=True identified, security issue.",
        line=5,
        column=5,
        end_line=5,
        end_column=41,
        cwe=78,
    )
    assert (by_id["B307"].line, by_id["B307"].severity) == (6, "MEDIUM")
    assert [i.line for i in issues] == sorted(i.line for i in issues)


def test_nosec_is_ignored_unless_honoured() -> None:
    assert "B602" in {i.test_id for i in scan(VULNERABLE)}
    assert "B602" not in {i.test_id for i in scan(VULNERABLE, honour_nosec=True)}


def test_skip_drops_tests_by_id() -> None:
    assert "B307" not in {i.test_id for i in scan(VULNERABLE, skip=("B307",))}


def test_bandit_works_on_the_tree_not_on_text() -> None:
    source = '"""Call eval(x) or os.system(cmd) with shell=True? Never."""\n# pickle.loads(data)\nTEXT = "eval(1)"\n'
    assert scan(source) == []


def test_scans_from_many_threads_agree() -> None:
    expected = scan(VULNERABLE)
    results: list[list[BanditIssue]] = []

    def worker() -> None:
        results.append(scan(VULNERABLE))

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 6


def test_source_that_does_not_parse_raises_syntax_error() -> None:
    with pytest.raises(SyntaxError):
        scan("def broken(:\n")


def _stock_bandit(source: str) -> list[tuple[str, int, int, str, str, str, int]]:
    """bandit's own visitor and ``process``, untouched: what ``bandit`` on the command line would report."""
    import io

    from bandit.core import meta_ast, metrics, node_visitor

    from burr_codeagent.gates.security._bandit_adapter import _test_set

    data = source.encode()
    counters = metrics.Metrics()
    counters.begin("/codeagent-virtual/solution.py")
    visitor = node_visitor.BanditNodeVisitor(
        "/codeagent-virtual/solution.py",
        io.BytesIO(data),
        meta_ast.BanditMetaAst(),
        _test_set(),
        False,
        {},
        counters,
    )
    visitor.process(data)
    return sorted(
        (
            r.test_id,
            r.lineno,
            r.col_offset + 1,
            r.severity,
            r.confidence,
            r.text,
            max(r.linerange or [r.lineno]),
        )
        for r in visitor.tester.results
    )


STDLIB_SAMPLES = ("subprocess", "tarfile", "pickle", "tempfile", "http.server", "argparse", "pdb")


@pytest.mark.parametrize("module", STDLIB_SAMPLES)
def test_scan_reports_what_stock_bandit_reports(module: str) -> None:
    # The adapter skips bandit's per-node set-up for node types no bandit test looks at and reuses the checker's
    # tree: neither may change a result, on code with many findings of many kinds.
    import ast
    import importlib

    source = Path(str(importlib.import_module(module).__file__)).read_text(encoding="utf-8")
    expected = _stock_bandit(source)
    assert expected, f"{module} should give bandit something to report"
    for tree in (None, ast.parse(source)):
        found = scan(source, tree=tree)
        assert (
            sorted((i.test_id, i.line, i.column, i.severity, i.confidence, i.text, i.end_line) for i in found)
            == expected
        )


PASSWORDS = """
import subprocess

password = "hunter2"


def connect(user, password="hunter2"):
    assert user
    subprocess.call("ls " + user, shell=True)
    return login(user=user, password="hunter2")
"""


@pytest.mark.parametrize("module", ("ftplib", "netrc", "urllib.request", None))
def test_skipped_tests_are_not_run_and_the_rest_report_as_stock_bandit(module: str | None) -> None:
    # The security gate skips bandit's hard-coded password tests (B105-B107) and, in tests, B101: they are not run
    # at all, and nothing else changes.
    import importlib

    source = PASSWORDS if module is None else Path(str(importlib.import_module(module).__file__)).read_text()
    skip = ("B101", "B105", "B106", "B107")
    stock = _stock_bandit(source)
    expected = [issue for issue in stock if issue[0] not in skip]
    assert len(expected) < len(stock), f"{module} should have findings of a skipped test"
    found = scan(source, skip=skip)
    assert sorted(
        (i.test_id, i.line, i.column, i.severity, i.confidence, i.text, i.end_line) for i in found
    ) == (expected)


def test_bidirectional_control_characters_are_still_found() -> None:
    # The adapter skips bandit's whole-file test (B613) when the source has no bidi character; with one it runs.
    source = 'access_level = "user"\nif access_level != "none\u202e \u2066# Check if admin\u2069 \u2066":\n    pass\n'
    assert "B613" in {i.test_id for i in scan(source)}
    assert "B613" not in {i.test_id for i in scan('access_level = "user"\n')}


def test_the_context_read_once_answers_as_bandits_own() -> None:
    # The tests of a node read its name through bandit's Context properties, which only look the node's context
    # dict up; the adapter reads them once per node instead (a stock Context where they are not plain properties).
    import ast

    from bandit.core import context as b_context

    from burr_codeagent.gates.security._bandit_adapter import _LOOKUP_PROPERTIES, _read_once_context_class

    call = ast.parse("subprocess.run(cmd, shell=True)").body[0].value  # type: ignore[attr-defined]
    raw = {"qualname": "subprocess.run", "name": "run", "node": call, "call": call, "imports": {"subprocess"}}
    stock, read_once = b_context.Context(raw), _read_once_context_class()(raw)
    assert type(read_once) is not b_context.Context
    for name in (*_LOOKUP_PROPERTIES, "call_keywords", "call_args_count", "string_val", "filename"):
        assert getattr(read_once, name) == getattr(stock, name), name
    assert read_once.call_function_name_qual == "subprocess.run"


def test_blacklisted_calls_are_found_as_by_stock_bandit() -> None:
    # bandit's blacklist test runs only on calls its lists can name; every way of naming one still reports.
    source = (
        "import pickle\npickle.loads(b'x')\n__import__('telnetlib')\nimport importlib\n"
        "importlib.import_module('telnetlib')\nimportlib.__import__('ftplib')\nimport marshal as m\nm.loads(b'')\n"
        "from xml.etree.ElementTree import parse\nparse(f)\n__import__()\nfrom os import system\nsystem('ls')\n"
    )
    expected = _stock_bandit(source)
    assert {issue[0] for issue in expected} >= {"B301", "B302", "B314", "B401", "B402"}
    found = scan(source)
    assert sorted(
        (i.test_id, i.line, i.column, i.severity, i.confidence, i.text, i.end_line) for i in found
    ) == (expected)


EVERY_FILTERED_CALL_TEST = """
import subprocess, os, ssl, logging.config, tarfile, paramiko, flask
from pysnmp.hlapi import CommunityData, UsmUserData
exec("x")
logging.config.listen(9999)
CommunityData("public", mpModel=0)
UsmUserData("user")
ssl.wrap_socket(sock)
ssl.wrap_socket(sock, ssl_version=ssl.PROTOCOL_SSLv2)
SSL.Context(method=SSL.SSLv2_METHOD)
some_call(ssl_version=ssl.PROTOCOL_TLSv1)
client = paramiko.SSHClient()
client.set_missing_host_key_policy(paramiko.AutoAddPolicy)
client.exec_command("ls " + arg)
subprocess.Popen("ls " + arg, shell=True)
subprocess.call(["ls", arg])
os.system("ls " + arg)
os.execl("ls", arg)
subprocess.Popen("ls")
subprocess.Popen("chmod 777 *", shell=True)
run_it(cmd, shell=True)
os.chmod("/etc/passwd", 0o777)
tarfile.open(p).extractall()
flask.Flask(__name__).run(debug=True)
"""


def test_call_tests_run_only_on_calls_they_can_report_and_report_as_stock_bandit() -> None:
    # Most of bandit's call tests find something only for given function names or keyword arguments; they are
    # not run on other calls. Each of them still reports where stock bandit does.
    expected = _stock_bandit(EVERY_FILTERED_CALL_TEST)
    reported = {issue[0] for issue in expected}
    assert reported >= {"B102", "B103", "B201", "B202", "B502", "B504", "B507", "B508", "B509", "B601"}
    assert reported >= {"B602", "B603", "B604", "B605", "B606", "B607", "B609", "B612"}
    found = scan(EVERY_FILTERED_CALL_TEST)
    assert sorted(
        (i.test_id, i.line, i.column, i.severity, i.confidence, i.text, i.end_line) for i in found
    ) == (expected)
