"""The sandbox environment carries no credential and points HOME into the work dir."""

from __future__ import annotations

import pytest

from burr_codeagent.sandbox import looks_secret, scrubbed_environment


@pytest.mark.parametrize(
    "name",
    ["AWS_ACCESS_KEY_ID", "AWS_REGION", "OPENAI_API_KEY", "GITHUB_TOKEN", "DB_PASSWORD", "MY_SECRET", "NPM_AUTH",
     "GOOGLE_APPLICATION_CREDENTIALS", "SSH_AUTH_SOCK", "CODEAGENT_API_KEY", "PGPASSWD", "PYTHONPATH"],
)  # fmt: skip
def test_credential_like_variables_are_dropped(name: str) -> None:
    assert looks_secret(name)
    env = scrubbed_environment({name: "canary", "PATH": "/usr/bin"}, home="/sandbox", tmpdir="/tmp")
    assert name not in env
    assert "canary" not in env.values()


def test_only_harmless_variables_pass_and_home_is_the_work_dir() -> None:
    host = {
        "PATH": "/usr/bin",
        "LANG": "de_DE.UTF-8",
        "HOME": "/root",
        "HTTPS_PROXY": "http://u:p@proxy",
        "EDITOR": "vi",
    }
    env = scrubbed_environment(host, home="/sandbox", tmpdir="/sandbox/tmp")
    assert env["PATH"] == "/usr/bin"
    assert env["LANG"] == "de_DE.UTF-8"
    assert env["HOME"] == "/sandbox"
    assert env["TMPDIR"] == "/sandbox/tmp"
    assert "HTTPS_PROXY" not in env
    assert "EDITOR" not in env
    assert env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] == "1"


def test_ordinary_names_are_not_mistaken_for_secrets() -> None:
    assert not any(looks_secret(n) for n in ("PATH", "LANG", "TERM", "TZ", "HOME"))
