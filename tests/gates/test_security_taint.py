"""Taint tracking: external input reaching a sink is critical; the same sink fed by trusted data keeps its severity."""

from __future__ import annotations

import textwrap

import pytest

from burr_codeagent import Severity

from ._security import criticals, security

TAINTED = {
    "flask_args_into_exec_by_percent": (
        """\
        from flask import request


        def load_module():
            module = request.args.get("module")
            exec("import urllib%s as urllib" % module)
        """,
        ("security.injection", 6),
    ),
    "flask_args_into_yaml_load": (
        """\
        import yaml
        from flask import Flask, request

        app = Flask(__name__)


        @app.route("/load")
        def load():
            data = request.args.get("data")
            return yaml.load(data)
        """,
        ("security.injection", 10),
    ),
    "django_post_into_pickle": (
        """\
        import base64
        import pickle


        def restore(request):
            blob = base64.b64decode(request.POST["state"])
            return pickle.loads(blob)
        """,
        ("security.injection", 7),
    ),
    "fastapi_query_param_of_route_into_shell": (
        """\
        import subprocess

        from fastapi import FastAPI

        app = FastAPI()


        @app.get("/ping")
        def _ping(host: str):
            return subprocess.run(f"ping -c 1 {host}", shell=True, capture_output=True).stdout
        """,
        ("security.injection", 10),
    ),
    "starlette_request_json_into_eval_through_join": (
        """\
        from starlette.requests import Request


        async def _calculate(req: Request):
            payload = await req.json()
            expression = " ".join([payload["left"], "+", payload["right"]])
            return eval(expression)
        """,
        ("security.injection", 7),
    ),
    "sql_with_format_from_request": (
        """\
        from flask import request


        def _search(cursor):
            term = request.form["q"]
            query = "SELECT * FROM items WHERE name = '{}'".format(term)
            cursor.execute(query)
        """,
        ("security.sql_injection", 7),
    ),
    "route_parameter_into_sql_through_a_project_helper": (
        """\
        from flask import Flask

        app = Flask(__name__)


        @app.route("/<page_name>/edit")
        def edit_page(page_name):
            return db.query("select * from page where title = '%s'" % page_name).namedresult()
        """,
        ("security.sql_injection", 8),
    ),
    "open_of_a_request_path": (
        """\
        from flask import request


        def download():
            with open(request.args["file"], "rb") as handle:
                return handle.read()
        """,
        ("security.path_traversal", 5),
    ),
    "ssrf_from_request": (
        """\
        import requests
        from flask import request


        def proxy():
            url = request.args["url"]
            return requests.get(url, timeout=5).text
        """,
        ("security.ssrf", 7),
    ),
    "environment_into_os_system": (
        """\
        import os

        os.system("convert " + os.environ["INPUT_FILE"])
        """,
        ("security.injection", 3),
    ),
    "argv_into_private_helper_into_shell": (
        """\
        import os
        import sys


        def _run(command):
            os.system(command)


        def main():
            target = sys.argv[1]
            _run("ls " + target)
        """,
        ("security.injection", 6),
    ),
    "helper_returning_input_into_eval": (
        """\
        def _ask():
            return input("expression: ")


        def _compute():
            return eval(_ask())
        """,
        ("security.injection", 6),
    ),
    "getenv_into_compile": (
        """\
        import os


        def _startup():
            code = compile(os.getenv("STARTUP", ""), "<env>", "exec")
            exec(code)
        """,
        ("security.injection", 6),
    ),
}


@pytest.mark.parametrize("case", sorted(TAINTED))
def test_external_input_reaching_a_sink_is_critical(case: str) -> None:
    code, expected = TAINTED[case]
    assert expected in criticals(code)


def test_the_message_names_the_source() -> None:
    found = security(TAINTED["flask_args_into_exec_by_percent"][0])
    injection = next(f for f in found if f.rule == "security.injection")
    assert "flask.request.args" in injection.message


def test_sanitised_external_input_is_clean() -> None:
    code = """\
    import os
    import shlex
    from flask import request


    def ping():
        count = int(request.args["count"])
        host = shlex.quote(request.args["host"])
        os.system(f"ping -c {count} {host}")
    """
    assert [f for f in security(code) if f.rule == "security.injection"] == []


def test_a_private_helper_that_cleans_its_argument_cleans_the_call() -> None:
    code = """\
    import os
    from flask import request


    def _number(text):
        return int(text)


    def ping():
        os.system("ping -c %d localhost" % _number(request.args["count"]))
    """
    assert [f for f in security(code) if f.rule == "security.injection"] == []


def test_private_code_generation_with_exec_is_not_critical() -> None:
    # dataclasses._create_fn: a private helper builds source text from what its own module passes it.
    code = """\
    def _create_fn(name, args, body, *, globals=None):
        args = ",".join(args)
        body = "\\n".join(f"  {b}" for b in body)
        txt = f" def {name}({args}):\\n{body}"
        local_vars = ", ".join(["MISSING"])
        txt = f"def __create_fn__({local_vars}):\\n{txt}\\n return {name}"
        ns = {}
        exec(txt, globals, ns)
        return ns["__create_fn__"]()
    """
    found = security(code)
    assert [(f.rule, f.severity) for f in found if f.line == 8] == [("security.B102", Severity.WARNING)]


def test_a_public_function_parameter_still_makes_exec_critical() -> None:
    assert ("security.injection", 2) in criticals("def run(snippet: str) -> None:\n    exec(snippet)\n")


def test_an_http_client_taking_a_url_argument_is_no_ssrf() -> None:
    code = """\
    import requests


    def fetch(url: str) -> str:
        return requests.get(url, timeout=10).text
    """
    assert [f for f in security(code) if f.severity is not Severity.INFO] == []


def test_ssrf_with_a_host_allow_list_is_not_flagged() -> None:
    code = """\
    from urllib.parse import urlparse

    import requests
    from flask import request

    ALLOWED = {"api.example.com"}


    def proxy():
        url = request.args["url"]
        if urlparse(url).hostname not in ALLOWED:
            raise ValueError("host not allowed")
        return requests.get(url, timeout=5).text
    """
    assert criticals(code) == set()


def test_a_request_path_checked_against_the_base_is_not_flagged() -> None:
    code = """\
    from pathlib import Path

    from flask import request

    BASE = Path("/srv/files")


    def download():
        path = (BASE / request.args["file"]).resolve()
        if not path.is_relative_to(BASE):
            raise ValueError("outside")
        return path.read_bytes()
    """
    assert criticals(code) == set()


def test_untainted_exec_and_shell_keep_bandits_severity() -> None:
    code = """\
    import os

    os.system("ls -l /tmp")
    exec("x = 1")
    """
    found = security(code)
    assert {(f.rule, f.severity) for f in found if f.line in (3, 4)} == {
        ("security.B605", Severity.INFO),
        ("security.B607", Severity.INFO),
        ("security.B102", Severity.WARNING),
    }


def test_a_string_that_is_not_sql_passed_to_a_helper_is_no_finding() -> None:
    code = "def greet(name: str) -> None:\n    log.info('hello %s' % name)\n"
    assert [f for f in security(code) if f.rule == "security.sql_injection"] == []


ALLOW_LISTED = {
    "characters_subset": "if not set(expr).issubset(ALLOWED):\n        return ''",
    "characters_le": "if not set(expr) <= ALLOWED:\n        raise ValueError(expr)",
    "digits": "if not expr.isdigit():\n        raise ValueError(expr)",
    "pattern": "if re.fullmatch(r'[0-9+*/ -]+', expr) is None:\n        return ''",
    "membership": "if expr not in ('1 + 1', '2 * 3'):\n        return ''",
}


@pytest.mark.parametrize("case", sorted(ALLOW_LISTED))
def test_an_allow_list_check_on_the_name_cleans_it(case: str) -> None:
    """CWEval's secure `evaluate_expression`: eval after checking every character against an allow-list."""
    code = (
        "import re\n\nALLOWED = set('0123456789+-*/(). ')\n\n\n"
        "def evaluate_expression(expr: str) -> str:\n"
        f"    {ALLOW_LISTED[case]}\n"
        "    return str(eval(expr))\n"
    )
    assert criticals(code) == set()
    unchecked = code.replace(ALLOW_LISTED[case], "print(len(expr))")
    assert ("security.injection", 8) in criticals(unchecked)


def test_a_check_on_another_name_does_not_clean_the_one_evaluated() -> None:
    code = """\
    def evaluate(expr: str, mode: str) -> str:
        if not mode.isalpha():
            return ""
        return str(eval(expr))
    """
    assert ("security.injection", 4) in criticals(code)


def test_membership_in_a_collection_of_data_is_no_allow_list() -> None:
    """SVEN's `if current_source not in old_sources:` then SQL built from it: the check says nothing of safety."""
    code = """\
    def update_sources(sqlite, current_sources: list[str], old_sources: list[str]) -> None:
        for current_source in current_sources:
            if current_source not in old_sources:
                sqlite.execute("INSERT INTO source (source) VALUES (%s)" % current_source)
    """
    assert ("security.sql_injection", 4) in criticals(code)
    allowed = code.replace("not in old_sources", "in ALLOWED_SOURCES").replace(
        "old_sources:", "ALLOWED_SOURCES:"
    )
    assert criticals(allowed) == set()
    # The query runs exactly when the value is *not* allowed: the check cleans nothing on that path.
    inverted = code.replace("old_sources:", "ALLOWED_SOURCES:").replace(
        "in old_sources", "in ALLOWED_SOURCES"
    )
    assert ("security.sql_injection", 4) in criticals(inverted)


def test_a_projects_own_command_runner_given_a_built_command_line_is_injection() -> None:
    """SVEN's isort hook: `get_output("git show :%s" % filename)` runs a shell command built from an argument."""
    code = """\
    import shlex


    def staged_contents(filename: str) -> str:
        return get_output("git show :%s" % filename)


    def volume_attributes(name: str) -> str:
        return run_ssh_command("svcinfo lsvdisk -bytes -delim ! %s" % name)


    def quoted(filename: str) -> str:
        return get_output("git show :%s" % shlex.quote(filename))


    def report(name: str) -> str:
        return run_report("Report for %s" % name)


    def remember(key: str) -> None:
        log_error("git storing key %s failed" % key)
    """
    assert criticals(code) == {("security.injection", 5), ("security.injection", 9)}


def test_a_request_object_used_without_its_import_is_still_the_request() -> None:
    """An excerpt (or a model) that leaves out `from flask import request` still reads what the client sent."""
    code = """\
    def get_key(client: str) -> str:
        token_data = decode_request_token(request.data)
        return open("keys/%s/%s.key" % (client, token_data["key"])).read()
    """
    found = {(f.rule, f.line): f for f in security(code)}
    assert found[("security.path_traversal", 3)].severity is Severity.CRITICAL
    assert "request.data" in found[("security.path_traversal", 3)].message


def test_a_validation_helper_called_on_the_value_cleans_it() -> None:
    """SVEN's fix: `validate_key_name(token_data["key"])` on its own line raises on a bad name."""
    code = """\
    def get_key(client: str) -> str:
        token_data = decode_request_token(request.data)
        validate_key_name(token_data["key"])
        return open("keys/%s/%s.key" % (client, token_data["key"])).read()
    """
    assert criticals(code) == set()
    logged = code.replace("validate_key_name(", "log_key_name(")
    assert ("security.path_traversal", 4) in criticals(logged)


def test_subprocess_check_call_is_a_sink_not_a_validation_helper() -> None:
    """Found by CodeQL's test corpus: `check_call` starts with "check" but runs its argument."""
    code = """\
    import os
    import subprocess

    from flask import request


    def run_it():
        command = request.args.get("command", "")
        os.system(command)
        subprocess.check_call(command)
    """
    assert ("security.injection", 9) in criticals(code)


def test_a_request_naming_the_program_is_injection_a_caller_naming_it_is_not() -> None:
    code = """\
    import subprocess

    from flask import request


    def first_arg_injection():
        cmd = request.args.get("cmd", "")
        subprocess.Popen([cmd, "param1"])


    def fixed_program():
        name = request.args.get("name", "")
        subprocess.run(["ls", "--", name])


    def run(command: list[str]) -> None:
        subprocess.run(command, check=True)
    """
    assert criticals(code) == {("security.injection", 8)}


def test_route_parameters_converted_to_numbers_are_not_sources() -> None:
    """Flask's `<int:foo_id>` and FastAPI's `item_id: int` cannot carry `../`; a plain `<name>` can."""
    code = """\
    import os

    from fastapi import FastAPI
    from flask import Flask

    app = Flask(__name__)
    api = FastAPI()


    @app.route("/int-only/<int:foo_id>")
    def flask_int_only(foo_id):
        return open(os.path.join("/static", str(foo_id))).read()


    @api.get("/items/{item_id}")
    def read_item(item_id: int):
        return open(os.path.join("/static", str(item_id))).read()


    @app.route("/files/<name>")
    def by_name(name):
        return open(os.path.join("/static", name)).read()
    """
    assert {rule for rule, line in criticals(code)} == {"security.path_traversal"}
    assert criticals(code) == {("security.path_traversal", 22)}


def test_a_path_check_that_guards_nothing_does_not_count() -> None:
    """`if npath.startswith(STATIC_DIR): pass` then `open(npath)`: the check changes nothing."""
    code = """\
    import os

    from flask import request

    STATIC_DIR = "/server/static/"


    def unsafe_path_normpath():
        filename = request.args.get("filename", "")
        npath = os.path.normpath(os.path.join(STATIC_DIR, filename))
        if npath.startswith(STATIC_DIR):
            pass
        return open(npath).read()
    """
    assert ("security.path_traversal", 13) in criticals(code)
    guarded = code.replace(
        "            pass\n        return open(npath).read()",
        "            return open(npath).read()\n        return ''",
    )
    assert "pass" not in guarded
    assert criticals(guarded) == set()


def test_which_of_equal_sources_a_finding_names_is_the_same_on_every_check() -> None:
    # Three callers hand the same helper data from three sources: the finding names one of them, always the same,
    # whatever the memory layout of the trees (the analysis once walked its scopes in a set's order).
    module = textwrap.dedent(
        '''\
        """Run commands."""
        import os
        import sys

        from flask import request


        def run(command: str) -> None:
            """Run."""
            os.system("echo " + command)


        def from_web() -> None:
            """Web."""
            run(request.args["c"])


        def from_cli() -> None:
            """Cli."""
            run(sys.argv[1])


        def from_env() -> None:
            """Env."""
            run(os.environ["C"])
        '''
    )
    messages = set()
    layouts = []
    for attempt in range(20):
        layouts.append([bytearray(attempt * 37 % 400 + 1) for _ in range(attempt * 53 % 300 + 1)])
        found = security(module + f"# check {attempt}\n")  # a new source each time: no cached report
        messages.add(tuple(sorted(f.message for f in found if f.rule.startswith("security."))))
    assert len(messages) == 1, messages
