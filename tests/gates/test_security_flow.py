"""Sanitising checks follow the branches: a check cleans a value only on the paths where it holds."""

from __future__ import annotations

from burr_codeagent import Severity

from ._security import criticals, security


def test_an_allow_list_check_cleans_its_branch_only() -> None:
    code = """\
    from flask import request

    ALLOWED = {"up", "down"}


    def move():
        direction = request.args["direction"]
        if direction in ALLOWED:
            return eval(direction)
        return eval(direction)
    """
    assert criticals(code) == {("security.injection", 10)}


def test_a_check_that_exits_cleans_the_rest_of_the_block() -> None:
    code = """\
    from flask import abort, request


    def lookup():
        user_id = request.args["id"]
        if not user_id.isdigit():
            abort(400)
        return eval(user_id)
    """
    assert criticals(code) == set()
    logged = code.replace("abort(400)", "print('not a number')")
    assert criticals(logged) == {("security.injection", 8)}


def test_a_check_after_the_sink_cleans_nothing() -> None:
    code = """\
    import re

    from flask import request


    def run():
        expr = request.args["expr"]
        value = eval(expr)
        if not re.fullmatch(r"[0-9+ ]+", expr):
            return None
        return value
    """
    assert criticals(code) == {("security.injection", 8)}


def test_equality_with_literals_is_an_allow_list() -> None:
    """CodeQL's safe handler: `if obj_name == "foo" or obj_name == "bar": eval(obj_name)`."""
    code = """\
    from flask import request


    def code_execution():
        foo = 42
        bar = 43
        obj_name = request.args.get("obj")
        if obj_name == "foo" or obj_name == "bar":
            return eval(obj_name) * 10
        return 0
    """
    assert criticals(code) == set()
    either = code.replace('obj_name == "foo" or obj_name == "bar"', 'obj_name == "foo" or foo == bar')
    assert criticals(either) == {("security.injection", 9)}


def test_a_command_of_checked_characters_is_not_critical_even_for_bandit() -> None:
    """CodeQL's `if re.match(r'^[a-zA-Z0-9_-]+$', path): os.system("ls " + path)`: bandit's B605 is lowered."""
    code = """\
    import os
    import re

    from flask import request


    def restricted_characters():
        path = request.args.get("path", "")
        if re.match(r"^[a-zA-Z0-9_-]+$", path):
            os.system("ls " + path)
    """
    assert criticals(code) == set()
    assert any(f.rule == "security.B605" and f.severity is Severity.WARNING for f in security(code))
    unchecked = code.replace('if re.match(r"^[a-zA-Z0-9_-]+$", path):', "if path:")
    assert criticals(unchecked) == {("security.injection", 10)}


def test_a_command_of_unknown_origin_keeps_bandits_critical() -> None:
    code = """\
    import os


    def listing(self):
        os.system("ls " + self.path)
    """
    assert ("security.B605", 5) in criticals(code)


def test_a_normalised_path_checked_against_the_base_is_safe_on_that_path_only() -> None:
    code = """\
    import os

    from flask import abort, request

    BASE = "/srv/files"


    def download():
        path = os.path.realpath(os.path.join(BASE, request.args["name"]))
        if not path.startswith(BASE + os.sep):
            abort(403)
        return open(path).read()
    """
    assert criticals(code) == set()
    late = code.replace(
        "        if not path.startswith(BASE + os.sep):\n            abort(403)\n        return open(path).read()",
        "        data = open(path).read()\n        if not path.startswith(BASE + os.sep):\n            abort(403)\n"
        "        return data",
    )
    assert criticals(late) == {("security.path_traversal", 10)}
    unresolved = code.replace("os.path.realpath(os.path.join(BASE, request.args[\"name\"]))",
                              "os.path.join(BASE, request.args[\"name\"])")  # fmt: skip
    assert criticals(unresolved) == {("security.path_traversal", 12)}


def test_rebinding_a_checked_name_ends_the_check() -> None:
    code = """\
    from flask import request


    def run():
        expr = request.args["a"]
        if expr not in ("1", "2"):
            return None
        expr = request.args["b"]
        return eval(expr)
    """
    assert criticals(code) == {("security.injection", 9)}


def test_a_cleaning_call_cleans_for_its_own_kind_of_sink_only() -> None:
    """`os.path.basename` keeps `;` and `$(...)`, `html.escape` keeps what SQL needs, `shlex.quote` keeps `../`."""
    code = """\
    import html
    import os
    import shlex

    from flask import request


    def fetch(cursor):
        base = os.path.basename(request.args["url"])
        os.system("shasum -c %s.sha256" % base)
        name = html.escape(request.args["name"])
        cursor.execute("SELECT * FROM users WHERE name = '%s'" % name)
        path = shlex.quote(request.args["path"])
        return open(path).read()


    def fine(cursor):
        os.system("shasum -c %s.sha256" % shlex.quote(request.args["url"]))
        return open(os.path.basename(request.args["path"])).read()
    """
    assert criticals(code) == {
        ("security.injection", 10),
        ("security.sql_injection", 12),
        ("security.path_traversal", 14),
    }
