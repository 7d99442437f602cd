"""SDK clients shared by every backend with the same settings, built once and off the event loop.

Building an ``openai``/``anthropic`` client costs ~50 ms of CPU (mostly its SSL context); a boto3 client more. A
batch of 200 agents on one event loop must not pay that 200 times, nor stall the loop while paying it once. So:

* :meth:`ClientCache.get` returns the one synchronous client per settings key, built on first use;
* :meth:`ClientCache.aget` returns the one async client per settings key *and event loop* (an ``httpx.AsyncClient``
  keeps connections bound to the loop that opened them), built in a dedicated builder thread while the loop goes on,
  and closed when that loop shuts down (``asyncio.run`` ending), so no connection outlives its loop.

The ``openai`` and ``anthropic`` backends use them the same way, through :func:`sdk_client` (the synchronous client
for some settings) and :func:`async_twin` (the async client with a synchronous client's settings).

Keys are tuples of settings; an API key in one is replaced by its SHA-256 (:func:`secret_digest`) so no credential
sits in a cache key that a debugger or a log line might show.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import inspect
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Hashable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

__all__ = [
    "ClientCache",
    "async_twin",
    "clients",
    "off_loop",
    "over_aiohttp",
    "sdk_client",
    "secret_digest",
    "settings_key",
]

# One thread: building clients is rare (once per settings and loop) and CPU-bound, so more would not help.
_BUILDER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="codeagent-client-builder")
# Building a run (its Burr application, its SQLite persistence) is mostly waiting on the disk: one thread made 200
# runs of a batch queue behind each other (~50 ms each), so many runs get built at once.
_OFF_LOOP = ThreadPoolExecutor(max_workers=16, thread_name_prefix="codeagent-build")


def secret_digest(secret: object) -> str:
    """A stable stand-in for a credential in a cache key."""
    return hashlib.sha256(str(secret).encode("utf-8", "surrogatepass")).hexdigest()


class _LoopClients(dict[Hashable, "asyncio.Future[Any]"]):
    """One loop's async clients, with the async generator whose ``finally`` closes them."""

    closer: AsyncIterator[None] | None = None


async def _close_with_the_loop(per_loop: _LoopClients) -> AsyncIterator[None]:
    """Suspended until the loop shuts down: ``asyncio.run`` (and ``asyncio.Runner``) close every unfinished async
    generator while the loop still runs (``loop.shutdown_asyncgens``), which runs this ``finally`` and closes the
    loop's clients. An unclosed aiohttp session would log "Unclosed connector" when collected after its loop."""
    try:
        yield
    finally:
        for future in list(per_loop.values()):
            if future.done() and not future.cancelled() and future.exception() is None:
                await _aclose(future.result())
        per_loop.clear()


async def _aclose(client: Any) -> None:
    close = getattr(client, "close", None)
    if close is None:
        return
    with contextlib.suppress(Exception):  # closing is best effort: the loop is going away anyway
        result = close()
        if inspect.isawaitable(result):
            await result


class ClientCache:
    """Process-wide cache of SDK clients keyed by their settings."""

    def __init__(self) -> None:
        self._sync: dict[Hashable, Any] = {}
        self._lock = threading.Lock()
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopClients]
        self._async = weakref.WeakKeyDictionary()

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The synchronous client for ``key``, built by ``build`` the first time (thread-safe)."""
        with self._lock:
            if key not in self._sync:
                self._sync[key] = build()
            return self._sync[key]

    async def aget(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The async client for ``key`` on the running loop; concurrent callers share one build."""
        loop = asyncio.get_running_loop()
        per_loop = self._async.get(loop)
        if per_loop is None:
            per_loop = self._async[loop] = _LoopClients()
            per_loop.closer = _close_with_the_loop(per_loop)
            await anext(per_loop.closer)  # started: the loop now tracks it until it shuts down
        future = per_loop.get(key)
        if future is None:
            future = per_loop[key] = loop.run_in_executor(_BUILDER, build)
        try:
            return await asyncio.shield(future)
        except BaseException:
            if future.done() and (future.cancelled() or future.exception() is not None):
                per_loop.pop(key, None)  # a failed build is not cached: the next call tries again
            raise

    def clear(self) -> None:
        """Forget every client (tests; after the settings of a long-lived process changed)."""
        with self._lock:
            self._sync.clear()
        self._async.clear()


clients = ClientCache()
"""The process-wide cache the built-in backends use."""


async def off_loop(call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``call`` (building a run, a backend or a client) on a builder thread, so the event loop stays free."""
    return await asyncio.get_running_loop().run_in_executor(_OFF_LOOP, lambda: call(*args, **kwargs))


def over_aiohttp(sdk: Any, make: Callable[..., Any], **settings: Any) -> Any:
    """``make(**settings)``, an SDK's async client, over the SDK's aiohttp transport (``sdk.DefaultAioHttpClient``, the
    ``[aiohttp]`` extra of ``openai`` and ``anthropic``), or over its default httpx transport without aiohttp.

    Both SDKs recommend aiohttp for many concurrent calls, and it takes ~40 % off the client's CPU per call: with 50
    calls in flight, httpx's connection pool checks every pooled connection on each request
    (bench/batch_throughput.py).
    """
    try:
        http_client = sdk.DefaultAioHttpClient()
    except (
        RuntimeError,
        ImportError,
        AttributeError,
    ):  # the SDKs' stand-in without aiohttp raises RuntimeError
        http_client = None
    return make(http_client=http_client, **settings)


def settings_key(
    provider: str, kind: str, settings: Mapping[str, Any], secrets: Sequence[str]
) -> tuple[object, ...]:
    """The cache key for an SDK client made from ``settings``; the values named in ``secrets`` only as digests."""
    parts = sorted((name, secret_digest(v) if name in secrets else repr(v)) for name, v in settings.items())
    return (provider, kind, *parts)


def sdk_client(
    provider: str, make: Callable[..., Any], *, secrets: Sequence[str] = ("api_key",), **settings: Any
) -> Any:
    """The shared synchronous client ``make(**settings)`` of ``provider`` (one per settings, built on first use)."""
    return clients.get(settings_key(provider, "sync", settings, secrets), lambda: make(**settings))


async def async_twin(
    provider: str,
    sync_client: Any,
    make: Callable[..., Any],
    fields: Sequence[str],
    *,
    secrets: Sequence[str] = ("api_key",),
) -> Any:
    """The shared async client with ``sync_client``'s settings (the attributes ``fields``, passed to ``make`` as
    keyword arguments): one per settings and event loop, built off the loop."""
    settings = {name: getattr(sync_client, name) for name in fields}
    return await clients.aget(settings_key(provider, "async", settings, secrets), lambda: make(**settings))
