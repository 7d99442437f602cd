"""Last line of defence: no report carries a credential from the environment or the configuration.

Settings are redacted at the source (:meth:`AgentConfig.redacted`); this pass also masks the *values* of
secret-looking environment variables wherever they appear in a rendered report (model output can echo them).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

__all__ = ["MASK", "SECRET_NAME", "redact", "secret_values"]

MASK = "**********"
SECRET_NAME = re.compile(r"KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|SESSION", re.IGNORECASE)
_MIN_LENGTH = 8  # shorter values ("1", "true") would mask ordinary words


def secret_values(environ: Mapping[str, str] | None = None, extra: Iterable[str | None] = ()) -> list[str]:
    """Values worth masking: secret-named environment variables plus ``extra``, longest first."""
    env = os.environ if environ is None else environ
    found = {value for name, value in env.items() if SECRET_NAME.search(name) and len(value) >= _MIN_LENGTH}
    found.update(value for value in extra if value and len(value) >= _MIN_LENGTH)
    return sorted(found, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of each secret replaced by :data:`MASK`."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text
