"""The bounded thread pool where async runs do their blocking checking work, one thread per core.

The gates are CPU-bound Python or wait on a sandboxed subprocess (which the sandbox slots bound as well), so more
threads than cores only add contention. ``asyncio.to_thread`` would put the checks on the event loop's default pool,
shared with everything else that uses it and sized ``min(32, cores + 4)``; this pool is the checks' own.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

__all__ = ["CHECK_THREADS", "in_check_pool"]

P = ParamSpec("P")
T = TypeVar("T")

CHECK_THREADS = os.cpu_count() or 1
_POOL = ThreadPoolExecutor(max_workers=CHECK_THREADS, thread_name_prefix="codeagent-check")


async def in_check_pool(call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Await ``call(*args, **kwargs)`` on the check pool (context variables carried over, as ``to_thread`` does)."""
    import contextvars
    import functools

    context = contextvars.copy_context()
    job = functools.partial(context.run, call, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_POOL, job)
