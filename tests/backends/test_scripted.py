"""``ScriptedBackend``, the public test double: answers in order or from a handler, every request recorded."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from burr_codeagent import AgentConfig, CodeAgent, PythonCodeGenerationResponse
from burr_codeagent.backends import ScriptedBackend, ScriptExhaustedError
from burr_codeagent.backends.base import BackendError, GenerationRequest, InvalidResponseError
from burr_codeagent.review import CodeAnalysisResponse, ConcreteFix
from tests.conftest import broken, make_response

Request = GenerationRequest[PythonCodeGenerationResponse]


def test_answers_are_played_in_order_and_every_request_is_recorded(request_: Request) -> None:
    first, second = make_response(function_name="first"), make_response(function_name="second")
    backend = ScriptedBackend([first, second], usage=(120, 30))
    one = backend.generate(request_)
    two = backend.generate(request_)
    assert (one.response.function_name, two.response.function_name) == ("first", "second")
    assert (one.usage.input_tokens, one.usage.output_tokens, one.usage.api_calls) == (120, 30, 1)
    assert one.raw == first.model_dump_json()
    assert len(backend.calls) == 2
    assert backend.calls[0].prompt == "Create a function add(a, b) returning the sum."
    assert backend.calls[0].system == "You write Python." and backend.calls[0].purpose == "generation"


def test_a_dict_is_validated_against_the_requested_model(request_: Request) -> None:
    backend = ScriptedBackend([make_response().model_dump(), {"function_name": "f"}], usage=(5, 1))
    assert backend.generate(request_).response.code == make_response().code
    with pytest.raises(
        InvalidResponseError, match="response 2 does not match PythonCodeGenerationResponse"
    ) as bad:
        backend.generate(request_)
    assert bad.value.usage.input_tokens == 5  # the tokens of a malformed answer are still counted
    assert "'function_name': 'f'" in (bad.value.raw or "")


def test_exceptions_are_raised_and_running_out_is_a_clear_error(request_: Request) -> None:
    backend = ScriptedBackend([BackendError("throttled", retryable=True)])
    with pytest.raises(BackendError, match="throttled"):
        backend.generate(request_)
    with pytest.raises(ScriptExhaustedError, match="has 1 responses; request 2 has none"):
        backend.generate(request_)
    assert len(backend.calls) == 2  # the request that found no answer is recorded too


def test_a_handler_answers_each_request_by_what_it_asks(request_: Request) -> None:
    seen: list[str] = []

    def answer(request: GenerationRequest[Any]) -> PythonCodeGenerationResponse:
        seen.append(request.messages[-1].content)
        return make_response(function_name=f"call{len(seen)}")

    backend = ScriptedBackend(answer)
    names = [backend.generate(request_).response.function_name for _ in range(3)]
    assert names == ["call1", "call2", "call3"]  # a handler never runs out
    assert seen == [request_.messages[-1].content] * 3 and len(backend.calls) == 3


def test_a_handler_may_return_a_dict_or_an_exception_or_raise(request_: Request) -> None:
    answers: list[Any] = [{"function_name": "f"}, TimeoutError("slow provider")]
    backend = ScriptedBackend(lambda request: answers.pop(0))
    with pytest.raises(InvalidResponseError, match="response 1 does not match"):
        backend.generate(request_)
    with pytest.raises(TimeoutError, match="slow provider"):
        backend.generate(request_)

    def failing(request: GenerationRequest[Any]) -> PythonCodeGenerationResponse:
        raise KeyError("the handler's own bug")

    with pytest.raises(KeyError, match="the handler's own bug"):
        ScriptedBackend(failing).generate(request_)


def test_an_answer_of_the_wrong_kind_is_a_clear_error(request_: Request) -> None:
    backend = ScriptedBackend(lambda request: "def f(): pass")  # type: ignore[arg-type, return-value]
    with pytest.raises(
        TypeError, match="answer 1 is a str; answer with a pydantic model, a dict or an exception"
    ):
        backend.generate(request_)


def test_the_review_request_gets_its_own_answer_in_a_real_run(config: AgentConfig) -> None:
    generations = [broken(1), make_response()]
    review = CodeAnalysisResponse(
        issues=["the signature does not parse"],
        root_causes=["a missing closing parenthesis"],
        fixes=[ConcreteFix(location="factorial", change="close the parameter list: def factorial(n: int)")],
    )

    def answer(request: GenerationRequest[Any]) -> PythonCodeGenerationResponse | CodeAnalysisResponse:
        return review if request.purpose == "analysis" else generations.pop(0)

    settings = config.model_copy(
        update={
            "enable_ai_analysis": True,
            "max_retries": 1,
            "gates": config.gates.model_copy(update={"enable": ["syntax"]}),
        }
    )
    backend = ScriptedBackend(answer, usage=(10, 2))
    result = CodeAgent(settings, backend=backend).run("Write factorial")
    assert result.passed and len(result.attempts) == 2
    assert [call.purpose for call in backend.calls] == ["generation", "analysis", "generation"]
    assert backend.calls[1].response_model is CodeAnalysisResponse
    assert (
        "[code factorial] close the parameter list" in backend.calls[2].prompt
    )  # the review reached the retry
    assert result.metrics.analysis_tokens == 12


def test_concurrent_requests_each_get_one_answer(request_: Request) -> None:
    backend = ScriptedBackend([make_response(function_name=f"f{n}") for n in range(40)])
    with ThreadPoolExecutor(max_workers=8) as pool:
        names = list(pool.map(lambda _: backend.generate(request_).response.function_name, range(40)))
    assert sorted(names) == sorted(f"f{n}" for n in range(40)) and len(backend.calls) == 40


def test_agenerate_answers_like_generate(request_: Request) -> None:
    backend = ScriptedBackend(lambda request: make_response(function_name="async_one"))
    generation = asyncio.run(backend.agenerate(request_))
    assert generation.response.function_name == "async_one" and len(backend.calls) == 1
