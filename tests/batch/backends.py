"""Test backends for batches: answers chosen per task from the prompt, so concurrent tasks cannot take each other's."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from burr_codeagent.backends.base import Generation, GenerationRequest, LLMBackend, M
from burr_codeagent.models import PythonCodeGenerationResponse, Usage

Answer = PythonCodeGenerationResponse | BaseException
Chooser = Callable[[GenerationRequest[Any], int], Answer]


def first_message(request: GenerationRequest[Any]) -> str:
    """The default key: the prompt (a module-level function, so the backend pickles for worker processes)."""
    return request.messages[0].content


class ChoosingBackend(LLMBackend):
    """Answers each request with ``choose(request, n)``, ``n`` the number of earlier requests with the same ``key``
    (default: the same prompt)."""

    name = "choosing"
    model = "choosing"

    def __init__(
        self,
        choose: Chooser,
        usage: tuple[int, int] = (100, 50),
        key: Callable[[GenerationRequest[Any]], str] | None = None,
    ) -> None:
        self.choose = choose
        self.key = key or first_message
        self.keys: list[str] = []
        self.usage = usage
        self.prompts: list[str] = []
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:  # picklable for Ray workers: the lock is recreated there
        return {k: v for k, v in self.__dict__.items() if k != "_lock"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def _answer(self, request: GenerationRequest[M]) -> Generation[M]:
        key = self.key(request)
        with self._lock:
            seen = self.keys.count(key)
            self.keys.append(key)
            self.prompts.append(request.messages[0].content)
        answer = self.choose(request, seen)
        if isinstance(answer, BaseException):
            raise answer
        usage = Usage(input_tokens=self.usage[0], output_tokens=self.usage[1], api_calls=1, latencies=[0.0])
        return Generation(answer, usage, answer.model_dump_json())  # type: ignore[arg-type]

    def generate(self, request: GenerationRequest[M]) -> Generation[M]:
        return self._answer(request)

    async def agenerate(self, request: GenerationRequest[M]) -> Generation[M]:
        await asyncio.sleep(0)
        return self._answer(request)

    def calls_for(self, text: str) -> int:
        """How many requests were about the task containing ``text``."""
        return sum(1 for p in self.prompts if text in p)
