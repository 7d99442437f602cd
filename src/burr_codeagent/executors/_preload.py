"""What the ``processes`` executor's fork server imports and builds once, so every worker forked from it starts with it.

Without it each worker imported ~1,000 modules during its first run (~1.5 s of CPU): every plugin module (gates,
backends, report renderers), and the parts of the openai SDK and instructor that load on first use. After the
imports, a worker's first run still paid ~0.25 s of CPU for what is built on first use: the report templates'
compilation, pydantic's validators of the models deferred until first use (ours and the SDK's), instructor's
response-schema classes. They are built here too. Nothing here starts a thread: the fork server must stay
single-threaded to fork safely.
"""

from __future__ import annotations

import contextlib
import gc

import burr.tracking.client  # noqa: F401
import jinja2  # noqa: F401
from pydantic import BaseModel

from .. import agent, edits, models, review, run_usage  # noqa: F401  (agent: imported for the workers)
from ..backends import structured
from ..config import AgentConfig
from ..gates.mutation import _mutants, _reach, _session  # noqa: F401  (the gate imports them when it runs)
from ..graph import GraphShape, shared_graph
from ..plugins import default_manager
from ..reports import html, markdown
from . import local, processes  # noqa: F401

_plugins = default_manager()
_plugins.gates(), _plugins.backends(), _plugins.renderers()  # imports every registered plugin module


def _build_models(*modules: object) -> None:
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseModel) and value is not BaseModel:
                value.model_rebuild()


_build_models(models, run_usage, review, edits)
for _environment, _kind in ((markdown._environment(), ".md."), (html._environment(), ".html.")):
    for _template in _environment.list_templates():
        if _kind in _template:  # compiled and kept (the templates' imports load others by name)
            _environment.get_template(_template)
for _answer in (models.PythonCodeGenerationResponse, review.CodeAnalysisResponse, edits.EditedAnswer):
    structured._schema_model(_answer)
shared_graph(GraphShape.of(AgentConfig.model_construct(), asynchronous=True))

with contextlib.suppress(ImportError):
    import anyio._backends._asyncio  # noqa: F401
    import instructor.core.client
    import instructor.v2.core.function_calls
    import instructor.v2.providers.openai.handlers  # noqa: F401
    import openai
    from openai.types.chat import ChatCompletion, ParsedChatCompletion

    # The client's resources load on first use; a client for a closed port sends nothing.
    openai.AsyncOpenAI(api_key="preload", base_url="http://127.0.0.1:9/v1").chat.completions  # noqa: B018
    ChatCompletion.model_rebuild()
    ParsedChatCompletion.model_rebuild()

# Everything above lives as long as the workers: out of the garbage collector's reach, each collection of the oldest
# generation in a worker walked it all (~260,000 objects, ~1.5 ms of CPU per task of a batch), and touching it copied
# the fork server's pages into the worker. The workers' own objects are collected as usual.
gc.freeze()
