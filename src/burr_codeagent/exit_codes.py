"""The exit codes of every ``codeagent`` command, and SIGTERM handled like Ctrl-C.

======  =====================================================================================================
code    meaning
======  =====================================================================================================
0       passed
1       not good enough: a critical finding, or more warnings than the threshold
2       usage or configuration error, including a provider that rejects the API key or does not know the model
3       provider or infrastructure failure: unreachable, 5xx, throttled past the retries, timed out, malformed
        answers past the re-asks, a cassette that does not match, a quality gate that crashed
4       unverified: nothing failed, but a gate could not run (its sandbox could not start, a tool is missing, the
        machine was too loaded to time the tests); the code was neither passed nor failed: run the check again
130     interrupted by SIGINT (Ctrl-C), after writing the reports of the attempts that finished
143     terminated by SIGTERM (a CI cancellation or timeout), after writing the same
======  =====================================================================================================
"""

from __future__ import annotations

import signal
from collections.abc import Iterable
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # kept out of `codeagent --help`'s imports
    from .models import AgentResult, CheckReport

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_PASSED",
    "EXIT_PROVIDER",
    "EXIT_TERMINATED",
    "EXIT_UNVERIFIED",
    "EXIT_USAGE",
    "Terminated",
    "check_exit_code",
    "combine",
    "failure_message",
    "handle_sigterm",
    "interrupt_exit_code",
    "run_exit_code",
]

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE, EXIT_PROVIDER, EXIT_UNVERIFIED = 0, 1, 2, 3, 4
EXIT_INTERRUPTED, EXIT_TERMINATED = 128 + signal.SIGINT, 128 + signal.SIGTERM

# Backend errors that mean "your settings are wrong" (graph.end records the failure's class name in stop_reason).
_CONFIGURATION_ERRORS = ("BackendConfigurationError", "BackendNotConfiguredError")
# Most to least important when several tasks or files end differently: fix the settings before anything else; a
# definite failure outranks a check that could not decide.
_PRECEDENCE = (EXIT_USAGE, EXIT_PROVIDER, EXIT_FAILED, EXIT_UNVERIFIED, EXIT_PASSED)
UNVERIFIED_STOP = "unverified"
"""The stop reason (prefix) of an agent run whose last check stayed unverified."""


class Terminated(KeyboardInterrupt):
    """Raised in the main thread on SIGTERM so that everything which saves work on Ctrl-C saves it here too."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


def handle_sigterm() -> None:
    """Turn SIGTERM into :class:`Terminated` (a ``KeyboardInterrupt``) in the main thread."""
    signal.signal(signal.SIGTERM, _raise_terminated)


def interrupt_exit_code(exc: BaseException) -> int:
    """143 for SIGTERM, 130 for Ctrl-C."""
    return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED


def run_exit_code(result: AgentResult) -> int:
    """0 passed, 2 the provider refused the settings, 3 the provider failed, 4 the last check stayed unverified,
    1 the code was not good enough.

    A run in which no attempt ever got a usable answer (every generation malformed past the re-asks) is a provider
    failure too: nothing was checked, so "not good enough" would be a guess.
    """
    if result.passed:
        return EXIT_PASSED
    if result.stop_reason.startswith("backend_error:"):
        detail = result.stop_reason.removeprefix("backend_error:").strip()
        return EXIT_USAGE if detail.startswith(_CONFIGURATION_ERRORS) else EXIT_PROVIDER
    if result.attempts and all(a.response is None for a in result.attempts):
        return EXIT_PROVIDER
    if result.stop_reason.startswith(UNVERIFIED_STOP):
        return EXIT_UNVERIFIED
    return EXIT_FAILED


def check_exit_code(report: CheckReport) -> int:
    """3 when a gate crashed (the check is incomplete), else 0 passed / 1 not good enough / 4 unverified (a gate
    could not run and nothing else failed)."""
    if any(gate.status == "error" and not gate.unavailable for gate in report.gates):
        return EXIT_PROVIDER
    if report.unverified:
        return EXIT_UNVERIFIED
    return EXIT_PASSED if report.passed else EXIT_FAILED


def combine(codes: Iterable[int]) -> int:
    """One exit code for several tasks or files: the most important of theirs."""
    seen = set(codes)
    return next((code for code in _PRECEDENCE if code in seen), EXIT_PASSED)


def failure_message(result: AgentResult) -> str | None:
    """Why a run's exit code is 2 or 3, in one line (``None`` for 0 and 1)."""
    code = run_exit_code(result)
    detail = result.stop_reason.split(": ", 2)[-1]
    if code == EXIT_USAGE:
        return f"configuration: {detail}"
    if code != EXIT_PROVIDER:
        return None
    if result.stop_reason.startswith("backend_error:"):
        return f"provider failure: {detail}"
    last = next((a.error for a in reversed(result.attempts) if a.error), "")
    return f"provider failure: no attempt got a usable answer from the model: {last}"
