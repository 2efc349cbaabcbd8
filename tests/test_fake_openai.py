"""The fake OpenAI server, exercised through the real ``openai`` client."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import openai
import pytest

from tests.fake_openai import FakeOpenAI, Reply

MESSAGES = [
    {"role": "system", "content": "You write sentences ."},
    {"role": "user", "content": "Write one sentence about aspirin"},
]


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


def _client(server: FakeOpenAI, **kwargs: object) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=server.base_url, api_key="x", **kwargs)  # type: ignore[arg-type]


async def _ask(client: openai.AsyncOpenAI, model: str = "gpt-test") -> openai.types.chat.ChatCompletion:
    async with client:
        return await client.chat.completions.create(model=model, messages=MESSAGES)  # type: ignore[arg-type]


def test_base_url_points_at_local_port(server: FakeOpenAI) -> None:
    assert server.base_url.startswith("http://127.0.0.1:")
    assert server.base_url.endswith("/v1")


def test_scripted_content_reaches_the_client(server: FakeOpenAI) -> None:
    server.script("Aspirin can cause gastric bleeding .", Reply(content="second", finish_reason="length"))

    first = asyncio.run(_ask(_client(server)))
    second = asyncio.run(_ask(_client(server)))

    assert first.choices[0].message.content == "Aspirin can cause gastric bleeding ."
    assert first.choices[0].finish_reason == "stop"
    assert first.model == "gpt-test"
    assert first.object == "chat.completion"
    assert second.choices[0].message.content == "second"
    assert second.choices[0].finish_reason == "length"
    assert server.pending_script == 0
    assert [request["messages"] for request in server.requests] == [MESSAGES, MESSAGES]


def test_default_responder_is_deterministic(server: FakeOpenAI) -> None:
    first = asyncio.run(_ask(_client(server)))
    second = asyncio.run(_ask(_client(server)))
    assert first.choices[0].message.content == second.choices[0].message.content
    assert "aspirin" in (first.choices[0].message.content or "")


def test_custom_responder_sees_the_request_and_follows_the_script() -> None:
    def responder(request: dict) -> Reply:
        return Reply(content=f"temperature={request.get('temperature')}")

    with FakeOpenAI(responder=responder) as server:
        server.script("scripted")

        async def two_calls() -> list[str | None]:
            async with _client(server) as client:
                contents = []
                for _ in range(2):
                    completion = await client.chat.completions.create(
                        model="m", messages=MESSAGES, temperature=0.7  # type: ignore[arg-type]
                    )
                    contents.append(completion.choices[0].message.content)
                return contents

        assert asyncio.run(two_calls()) == ["scripted", "temperature=0.7"]


def test_usage_counts_whitespace_words(server: FakeOpenAI) -> None:
    server.script("one two three")
    completion = asyncio.run(_ask(_client(server)))
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == 4 + 5
    assert completion.usage.completion_tokens == 3
    assert completion.usage.total_tokens == 12


def test_rate_limit_then_success_through_client_retries(server: FakeOpenAI) -> None:
    server.script(Reply(status=429, retry_after_s=0.01), "after retry")

    completion = asyncio.run(_ask(_client(server, max_retries=2)))

    assert completion.choices[0].message.content == "after retry"
    assert len(server.requests) == 2


def test_rate_limit_without_retries_raises(server: FakeOpenAI) -> None:
    server.script(Reply(status=429, retry_after_s=0.01))
    with pytest.raises(openai.RateLimitError) as raised:
        asyncio.run(_ask(_client(server, max_retries=0)))
    assert raised.value.response.headers["retry-after"] == "0.01"
    assert isinstance(raised.value.body, dict)
    assert raised.value.body["type"] == "rate_limit_error"


def test_server_error_without_retries_raises(server: FakeOpenAI) -> None:
    server.script(Reply(status=500))
    with pytest.raises(openai.InternalServerError):
        asyncio.run(_ask(_client(server, max_retries=0)))
    assert len(server.requests) == 1


def test_delay_longer_than_client_timeout_raises(server: FakeOpenAI) -> None:
    server.script(Reply(content="too late", delay_s=1.5))
    started = time.perf_counter()
    with pytest.raises(openai.APITimeoutError):
        asyncio.run(_ask(_client(server, max_retries=0, timeout=0.3)))
    assert time.perf_counter() - started < 1.4


def test_raw_body_is_sent_verbatim(server: FakeOpenAI) -> None:
    server.script(Reply(raw_body="{not json"))
    request = urllib.request.Request(
        server.base_url + "/chat/completions",
        data=json.dumps({"model": "m", "messages": MESSAGES}).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
        assert response.read() == b"{not json"


def test_malformed_body_surfaces_as_json_error_in_the_client(server: FakeOpenAI) -> None:
    # openai 3.x does not wrap this: callers must catch json.JSONDecodeError themselves.
    server.script(Reply(raw_body="{not json"))
    with pytest.raises(json.JSONDecodeError):
        asyncio.run(_ask(_client(server, max_retries=0)))


def test_concurrent_calls_are_not_serialised() -> None:
    calls, latency = 32, 0.2
    with FakeOpenAI(latency_s=latency) as server:

        async def many() -> list[str | None]:
            async with _client(server, max_retries=0) as client:
                completions = await asyncio.gather(
                    *(
                        client.chat.completions.create(
                            model="m", messages=[{"role": "user", "content": f"call {index}"}]
                        )
                        for index in range(calls)
                    )
                )
            return [completion.choices[0].message.content for completion in completions]

        started = time.perf_counter()
        contents = asyncio.run(many())
        elapsed = time.perf_counter() - started

    assert sorted(contents) == sorted(f"echo: call {index}" for index in range(calls))
    assert len(server.requests) == calls
    assert elapsed < calls * latency / 4, elapsed


def test_models_endpoint_lists_the_model() -> None:
    with FakeOpenAI(model="my-model") as server:

        async def list_models() -> list[str]:
            async with _client(server) as client:
                page = await client.models.list()
                return [model.id async for model in page]

        assert asyncio.run(list_models()) == ["my-model"]


def test_unknown_path_is_a_json_404(server: FakeOpenAI) -> None:
    request = urllib.request.Request(server.base_url + "/nothing", method="GET")
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=5)
    assert raised.value.code == 404
    assert "error" in json.loads(raised.value.read())


def test_stop_is_idempotent_and_base_url_needs_start() -> None:
    server = FakeOpenAI().start()
    server.stop()
    server.stop()
    with pytest.raises(RuntimeError):
        _ = server.base_url
