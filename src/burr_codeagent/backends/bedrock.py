"""The ``bedrock`` backend (the default): Claude on AWS Bedrock through boto3's Converse API and instructor.

Region and profile come from :class:`~burr_codeagent.AgentConfig` (``AWS_REGION``, ``AWS_PROFILE``, ``.env``); the
model id from ``MODEL`` / ``CODEAGENT_MODEL`` / ``--model``, and may be a cross-region inference profile id
(``us.anthropic.claude-...``) or an ARN. The system prompt ends with a ``cachePoint`` so Bedrock's prompt cache
covers the tool schema and system prompt that every attempt repeats. ``base_url`` sets boto3's ``endpoint_url``
(VPC endpoints, proxies, tests).

Async: boto3 has no async client, and ``aiobotocore`` is not a dependency (it pins botocore to a narrow range that
fights boto3's own pin, and replaces the HTTP stack the retry and error handling here are tested against). So
``agenerate`` awaits the boto3 call on a :class:`BlockingCallPool` of this module: a thread pool of its own, never
the event loop's default one (whose ~6 threads capped a batch at 6 requests in flight), sized by
``AgentConfig.concurrency`` (``run_many`` raises it to its own concurrency). The client's HTTP connection pool is
sized the same way, or botocore would queue the threads on its default 10 connections.
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from ..hookspecs import hookimpl
from ..models import Usage
from ..plugin_settings import Setting
from ._accounting import usage_from_bedrock
from .base import (
    BackendFactory,
    BackendFactoryBase,
    BackendNotConfiguredError,
    GenerationRequest,
    LLMBackend,
    TruncatedResponseError,
)
from .clients import clients, secret_digest
from .retry import ApiFailure, RetryPolicy, parse_retry_after
from .structured import DEFAULT_REASKS, InstructorBackend, MalformedResponseError

if TYPE_CHECKING:
    from ..config import AgentConfig

__all__ = ["DEFAULT_MODEL", "BedrockBackend", "BedrockFactory", "BlockingCallPool", "blocking_calls"]

DEFAULT_MODEL = "anthropic.claude-3-5-sonnet-20241022-v2:0"

TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "TooManyRequestsException",
        "ServiceUnavailableException",
        "InternalServerException",
        "ModelNotReadyException",
        "ModelTimeoutException",
        "ServiceQuotaExceededException",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)
AUTH_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "AccessDeniedException",
        "ExpiredTokenException",
        "InvalidSignatureException",
        "IncompleteSignature",
        "MissingAuthenticationTokenException",
        "InvalidClientTokenId",
        "UnauthorizedException",
    }
)
_CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
)
AUTH_HINT = (
    "Check the AWS credentials (`aws sts get-caller-identity`, `aws sso login`, AWS_PROFILE) and that the IAM "
    "principal may call bedrock:InvokeModel on this model, and that model access is granted in the Bedrock console"
)


class BlockingCallPool:
    """A thread pool for blocking SDK calls that grows to the largest concurrency asked of it.

    Growing replaces the executor (a ``ThreadPoolExecutor`` cannot be resized); calls already running finish on
    the old one, which is then shut down without waiting.
    """

    def __init__(self, size: int = 8) -> None:
        self._lock = threading.Lock()
        self.size = size
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="codeagent-bedrock")

    def ensure(self, size: int) -> None:
        """Make room for at least ``size`` calls at once."""
        with self._lock:
            if size > self.size:
                old, self.size = self._executor, size
                self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="codeagent-bedrock")
                old.shutdown(wait=False)

    async def run(self, call: Callable[[], Any]) -> Any:
        """Await ``call()`` on one of the pool's threads."""
        with self._lock:
            executor = self._executor
        return await asyncio.get_running_loop().run_in_executor(executor, call)


blocking_calls = BlockingCallPool()
"""The pool every Bedrock backend's async calls run on."""


class BedrockBackend(InstructorBackend):
    """Claude (or any Converse model with tool use) on AWS Bedrock.

    Args:
        client: A boto3 ``bedrock-runtime`` client, ideally built with retries off (see :func:`make_client`).
        model: Model id, inference profile id or ARN.
        retry: Policy for throttling and transient failures.
        reasks: Validation re-asks.
        cache_system_prompt: End the system prompt with a ``cachePoint``.
    """

    name = "bedrock"

    def __init__(
        self,
        client: Any,
        *,
        model: str = DEFAULT_MODEL,
        retry: RetryPolicy | None = None,
        reasks: int = DEFAULT_REASKS,
        cache_system_prompt: bool = True,
    ) -> None:
        import instructor

        super().__init__(model=model, retry=retry, reasks=reasks)
        self.provider = instructor.Provider.BEDROCK
        self.mode = instructor.Mode.TOOLS
        self.bedrock = client
        self.cache_system_prompt = cache_system_prompt

    def request_kwargs(self, request: GenerationRequest[Any]) -> dict[str, Any]:
        messages: list[dict[str, Any]] = [{"role": "system", "content": request.system}]
        messages += [{"role": m.role, "content": m.content} for m in request.messages]
        return {"model": self.model, "messages": messages, "max_tokens": request.max_tokens}

    def send(self, **kwargs: Any) -> Any:
        if self.cache_system_prompt and kwargs.get("system"):
            # instructor rebuilds the system list from the messages on every call, dropping extra blocks
            kwargs = {**kwargs, "system": [*kwargs["system"], {"cachePoint": {"type": "default"}}]}
        response = self.bedrock.converse(**kwargs)
        if not isinstance(response, dict) or "output" not in response:
            # botocore logs an unparsable body and returns just the response metadata
            raise MalformedResponseError(
                "the server sent a Converse response without `output` (malformed body)"
            )
        return response

    async def asend(self, **kwargs: Any) -> Any:
        return await blocking_calls.run(functools.partial(self.send, **kwargs))

    def usage_of(self, response: Any) -> Usage:
        return usage_from_bedrock(response) if isinstance(response, dict) else Usage()

    def answer_text(self, response: Any) -> str | None:
        import json

        for block in response.get("output", {}).get("message", {}).get("content", []):
            if "toolUse" in block:
                return json.dumps(block["toolUse"].get("input"), ensure_ascii=False)
            if "text" in block:
                return str(block["text"])
        return None

    def check_complete(self, response: Any) -> None:
        if isinstance(response, dict) and response.get("stopReason") == "max_tokens":
            raise TruncatedResponseError(
                "bedrock backend: the answer was cut off at the output limit before it was complete "
                "(stopReason max_tokens); raise CODEAGENT_MAX_TOKENS",
                backend=self.name,
                raw=self.answer_text(response),
            )

    def classify(self, error: BaseException) -> ApiFailure:
        return classify_botocore(error, self.model)


def classify_botocore(error: BaseException, model: str | None) -> ApiFailure:
    """Sort a boto3/botocore exception into retryable or not, with a hint for the user."""
    import botocore.exceptions as bex

    if isinstance(error, bex.ClientError):
        info = error.response.get("Error", {})
        code = str(info.get("Code", "")) or "Error"
        message = str(info.get("Message", "")) or str(error)
        meta = error.response.get("ResponseMetadata", {})
        status = int(meta.get("HTTPStatusCode") or 0)
        cause = f"{code} (HTTP {status}): {message}" if status else f"{code}: {message}"
        if code in TRANSIENT_CODES or status == 429 or status >= 500:
            throttled = status == 429 or "Throttl" in code or code == "TooManyRequestsException"
            timed_out = "Timeout" in code
            return ApiFailure(
                "transient",
                cause,
                parse_retry_after(meta.get("HTTPHeaders")),
                throttled=throttled,
                timed_out=timed_out,
            )
        if code in AUTH_CODES or status in (401, 403):
            return ApiFailure("auth", cause, hint=AUTH_HINT)
        if code == "ResourceNotFoundException" or status == 404 or "model identifier is invalid" in message:
            return ApiFailure(
                "not_found",
                cause,
                hint=f"Check the model id {model!r} (--model / MODEL) and the region; `aws bedrock "
                "list-foundation-models` and `aws bedrock list-inference-profiles` show what is available",
            )
        if "on-demand throughput" in message or "inference profile" in message:
            return ApiFailure(
                "not_found",
                cause,
                hint=f"This model needs a cross-region inference profile id: try --model us.{model}",
            )
        return ApiFailure("bad_request", cause)
    if isinstance(error, bex.NoCredentialsError | bex.PartialCredentialsError | bex.ProfileNotFound):
        return ApiFailure("auth", str(error), hint=AUTH_HINT)
    if isinstance(error, bex.ReadTimeoutError | bex.ConnectTimeoutError):
        return ApiFailure("transient", f"request timed out ({error})", timed_out=True)
    if isinstance(error, bex.EndpointConnectionError | bex.ConnectionClosedError | bex.HTTPClientError):
        return ApiFailure("transient", f"connection failed ({error})")
    if isinstance(error, bex.ResponseParserError | ValueError):
        return ApiFailure(
            "transient", f"the server sent a malformed response ({type(error).__name__}: {error})"
        )
    if isinstance(error, bex.ParamValidationError):
        return ApiFailure("bad_request", str(error))
    return ApiFailure("fatal", f"{type(error).__name__}: {error}")


def make_client(config: AgentConfig) -> Any:
    """The shared ``bedrock-runtime`` client for ``config``: botocore's own retries off, the request timeout set,
    and as many pooled HTTP connections as calls may run at once."""
    import boto3
    from botocore.config import Config

    connections = max(10, config.concurrency)
    blocking_calls.ensure(config.concurrency)

    options = BedrockFactory().options(config)

    def build() -> Any:
        session = boto3.Session(profile_name=options["profile"], region_name=options["region"])
        return session.client(
            "bedrock-runtime",
            endpoint_url=config.base_url,
            config=Config(
                retries={"mode": "standard", "total_max_attempts": 1},
                connect_timeout=min(config.request_timeout, 10.0),
                read_timeout=config.request_timeout,
                max_pool_connections=connections,
                user_agent_extra="burr-codeagent",
            ),
        )

    # Credentials from the environment are resolved when the client is built: a change must build a new one.
    identity = secret_digest([os.environ.get(name) for name in _CREDENTIAL_VARIABLES])
    key = (
        "bedrock",
        options["profile"],
        options["region"],
        config.base_url,
        config.request_timeout,
        connections,
        identity,
    )
    return clients.get(key, build)


class BedrockFactory(BackendFactoryBase):
    """Builds the Bedrock backend from region, profile and model settings."""

    name = "bedrock"
    settings = (
        Setting("region", str | None, None, "AWS region (default: the AWS profile's).", aliases=("region",)),
        Setting("profile", str | None, None, "AWS profile of ~/.aws/config.", aliases=("profile",)),
    )
    description = (
        f"Claude on AWS Bedrock (boto3 Converse API). The default. Model: MODEL / --model (default {DEFAULT_MODEL}); "
        "needs AWS credentials and AWS_REGION."
    )

    def missing(self, config: AgentConfig) -> list[str]:
        import boto3
        import botocore.exceptions

        options = self.options(config)
        try:
            session = boto3.Session(profile_name=options["profile"], region_name=options["region"])
        except botocore.exceptions.ProfileNotFound:
            return [
                f"AWS profile {options['profile']!r} does not exist: run `aws configure sso` or fix AWS_PROFILE"
            ]
        problems = []
        if session.get_credentials() is None:
            problems.append(
                "AWS credentials: run `aws configure` / `aws sso login`, set AWS_PROFILE, or set "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            )
        if not session.region_name:
            problems.append("AWS region: set AWS_REGION (e.g. us-east-1) or CODEAGENT_REGION")
        return problems

    def create(self, config: AgentConfig) -> LLMBackend:
        problems = self.missing(config)
        if problems:
            raise BackendNotConfiguredError(
                "bedrock is not configured: " + "; ".join(problems), backend=self.name
            )
        return BedrockBackend(
            make_client(config), model=config.model or DEFAULT_MODEL, retry=RetryPolicy.from_config(config)
        )


@hookimpl
def register_backends(register: Callable[[BackendFactory], None]) -> None:
    """Register the ``bedrock`` backend."""
    register(BedrockFactory())
