"""Credentials as bandit finds them, context lifts (random secrets, assert guards), flow-aware B310/B311, # nosec."""

from __future__ import annotations

import textwrap

import pytest

from burr_codeagent import AgentConfig, Severity, check
from burr_codeagent.checker import Checker
from burr_codeagent.models import CheckReport, Finding


def report_of(code: str, tests: str | None = None, **options: object) -> CheckReport:
    gates: dict[str, object] = {"enable": ["security"]}
    if options:
        gates["options"] = {"security": options}
    config = AgentConfig(enable_code_execution=False, tracking=False, gates=gates)
    return check(textwrap.dedent(code), textwrap.dedent(tests) if tests else None, config=config)


def found(code: str, tests: str | None = None) -> list[Finding]:
    return report_of(code, tests).findings


def at(findings: list[Finding]) -> set[tuple[str, int | None, Severity]]:
    return {(f.rule, f.line, f.severity) for f in findings}


# -- credentials ------------------------------------------------------------------------------------------------

CREDENTIALS = {
    "keyword_password_equal_to_its_name": ('conn = connect(user="user", password="password")\n', 1),
    "comparison_with_a_literal_password": (
        'def login(password):\n    if password == "password":\n        return 1\n',
        2,
    ),
    "empty_password": ('passwd = ""\n', 1),
    "empty_password_passed_to_a_call": ('client = connect(host="db", password="")\n', 1),
    "password_in_a_settings_subscript": ('settings = {}\nsettings["db_password"] = "hunter2"\n', 2),
}


@pytest.mark.parametrize("case", sorted(CREDENTIALS))
def test_hard_coded_credentials_bandit_finds_are_found(case: str) -> None:
    code, line = CREDENTIALS[case]
    assert ("security.hardcoded_secret", line, Severity.WARNING) in at(found(code))


def test_a_password_built_up_after_an_empty_start_is_not_a_credential() -> None:
    code = """\
    import secrets
    import string


    def make_password(length: int) -> str:
        password = ""
        for _ in range(length):
            password += secrets.choice(string.ascii_letters)
        return password
    """
    assert [f for f in found(code) if f.rule == "security.hardcoded_secret"] == []


def test_a_provider_key_format_is_critical_whatever_the_name_and_never_repeated() -> None:
    key = "AKIA" + "Q3EGRMXTW7ZJ5HNB"
    findings = found(f'config = {{"aws": "{key}"}}\n')
    leaked = [f for f in findings if f.rule == "security.leaked_credential"]
    assert [(f.line, f.severity) for f in leaked] == [(1, Severity.CRITICAL)]
    assert key not in leaked[0].message


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("ASIA" + "Q3EGRMXTW7ZJ5HNB", "an AWS access key id"),
        ("ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "a GitHub token"),
        ("xoxb-" + "1234567890-abcdefghij", "a Slack token"),
        ("sk-proj-" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6", "an OpenAI API key"),
        ("AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "a Google API key"),
        ("-----BEGIN " + "OPENSSH PRIVATE KEY-----", "a private key"),
    ],
)
def test_every_provider_key_format_is_found_inside_longer_text(key: str, kind: str) -> None:
    # literals are searched only when they hold the text their format cannot match without
    findings = found(f'NOTE = """Configured with\n{key} for now."""\n')
    leaked = [f for f in findings if f.rule == "security.leaked_credential"]
    assert [f.message for f in leaked] == [
        f"A string literal holds {kind}: the credential is exposed to everyone who can read the code."
    ]


def test_the_documented_example_key_is_not_a_leak() -> None:
    findings = found('EXAMPLE_ID = "AKIAIOSFODNN7EXAMPLE"\n')
    assert [f for f in findings if f.rule == "security.leaked_credential"] == []


# -- random and assert lifts ------------------------------------------------------------------------------------


def test_random_making_a_reset_code_is_a_warning() -> None:
    code = """\
    import random
    import string


    def send_reset(user):
        reset_code = "".join(random.choice(string.digits) for _ in range(6))
        user.notify(reset_code)
    """
    assert ("security.insecure_random", 6, Severity.WARNING) in at(found(code))
    assert not [f for f in found(code) if f.rule == "security.B311"]


def test_random_in_a_function_named_for_a_token_is_a_warning() -> None:
    code = "import random\n\n\ndef new_token() -> str:\n    return '%032x' % random.getrandbits(128)\n"
    assert ("security.insecure_random", 5, Severity.WARNING) in at(found(code))


def test_random_for_a_game_stays_info() -> None:
    code = "import random\n\n\ndef roll() -> int:\n    return random.randint(1, 6)\n"
    assert at(found(code)) == {("security.B311", 5, Severity.INFO)}


def test_assert_guarding_authorisation_is_a_warning() -> None:
    code = """\
    def delete_account(user, account_id: int) -> None:
        assert user.is_admin, "admins only"
        print("deleting", account_id)
    """
    assert ("security.assert_guard", 2, Severity.WARNING) in at(found(code))


def test_assert_validating_a_public_functions_arguments_is_a_warning() -> None:
    code = """\
    def withdraw(amount: int) -> int:
        \"\"\"Take money out.\"\"\"
        assert amount > 0
        return amount
    """
    assert ("security.assert_guard", 3, Severity.WARNING) in at(found(code))


def test_an_internal_invariant_assert_stays_info_and_tests_may_assert() -> None:
    code = """\
    def total(values: list[int]) -> int:
        result = sum(values)
        assert result >= min(values, default=0) or values
        return result
    """
    tests = "from solution import total\n\n\ndef test_total():\n    assert total([1, 2]) == 3\n"
    findings = found(code, tests)
    assert [f for f in findings if f.rule == "security.assert_guard"] == []
    assert [f for f in findings if f.target == "tests"] == []


# -- flow-aware bandit ------------------------------------------------------------------------------------------


def test_urlopen_after_restricting_the_scheme_is_not_b310() -> None:
    code = """\
    from urllib.parse import urlparse
    from urllib.request import urlopen


    def fetch(url: str) -> bytes:
        if urlparse(url).scheme not in ("http", "https"):
            raise ValueError("only http and https")
        with urlopen(url, timeout=10) as response:
            return response.read()
    """
    assert [f for f in found(code) if f.rule == "security.B310"] == []


def test_urlopen_without_a_scheme_check_is_still_b310() -> None:
    code = """\
    from urllib.request import urlopen


    def fetch(url: str) -> bytes:
        with urlopen(url, timeout=10) as response:
            return response.read()
    """
    assert ("security.B310", 5, Severity.WARNING) in at(found(code))


def test_seeded_random_in_tests_is_not_b311() -> None:
    code = "def double(x: int) -> int:\n    return 2 * x\n"
    tests = """\
    import random

    from solution import double


    def test_double_many():
        rng = random.Random(1234)
        for _ in range(10):
            x = rng.randint(-100, 100)
            assert double(x) == x + x
    """
    assert [f for f in found(code, tests) if f.rule == "security.B311"] == []


# -- nosec ------------------------------------------------------------------------------------------------------

SHELL = """\
import subprocess


def run(command: str) -> None:
    subprocess.call(command, shell=True)  # nosec {ids}
"""


def test_nosec_naming_the_rule_silences_only_that_rule() -> None:
    silenced = report_of(SHELL.format(ids="B602"))
    assert ("security.injection", 5) in {(f.rule, f.line) for f in silenced.suppressed}
    other = report_of(SHELL.format(ids="B105"))
    assert ("security.injection", 5) in {(f.rule, f.line) for f in other.findings}
    assert other.suppressed == []


def test_inside_the_agent_nosec_is_not_honoured_and_the_finding_says_so() -> None:
    config = AgentConfig(enable_code_execution=False, tracking=False, gates={"enable": ["security"]})
    report = Checker(config, honour_nosec=False).check(SHELL.format(ids=""))
    injection = next(f for f in report.findings if f.rule == "security.injection")
    assert "nosec" in injection.message and "not honoured" in injection.message
    assert report.suppressed == [] and not report.passed


def test_a_string_that_mentions_nosec_is_not_a_comment() -> None:
    code = 'import subprocess\n\n\ndef run(c: str) -> None:\n    subprocess.call(c + "# nosec", shell=True)\n'
    assert report_of(code).suppressed == []


def test_extractall_with_a_filter_is_a_warning_not_a_critical() -> None:
    code = """\
    import tarfile


    def unpack(archive: str, target: str, how: str) -> None:
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter=how)
    """
    b202 = [f for f in found(code) if f.rule == "security.B202"]
    assert [f.severity for f in b202] == [Severity.WARNING]
    without = code.replace(", filter=how", "")
    assert [f.severity for f in found(without) if f.rule == "security.B202"] == [Severity.CRITICAL]


def test_importing_the_crypto_package_is_a_warning_since_pycryptodome_installs_it_too() -> None:
    """bandit's B413 takes `from Crypto...` for the abandoned pycrypto; pycryptodome ships the same package."""
    code = """\
    from Crypto.PublicKey import RSA


    def create_private_key() -> str:
        return RSA.generate(2048).export_key().decode()
    """
    b413 = [f for f in found(code) if f.rule == "security.B413"]
    assert [f.severity for f in b413] == [Severity.WARNING]
