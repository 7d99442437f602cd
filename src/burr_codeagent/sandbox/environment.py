"""The environment a sandboxed process sees: no credentials, a home inside the work dir, nothing surprising."""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["SECRET_PATTERN", "looks_secret", "scrubbed_environment"]

SECRET_PATTERN = re.compile(
    r"KEY|SECRET|TOKEN|PASSW(OR)?D|PASSPHRASE|CREDENTIAL|AUTH|SESSION|COOKIE|PRIVATE|CERT_PASS|DSN|CONN(ECTION)?_?STR",
    re.IGNORECASE,
)
"""Variable names that may hold a credential (matched anywhere in the name)."""

_DROP_PREFIXES = (
    "AWS_",
    "AZURE_",
    "GOOGLE_",
    "GCP_",
    "GCLOUD_",
    "CLOUDSDK_",
    "CODEAGENT_",
    "PYTHON",
    "PYTEST_",
    "COV_",
)

# Only these variables are carried over from the host; anything else (proxies, tool configuration, CI metadata)
# could leak information or change how the tests behave.
_PASS_THROUGH = ("PATH", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ", "TERM", "SYSTEMROOT")


def looks_secret(name: str) -> bool:
    """Whether an environment variable name looks like it holds a credential (or is any ``AWS_*`` variable)."""
    upper = name.upper()
    return bool(SECRET_PATTERN.search(upper)) or upper.startswith(_DROP_PREFIXES)


def scrubbed_environment(
    host: Mapping[str, str], home: str, tmpdir: str, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment for a sandboxed run.

    Starts from an allow-list of harmless host variables (never one that :func:`looks_secret`), points ``HOME`` and
    ``TMPDIR`` at the sandbox, and fixes the Python and pytest settings that make runs reproducible and fast.
    ``extra`` is applied last and is trusted (it comes from the caller, not from generated code).
    """
    env = {name: host[name] for name in _PASS_THROUGH if name in host and not looks_secret(name)}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.setdefault("LANG", "C.UTF-8")
    env.update(
        {
            "HOME": home,
            "TMPDIR": tmpdir,
            "USER": "sandbox",
            "LOGNAME": "sandbox",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0",
            "PYTHONUTF8": "1",
            "PYTHONFAULTHANDLER": "1",
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
            "NO_COLOR": "1",
        }
    )
    if extra:
        env.update(extra)
    return env
