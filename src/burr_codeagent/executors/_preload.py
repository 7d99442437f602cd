"""What the ``processes`` executor's fork server imports once, so every worker forked from it starts with it.

Without it each worker imported ~1,000 modules during its first run (~1.5 s of CPU): every plugin module (gates,
backends, report renderers), and the parts of the openai SDK and instructor that load on first use. Nothing here
starts a thread: the fork server must stay single-threaded to fork safely.
"""

from __future__ import annotations

import contextlib

import burr.tracking.client  # noqa: F401
import jinja2  # noqa: F401

from .. import agent  # noqa: F401
from ..backends import structured  # noqa: F401
from ..plugins import default_manager
from . import local, processes  # noqa: F401

_plugins = default_manager()
_plugins.gates(), _plugins.backends(), _plugins.renderers()  # imports every registered plugin module

with contextlib.suppress(ImportError):
    import anyio._backends._asyncio  # noqa: F401
    import instructor.core.client
    import instructor.v2.core.function_calls
    import instructor.v2.providers.openai.handlers  # noqa: F401
    import openai

    # The client's resources load on first use; a client for a closed port sends nothing.
    openai.AsyncOpenAI(api_key="preload", base_url="http://127.0.0.1:9/v1").chat.completions  # noqa: B018
