"""Classification of the errors raised by the httpx-based SDKs (``openai`` and ``anthropic`` share their shape)."""

from __future__ import annotations

import json
from types import ModuleType

from .retry import ApiFailure, parse_retry_after

__all__ = ["classify_http_sdk"]

TRANSIENT_STATUS = frozenset({408, 409, 425, 429})


def _server_message(error: BaseException) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
    return str(getattr(error, "message", "") or error)


def _no_timeout_under(error: BaseException) -> OSError | None:
    """The operating system's refusal under an SDK error, when no timeout is among its causes.

    The SDKs' aiohttp transport (``httpx_aiohttp``) reports every failed connect as ``httpx.ConnectTimeout``, so a
    refused connection arrives as ``APITimeoutError``; the cause chain still holds the ``ConnectionRefusedError``.
    """
    found: OSError | None = None
    seen: set[int] = set()
    cause = error.__cause__ or error.__context__
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, TimeoutError):
            return None
        if isinstance(cause, OSError):
            found = cause
        cause = cause.__cause__ or cause.__context__
    return found


def classify_http_sdk(
    error: BaseException,
    sdk: ModuleType,
    *,
    base_url: str,
    model: str,
    auth_hint: str,
    timeout: float,
    url_hint: str = "",
) -> ApiFailure:
    """Sort an ``openai``/``anthropic`` SDK exception into retryable or not, with a hint for the user."""
    if isinstance(error, sdk.APITimeoutError):
        refused = _no_timeout_under(error)
        if refused is None:
            return ApiFailure(
                "transient",
                f"no answer from {base_url} within {timeout:g}s (request timeout)",
                timed_out=True,
            )
        return ApiFailure("transient", f"cannot reach {base_url} ({type(refused).__name__}: {refused})")
    if isinstance(error, sdk.APIConnectionError):
        cause = error.__cause__ or error
        return ApiFailure("transient", f"cannot reach {base_url} ({type(cause).__name__}: {cause})")
    if isinstance(error, sdk.APIStatusError):
        status = int(error.status_code)
        cause = f"HTTP {status}: {_server_message(error)}"
        headers = dict(error.response.headers) if getattr(error, "response", None) is not None else None
        if status in TRANSIENT_STATUS or status >= 500:
            throttled = status in (429, 529)
            return ApiFailure("transient", cause, parse_retry_after(headers), throttled=throttled)
        if status in (401, 403):
            return ApiFailure("auth", cause, hint=auth_hint)
        if status == 404:
            return ApiFailure(
                "not_found",
                cause,
                hint=f"Check the model name {model!r} (--model) and that {base_url} serves it{url_hint}",
            )
        return ApiFailure("bad_request", cause)
    if isinstance(error, sdk.APIResponseValidationError | json.JSONDecodeError):
        return ApiFailure(
            "transient", f"{base_url} sent a malformed response ({type(error).__name__}: {error})"
        )
    return ApiFailure("fatal", f"{type(error).__name__}: {error}")
