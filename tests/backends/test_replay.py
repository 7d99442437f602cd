"""Recording and replay: cassettes reproduce answers, failures and usage; a diverging request is a clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from burr_codeagent import AgentConfig, PythonCodeGenerationResponse
from burr_codeagent.backends import ScriptedBackend
from burr_codeagent.backends._cassette import Cassette, CassetteError
from burr_codeagent.backends.base import BackendError, GenerationRequest, InvalidResponseError, Message
from burr_codeagent.backends.recording import RecordingBackend
from burr_codeagent.backends.replay import CassetteMismatchError, ReplayBackend
from burr_codeagent.plugins import default_manager

from .fakes import BAD_ANSWER, GOOD_ANSWER

Request = GenerationRequest[PythonCodeGenerationResponse]


def ask(prompt: str) -> Request:
    return GenerationRequest("system", (Message("user", prompt),), PythonCodeGenerationResponse)


@pytest.fixture
def cassette(tmp_path: Path) -> Path:
    """A cassette of three requests: a good answer, an invalid one, and a backend failure."""
    path = tmp_path / "tape.json"
    inner = ScriptedBackend(
        [GOOD_ANSWER, BAD_ANSWER, BackendError("boom", backend="scripted")], usage=(111, 22)
    )
    recorder = RecordingBackend(inner, path)
    recorder.generate(ask("first"))
    with pytest.raises(InvalidResponseError):
        recorder.generate(ask("second"))
    with pytest.raises(BackendError):
        recorder.generate(ask("third"))
    return path


def test_replay_reproduces_answers_failures_and_usage(cassette: Path) -> None:
    replay = ReplayBackend(cassette)
    first = replay.generate(ask("first"))
    assert first.response.function_name == "add"
    assert (first.usage.input_tokens, first.usage.output_tokens, first.usage.api_calls) == (111, 22, 1)
    with pytest.raises(InvalidResponseError) as invalid:
        replay.generate(ask("second"))
    assert invalid.value.usage.input_tokens == 111
    assert "does not match PythonCodeGenerationResponse" in str(invalid.value)
    with pytest.raises(BackendError, match=r"^boom$"):
        replay.generate(ask("third"))
    assert replay.model == "scripted"


def test_replay_is_deterministic_across_instances(cassette: Path) -> None:
    answers = [ReplayBackend(cassette).generate(ask("first")).response for _ in range(3)]
    assert answers[0] == answers[1] == answers[2]


def test_an_unrecorded_request_is_a_clear_error(cassette: Path) -> None:
    with pytest.raises(CassetteMismatchError) as info:
        ReplayBackend(cassette).generate(ask("something else"))
    message = str(info.value)
    assert "request 1 (generation, prompt 'something else') matches no interaction in" in message
    assert "the next recorded one was 'first'" in message
    assert "CODEAGENT_REPLAY_MATCH=order" in message


def test_order_matching_plays_answers_whatever_the_prompt(cassette: Path) -> None:
    replay = ReplayBackend(cassette, match="order")
    assert replay.generate(ask("a changed prompt")).response.function_name == "add"
    with pytest.raises(InvalidResponseError):
        replay.generate(ask("another"))
    with pytest.raises(BackendError):
        replay.generate(ask("third, changed"))
    with pytest.raises(CassetteMismatchError, match="holds only 3 interaction"):
        replay.generate(ask("one too many"))


def test_cassette_file_records_fingerprints_and_previews(cassette: Path) -> None:
    data = json.loads(cassette.read_text())
    assert data["version"] == 1 and data["backend"] == "scripted"
    assert [i["prompt_preview"] for i in data["interactions"]] == ["first", "second", "third"]
    assert all(i["fingerprint"].startswith("sha256:") for i in data["interactions"])
    assert data["interactions"][2]["error"] == {"kind": "backend_error", "message": "boom"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist; record one with `codeagent run ... --record"),
        ("{not json", "is not readable JSON"),
        (
            '{"interactions": [{"purpose": "generation"}]}',
            "is not a burr-codeagent cassette: interactions.0.fingerprint",
        ),
        ('{"version": 99}', "has version 99"),
    ],
)
def test_bad_cassettes_are_explained(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "c.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(
        CassetteError, match=message.replace("(", r"\(").replace(")", r"\)").replace("`", "`")
    ):
        Cassette.load(path)
    factory = default_manager().backends()["replay"].item
    assert message.split(";")[0] in factory.missing(AgentConfig(backend="replay", cassette=path))[0]


def test_replay_factory_needs_a_cassette() -> None:
    factory = default_manager().backends()["replay"].item
    assert factory.missing(AgentConfig(backend="replay")) == [
        "a cassette: pass --cassette FILE (or set CODEAGENT_CASSETTE), recorded with --record FILE"
    ]
