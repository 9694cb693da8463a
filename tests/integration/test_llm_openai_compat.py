"""The OpenAI-compatible LLM path against a real chat-completions server on loopback.

Nothing is mocked: the real ``openai`` SDK (through our provider and client) talks HTTP to
``tests/support/chat_server.py``, which is scripted per test and records what it received.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from pydantic import BaseModel, Field
from tests.support.chat_server import (
    ChatServer,
    Disconnect,
    Reply,
    Slow,
    Status,
)

from learnpath.config import Settings
from learnpath.llm.client import Generation, LLMClient
from learnpath.llm.errors import (
    CancelledByRequest,
    InvalidOutputError,
    LLMError,
    PermanentLLMError,
    TransientLLMError,
)
from learnpath.llm.openai_compat import OpenAICompatProvider
from learnpath.llm.types import LLMCall

API_KEY = "test-key"
MESSAGES = [
    {"role": "system", "content": "You write short quizzes."},
    {"role": "user", "content": "One question about Python lists."},
]
VALID = '{"question": "What does append do?", "difficulty": 2}'


class QuizOut(BaseModel):
    question: str
    difficulty: int = Field(ge=1, le=5)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ChatServer]:
    # Loopback must never be routed through a proxy from the environment.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with ChatServer() as chat:
        yield chat


def make_settings(server: ChatServer, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "llm_base_url": server.base_url,
        "llm_api_key": API_KEY,
        "llm_model": "test-model",
        "llm_retry_base_s": 0.01,
        "llm_retry_max_s": 2,
        "llm_timeout_s": 5,
        "llm_max_retries": 3,
        **overrides,
    }
    return Settings(_env_file=None, **values)


ClientFactory = Callable[..., LLMClient]


@pytest.fixture
async def make_client(server: ChatServer) -> AsyncIterator[ClientFactory]:
    providers: list[OpenAICompatProvider] = []

    def build(**overrides: Any) -> LLMClient:
        settings = make_settings(server, **overrides)
        assert settings.provider == "openai"
        provider = OpenAICompatProvider(settings)
        providers.append(provider)
        return LLMClient(provider, settings)

    yield build
    for provider in providers:  # close the SDK's HTTP connections before the loop ends
        await provider._client.close()


async def generate(client: LLMClient, agent: str = "quiz", **kwargs: Any) -> Generation[QuizOut]:
    return await client.generate(agent, QuizOut, list(MESSAGES), {"topic": "lists"}, **kwargs)


def assert_safe(text: str, server: ChatServer) -> None:
    """A message fit for a learner: no key, no endpoint, no traceback."""
    for leak in (API_KEY, server.base_url, "127.0.0.1", str(server.port), "http", "Traceback"):
        assert leak not in text, f"{leak!r} leaked into {text!r}"


def calls_of(error: LLMError) -> list[LLMCall]:
    assert all(isinstance(c, LLMCall) for c in error.calls)
    return [c for c in error.calls if isinstance(c, LLMCall)]


# --- happy path ------------------------------------------------------------------------------


async def test_valid_reply_is_parsed_and_usage_recorded(
    server: ChatServer, make_client: ClientFactory
) -> None:
    server.enqueue(Reply(VALID, prompt_tokens=40, completion_tokens=12))
    client = make_client(llm_prices={"test-model": (1.0, 2.0)})

    result = await generate(client)

    assert result.value == QuizOut(question="What does append do?", difficulty=2)
    [call] = result.calls
    assert call.ok and call.error is None
    assert call.agent == "quiz"
    assert call.model == "test-model"
    assert call.provider == "openai"
    assert (call.prompt_tokens, call.completion_tokens) == (40, 12)
    assert call.cost_usd == pytest.approx((40 * 1.0 + 12 * 2.0) / 1_000_000)
    assert call.latency_ms > 0

    [request] = server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.model == "test-model"
    assert request.messages == MESSAGES
    response_format = request.response_format
    assert response_format is not None
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "QuizOut"
    # Every property is required and none has a default, so the schema can be strict.
    assert response_format["json_schema"]["strict"] is True
    assert response_format["json_schema"]["schema"] == {
        **QuizOut.model_json_schema(),
        "additionalProperties": False,
    }


async def test_model_per_agent(server: ChatServer, make_client: ClientFactory) -> None:
    server.enqueue(Reply(VALID), Reply(VALID))
    client = make_client(llm_models={"tutorial": "other-model"})

    tutorial = await generate(client, agent="tutorial")
    quiz = await generate(client, agent="quiz")

    assert [r.model for r in server.requests] == ["other-model", "test-model"]
    assert tutorial.calls[0].model == "other-model"
    assert quiz.calls[0].model == "test-model"


async def test_reply_in_json_code_fence_is_parsed(
    server: ChatServer, make_client: ClientFactory
) -> None:
    server.enqueue(Reply(f"```json\n{VALID}\n```"))
    result = await generate(make_client())
    assert result.value.difficulty == 2
    assert len(server.requests) == 1


# --- transient errors and retries ------------------------------------------------------------


async def test_429_retry_after_is_honoured(server: ChatServer, make_client: ClientFactory) -> None:
    server.enqueue(Status(429, headers={"Retry-After": "0.3"}), Reply(VALID))
    # Backoff alone would wait ~0.01-0.02 s, so a gap of 0.3 s can only come from Retry-After.
    result = await generate(make_client(llm_retry_base_s=0.01))

    assert result.value.difficulty == 2
    first, second = server.requests
    gap = second.received_at - first.received_at
    assert 0.29 <= gap < 2.0, gap
    assert [c.ok for c in result.calls] == [False, True]
    assert result.calls[0].error is not None and "429" in result.calls[0].error


async def test_5xx_then_success_is_retried(server: ChatServer, make_client: ClientFactory) -> None:
    server.enqueue(Status(500), Status(503), Reply(VALID))
    result = await generate(make_client(llm_max_retries=3))

    assert result.value.difficulty == 2
    assert len(server.requests) == 3
    assert [c.ok for c in result.calls] == [False, False, True]


async def test_connection_dropped_is_transient(
    server: ChatServer, make_client: ClientFactory
) -> None:
    server.enqueue(Disconnect(), Reply(VALID))
    result = await generate(make_client())
    assert result.value.difficulty == 2
    assert [c.ok for c in result.calls] == [False, True]


async def test_persistent_5xx_gives_up_with_safe_error(
    server: ChatServer, make_client: ClientFactory
) -> None:
    max_retries = 2
    server.enqueue(*[Status(500)] * (max_retries + 1))
    client = make_client(llm_max_retries=max_retries)

    with pytest.raises(TransientLLMError) as caught:
        await generate(client)

    assert len(server.requests) == max_retries + 1
    assert server.unscripted == 0
    error = caught.value
    assert "500" in str(error)
    assert_safe(str(error), server)
    calls = calls_of(error)
    assert len(calls) == max_retries + 1
    assert not any(c.ok for c in calls)
    for call in calls:
        assert call.error is not None
        assert_safe(call.error, server)


async def test_400_is_permanent_and_not_retried(
    server: ChatServer, make_client: ClientFactory
) -> None:
    server.enqueue(Status(400), Reply(VALID))
    with pytest.raises(PermanentLLMError) as caught:
        await generate(make_client(llm_max_retries=3))

    assert not isinstance(caught.value, InvalidOutputError)
    assert "400" in str(caught.value)
    assert len(server.requests) == 1
    assert server.pending == 1
    assert len(caught.value.calls) == 1


async def test_timeout_is_transient_and_retried(
    server: ChatServer, make_client: ClientFactory
) -> None:
    server.enqueue(Slow(1.5, then=Reply(VALID)), Reply(VALID))
    client = make_client(llm_timeout_s=0.3, llm_max_retries=2)

    started = time.monotonic()
    result = await generate(client)
    elapsed = time.monotonic() - started

    assert result.value.difficulty == 2
    assert len(server.requests) == 2
    assert elapsed < 1.4, "the client waited for the slow reply instead of timing out"
    assert [c.ok for c in result.calls] == [False, True]
    assert result.calls[0].error == "the model did not answer in time"
    assert result.calls[0].latency_ms >= 250


# --- structured output repair ----------------------------------------------------------------


async def test_invalid_json_gets_one_repair_reask(
    server: ChatServer, make_client: ClientFactory
) -> None:
    bad = "Sure! Here is your quiz: a question about lists."
    server.enqueue(Reply(bad), Reply(VALID))

    result = await generate(make_client())

    assert result.value.difficulty == 2
    first, repair = server.requests
    assert first.messages == MESSAGES
    assert repair.messages[: len(MESSAGES)] == MESSAGES
    assert repair.messages[len(MESSAGES)] == {"role": "assistant", "content": bad}
    problem = repair.messages[len(MESSAGES) + 1]
    assert problem["role"] == "user"
    assert "JSON" in problem["content"]
    assert len(repair.messages) == len(MESSAGES) + 2
    # Prose under json_schema means the endpoint ignores response_format: the re-ask is made
    # with the schema in the prompt only.
    assert first.response_format is not None
    assert repair.response_format is None
    assert [c.ok for c in result.calls] == [True, True]


async def test_schema_violation_twice_is_invalid_output(
    server: ChatServer, make_client: ClientFactory
) -> None:
    wrong = '{"question": "What does append do?", "difficulty": "very hard"}'
    server.enqueue(Reply(wrong), Reply(wrong), Reply(VALID))

    with pytest.raises(InvalidOutputError) as caught:
        await generate(make_client())

    assert "difficulty" in str(caught.value)
    assert_safe(str(caught.value), server)
    assert len(server.requests) == 2
    assert "difficulty" in server.requests[1].messages[-1]["content"]
    assert len(caught.value.calls) == 2


# --- global limit, cancellation, secrets -----------------------------------------------------


async def test_global_limit_on_calls_in_flight(
    server: ChatServer, make_client: ClientFactory
) -> None:
    server.enqueue(*[Slow(0.2, then=Reply(VALID)) for _ in range(6)])
    client = make_client(llm_concurrency=2)

    started = time.monotonic()
    results = await asyncio.gather(*(generate(client) for _ in range(6)))
    elapsed = time.monotonic() - started

    assert len(results) == 6
    assert all(r.value.difficulty == 2 for r in results)
    assert len(server.requests) == 6
    assert server.max_in_flight == 2
    assert elapsed >= 0.55  # three waves of 0.2 s


async def test_cancel_before_first_call_sends_nothing(
    server: ChatServer, make_client: ClientFactory
) -> None:
    server.enqueue(Reply(VALID))

    async def cancelled() -> bool:
        return True

    with pytest.raises(CancelledByRequest):
        await generate(make_client(), should_cancel=cancelled)
    assert server.requests == []


async def test_cancel_stops_retries(server: ChatServer, make_client: ClientFactory) -> None:
    server.enqueue(Status(503), Reply(VALID))
    asked = 0

    async def cancel_after_first() -> bool:
        nonlocal asked
        asked += 1
        return asked > 1

    with pytest.raises(CancelledByRequest):
        await generate(make_client(), should_cancel=cancel_after_first)
    assert len(server.requests) == 1


async def test_api_key_never_in_errors(server: ChatServer, make_client: ClientFactory) -> None:
    # Real endpoints echo the key back in their error bodies; none of it may reach our errors.
    echo = {"error": {"message": f"Incorrect API key provided: {API_KEY} at {server.base_url}"}}
    server.enqueue(
        Status(401, body=echo),
        Status(429, body=echo, headers={"Retry-After": "0"}),
        Status(500, body=echo),
        Status(502, body=f"bad gateway {API_KEY}"),
    )
    permanent = make_client(llm_max_retries=0)
    with pytest.raises(PermanentLLMError) as unauthorised:
        await generate(permanent)
    retrying = make_client(llm_max_retries=2)
    with pytest.raises(TransientLLMError) as exhausted:
        await generate(retrying)

    assert len(server.requests) == 4
    for error in (unauthorised.value, exhausted.value):
        assert_safe(str(error), server)
        assert_safe(repr(error), server)
        for call in calls_of(error):
            assert call.error is not None
            assert_safe(call.error, server)
    assert all(r.headers["authorization"] == f"Bearer {API_KEY}" for r in server.requests)
