"""SDK clients shared by every backend with the same settings, built once and off the event loop.

Building an ``openai``/``anthropic`` client costs ~50 ms of CPU (mostly its SSL context); a boto3 client more. A
batch of 200 agents on one event loop must not pay that 200 times, nor stall the loop while paying it once. So:

* :meth:`ClientCache.get` returns the one synchronous client per settings key, built on first use;
* :meth:`ClientCache.aget` returns the one async client per settings key *and event loop* (an ``httpx.AsyncClient``
  keeps connections bound to the loop that opened them), built in a dedicated builder thread while the loop goes on.

Keys are tuples of settings; an API key in one is replaced by its SHA-256 (:func:`secret_digest`) so no credential
sits in a cache key that a debugger or a log line might show.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import weakref
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

__all__ = ["ClientCache", "clients", "off_loop", "secret_digest"]

# One thread: building clients is rare (once per settings and loop) and CPU-bound, so more would not help.
_BUILDER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="codeagent-client-builder")
# Building a run (its Burr application, its SQLite persistence) is mostly waiting on the disk: one thread made 200
# runs of a batch queue behind each other (~50 ms each), so many runs get built at once.
_OFF_LOOP = ThreadPoolExecutor(max_workers=16, thread_name_prefix="codeagent-build")


def secret_digest(secret: object) -> str:
    """A stable stand-in for a credential in a cache key."""
    return hashlib.sha256(str(secret).encode("utf-8", "surrogatepass")).hexdigest()


class ClientCache:
    """Process-wide cache of SDK clients keyed by their settings."""

    def __init__(self) -> None:
        self._sync: dict[Hashable, Any] = {}
        self._lock = threading.Lock()
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Hashable, asyncio.Future[Any]]]
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
        per_loop = self._async.setdefault(loop, {})
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
