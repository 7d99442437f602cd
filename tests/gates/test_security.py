"""The security gate: known-vulnerable snippets are caught, look-alikes and clean reference code are not."""

from __future__ import annotations

import textwrap

import pytest

from burr_codeagent import AgentConfig, Severity, check
from burr_codeagent.gates.base import GateContext
from burr_codeagent.gates.security import SecurityGate
from burr_codeagent.models import Finding

from .reference_solutions import REFERENCE_SOLUTIONS


def run_security(code: str, test_code: str | None = None, **options: object) -> list[Finding]:
    """Check with only the security gate (through the public ``check``)."""
    gates: dict[str, object] = {"enable": ["security"]}
    if options:
        gates["options"] = {"security": options}
    config = AgentConfig(enable_code_execution=False, tracking=False, gates=gates)
    return check(textwrap.dedent(code), test_code, config=config).findings


def rules_at(findings: list[Finding], severity: Severity | None = None) -> set[tuple[str, int | None]]:
    return {(f.rule, f.line) for f in findings if severity is None or f.severity is severity}


# -- known-vulnerable snippets -------------------------------------------------------------------------------------

VULNERABLE = {
    "shell_true_with_argument": (
        """\
        import subprocess


        def archive(name: str) -> None:
            subprocess.run(f"tar czf backup.tgz {name}", shell=True, check=True)
        """,
        "security.injection",
        Severity.CRITICAL,
        5,
    ),
    "os_system_with_input": (
        """\
        import os

        host = input("host: ")
        os.system("ping -c 1 " + host)
        """,
        "security.injection",
        Severity.CRITICAL,
        4,
    ),
    "sql_fstring": (
        """\
        import sqlite3


        def find_user(conn: sqlite3.Connection, username: str) -> list[tuple[str]]:
            cursor = conn.cursor()
            cursor.execute(f"SELECT * FROM users WHERE name = '{username}'")
            return cursor.fetchall()
        """,
        "security.sql_injection",
        Severity.CRITICAL,
        6,
    ),
    "sql_percent_through_variable": (
        """\
        def delete_order(cursor, order_id):
            query = "DELETE FROM orders WHERE id = %s" % order_id
            cursor.execute(query)
        """,
        "security.sql_injection",
        Severity.CRITICAL,
        3,
    ),
    "sql_concatenation": (
        """\
        def lookup(db, email):
            return db.execute("SELECT id FROM accounts WHERE email = '" + email + "'").fetchone()
        """,
        "security.sql_injection",
        Severity.CRITICAL,
        2,
    ),
    "pickle_loads_of_argument": (
        """\
        import pickle


        def restore(blob: bytes) -> object:
            return pickle.loads(blob)
        """,
        "security.injection",
        Severity.CRITICAL,
        5,
    ),
    "yaml_load_without_loader": (
        """\
        import yaml


        def read_config(text: str) -> dict:
            return yaml.load(text)
        """,
        "security.injection",
        Severity.CRITICAL,
        5,
    ),
    "eval_of_input": (
        """\
        expression = input("expression: ")
        print(eval(expression))
        """,
        "security.injection",
        Severity.CRITICAL,
        2,
    ),
    "md5_for_passwords": (
        """\
        import hashlib


        def hash_password(password: str) -> str:
            return hashlib.md5(password.encode()).hexdigest()
        """,
        "security.weak_password_hash",
        Severity.CRITICAL,
        5,
    ),
    "md5_of_an_abbreviated_password": (
        """\
        import hashlib


        def store(pw: str) -> str:
            return hashlib.md5(pw.encode()).hexdigest()
        """,
        "security.weak_password_hash",
        Severity.CRITICAL,
        5,
    ),
    "sha1_in_a_function_named_for_passwords": (
        """\
        import hashlib


        def hash_password(value: str) -> str:
            return hashlib.sha1(value.encode()).hexdigest()
        """,
        "security.weak_password_hash",
        Severity.CRITICAL,
        5,
    ),
    "requests_without_timeout": (
        """\
        import requests


        def fetch(url: str) -> str:
            return requests.get(url).text
        """,
        "security.no_timeout",
        Severity.WARNING,
        5,
    ),
    "urlopen_without_timeout": (
        """\
        from urllib.request import urlopen


        def fetch(url: str) -> bytes:
            with urlopen(url) as response:
                return response.read()
        """,
        "security.no_timeout",
        Severity.WARNING,
        5,
    ),
    "hardcoded_password": (
        """\
        import psycopg2

        DB_PASSWORD = "s3cr3t-Pa55"
        conn = psycopg2.connect(host="db", user="app", password=DB_PASSWORD)
        """,
        "security.hardcoded_secret",
        Severity.WARNING,
        3,
    ),
    "open_user_path_traversal": (
        """\
        import os

        UPLOADS = "/srv/uploads"


        def read_upload(filename: str) -> bytes:
            with open(os.path.join(UPLOADS, filename), "rb") as handle:
                return handle.read()
        """,
        "security.path_traversal",
        Severity.WARNING,
        7,
    ),
    "pathlib_division_traversal": (
        """\
        from pathlib import Path

        BASE = Path("/srv/static")


        def page(name: str) -> str:
            return (BASE / name).read_text()
        """,
        "security.path_traversal",
        Severity.WARNING,
        7,
    ),
    "tls_verification_off": (
        """\
        import requests


        def fetch(url: str) -> str:
            return requests.get(url, verify=False, timeout=5).text
        """,
        "security.B501",
        Severity.CRITICAL,
        5,
    ),
}


@pytest.mark.parametrize("case", sorted(VULNERABLE))
def test_known_vulnerable_snippet_is_caught(case: str) -> None:
    code, rule, severity, line = VULNERABLE[case]
    findings = run_security(code)
    assert (rule, line) in rules_at(findings, severity), findings


def test_a_problem_bandit_also_sees_is_reported_once_per_line() -> None:
    findings = run_security(VULNERABLE["pickle_loads_of_argument"][0])
    on_line_5 = [f for f in findings if f.line == 5]
    assert [f.rule for f in on_line_5] == ["security.injection"]


def test_bandit_results_are_mapped_with_rule_span_and_severity() -> None:
    findings = run_security(
        """\
        import random


        def roll() -> int:
            return random.randint(1, 6)
        """
    )
    b311 = next(f for f in findings if f.rule == "security.B311")
    assert (b311.severity, b311.line, b311.column, b311.target) == (Severity.INFO, 5, 12, "code")
    assert "bandit" in b311.message and b311.suggestion


def test_eval_of_a_constant_is_a_bandit_warning_not_a_critical() -> None:
    findings = run_security('result = eval("1 + 2")\n')
    assert rules_at(findings) == {("security.B307", 1)}
    assert findings[0].severity is Severity.WARNING


def test_md5_as_a_checksum_is_only_a_warning() -> None:
    findings = run_security(
        """\
        import hashlib


        def etag(body: bytes) -> str:
            return hashlib.md5(body).hexdigest()
        """
    )
    assert [(f.rule, f.severity) for f in findings] == [("security.B324", Severity.WARNING)]


def test_sql_built_from_constants_only_warns() -> None:
    findings = run_security(
        """\
        TABLE = "users"


        def count(cursor) -> int:
            cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
            return cursor.fetchone()[0]
        """
    )
    sql = [f for f in findings if f.rule == "security.sql_injection"]
    assert [f.severity for f in sql] == [Severity.WARNING]


def test_nosec_is_honoured_on_a_users_code_and_the_silenced_finding_is_listed() -> None:
    code = """\
    import subprocess


    def run(command: str) -> None:
        subprocess.call(command, shell=True)  # nosec
    """
    config = AgentConfig(enable_code_execution=False, tracking=False, gates={"enable": ["security"]})
    report = check(textwrap.dedent(code), config=config)
    assert ("security.injection", 5) not in rules_at(report.findings)
    assert ("security.injection", 5) in rules_at(report.suppressed)
    assert report.suppressed_count == 1 and report.critical_count == 0
    not_honoured = run_security(code, honour_nosec=False)
    assert ("security.injection", 5) in rules_at(not_honoured)


def test_bad_option_value_is_reported_as_a_gate_error() -> None:
    config = AgentConfig(
        enable_code_execution=False,
        tracking=False,
        gates={"enable": ["security"], "options": {"security": {"honour_nosec": "yes"}}},
    )
    report = check("x = 1\n", config=config)
    assert report.gates[0].status == "error"
    assert "honour_nosec must be true or false" in (report.gates[0].error or "")


# -- look-alikes built to fool substring matching -------------------------------------------------------------------

LOOK_ALIKES = {
    "comment_and_docstring": '''\
        """Never call eval( on user input, and never use shell=True or pickle.loads(data)."""


        def describe() -> str:
            # eval(x), os.system(cmd), subprocess.run(cmd, shell=True) are all dangerous
            return "use ast.literal_eval instead of eval(text); avoid shell=True"
        ''',
    "names_that_contain_sinks": """\
        def validate_input(value: str) -> bool:
            return value.isdigit()


        def my_eval(expression: str) -> int:
            return sum(int(part) for part in expression.split("+"))


        class Planner:
            def execute_plan(self, plan: list[str]) -> list[str]:
                return [step.upper() for step in plan]


        def run(planner: Planner, steps: list[str]) -> list[str]:
            if not validate_input(steps[0]):
                return planner.execute_plan(steps)
            return [str(my_eval(steps[0]))]
        """,
    "password_words_that_are_not_secrets": """\
        PASSWORD_PROMPT = "Enter your password: "
        PASSWORD_MIN_LENGTH = 12
        TOKEN_URL = "https://auth.example.com/oauth/token"
        token_type = "bearer"
        ERROR = "invalid password"


        def ask(prompt: str = PASSWORD_PROMPT) -> dict[str, str]:
            labels = {"password": "Password", "username": "User name"}
            password = ""
            for character in prompt:
                password += character
            return {"label": labels["password"], "value": password}
        """,
    "parameterised_sql": """\
        import sqlite3


        def find_user(conn: sqlite3.Connection, username: str) -> list[tuple[str]]:
            cursor = conn.execute("SELECT * FROM users WHERE name = ?", (username,))
            return cursor.fetchall()
        """,
    "subprocess_argument_list": """\
        import subprocess


        def archive(name: str) -> None:
            subprocess.run(["tar", "czf", "backup.tgz", name], check=True)
        """,
    "safe_yaml_and_json": """\
        import json

        import yaml


        def load(text: str) -> object:
            return yaml.load(text, Loader=yaml.SafeLoader) or json.loads(text)
        """,
    "validated_path": """\
        from pathlib import Path

        BASE = Path("/srv/static")


        def page(name: str) -> str:
            path = (BASE / name).resolve()
            if not path.is_relative_to(BASE):
                raise ValueError("outside the static directory")
            return path.read_text()
        """,
    "request_with_timeout": """\
        import requests


        def fetch(url: str) -> str:
            return requests.get(url, timeout=10).text
        """,
    "sha256_for_password_with_usedforsecurity": """\
        import hashlib


        def fingerprint(data: bytes) -> str:
            return hashlib.sha1(data, usedforsecurity=False).hexdigest()
        """,
    "string_formatting_outside_sql": """\
        def greet(name: str) -> str:
            message = "Hello, %s" % name
            print(f"executing {name}")
            return message
        """,
}


@pytest.mark.parametrize("case", sorted(LOOK_ALIKES))
def test_look_alike_is_not_flagged(case: str) -> None:
    findings = run_security(LOOK_ALIKES[case])
    assert [f for f in findings if f.severity is not Severity.INFO] == []


def test_tests_may_use_assert_and_fixture_passwords() -> None:
    tests = textwrap.dedent(
        """\
        from solution import login


        def test_login() -> None:
            password = "hunter2"
            assert login("alice", password)
        """
    )
    findings = run_security(
        "def login(user: str, password: str) -> bool:\n    return bool(user and password)\n", tests
    )
    assert [f for f in findings if f.target == "tests"] == []


@pytest.mark.parametrize("name", sorted(REFERENCE_SOLUTIONS))
def test_reference_solutions_get_no_critical_and_no_warning(name: str) -> None:
    findings = run_security(REFERENCE_SOLUTIONS[name])
    assert [f for f in findings if f.severity is not Severity.INFO] == []


# -- the gate object directly ---------------------------------------------------------------------------------------


def test_gate_used_directly_lists_rules_and_skips_unparsable_code() -> None:
    import ast

    from burr_codeagent.gates.base import GateSkipped

    gate = SecurityGate()
    assert "security.sql_injection" in gate.rules and "security.B602" in gate.rules
    config = AgentConfig(tracking=False)
    code = "import pickle\n\ndef load(data):\n    return pickle.loads(data)\n"
    found = list(gate.check(GateContext(code=code, test_code=None, config=config, code_tree=ast.parse(code))))
    assert [(f.rule, f.line) for f in found if f.severity is Severity.CRITICAL] == [("security.injection", 4)]
    with pytest.raises(GateSkipped):
        list(gate.check(GateContext(code="def (:", test_code=None, config=config, code_tree=None)))


def test_tests_writing_under_tmp_path_are_not_path_traversal() -> None:
    from burr_codeagent import AgentConfig, check

    tests = (
        "from solution import greet\n\n\n"
        "def test_writes(tmp_path):\n"
        "    target = tmp_path / 'g.txt'\n"
        "    target.write_text(greet('Bo'))\n"
        "    assert target.read_text() == 'Hello, Bo!'\n"
    )
    code = '"""G."""\n\n\ndef greet(name: str) -> str:\n    """Greet."""\n    return f"Hello, {name}!"\n'
    config = AgentConfig(tracking=False, enable_code_execution=False, gates={"enable": ["security"]})
    assert [f.rule for f in check(code, tests, config=config).findings if f.target == "tests"] == []


def test_a_password_hashed_with_plain_sha256_is_critical_a_token_is_not() -> None:
    """CWEval's CWE-327 case: `hashlib.sha256(password.encode())` stores a password a GPU cracks in seconds."""
    code = """\
    import hashlib


    def get_password_hash(password: str) -> str:
        return hashlib.sha256(password.encode()).hexdigest()


    def store_reset_token(password_reset_token: str) -> str:
        return hashlib.sha256(password_reset_token.encode()).hexdigest()
    """
    found = run_security(textwrap.dedent(code))
    assert rules_at(found, Severity.CRITICAL) == {("security.weak_password_hash", 5)}


@pytest.mark.parametrize(
    ("salt", "flagged"),
    [
        ("b'\\x00' * 32", True),
        ("b'pepper'", True),
        ("hashlib.sha256(username.encode()).digest()", True),
        ("os.urandom(16)", False),
        ("secrets.token_bytes(16)", False),
    ],
)
def test_a_constant_or_derived_salt_is_a_warning(salt: str, flagged: bool) -> None:
    code = (
        "import hashlib\nimport os\nimport secrets\n\n\n"
        "def hash_password(username: str, password: str) -> tuple[bytes, bytes]:\n"
        f"    salt = {salt}\n"
        "    return hashlib.pbkdf2_hmac('sha256', password.encode(), salt, 600_000), salt\n"
    )
    found = run_security(code)
    expected = {("security.weak_salt", 8)} if flagged else set()
    assert rules_at(found, Severity.WARNING) & {("security.weak_salt", 8)} == expected
