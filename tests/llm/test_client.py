import asyncio
import logging
from dataclasses import replace

import pytest

from clingen_hf.llm.cache import CompletionCache
from clingen_hf.llm.client import (
    LLMClient,
    LLMConfigError,
    LLMSettings,
    resolve_api_key,
)
from tests.fake_openai import FakeOpenAI, Reply

MESSAGES = [{"role": "user", "content": "Write a sentence about asthma."}]


def make_client(server, tmp_path, **overrides) -> LLMClient:
    settings = LLMSettings(base_url=server.base_url, model="fake-model", max_retries=2, timeout_s=5.0, **overrides)
    return LLMClient(settings, CompletionCache(tmp_path / "cache.sqlite"))


def test_completion_is_cached_and_rerun_makes_no_call(tmp_path):
    with FakeOpenAI() as server:
        server.script("Sentence: Asthma flares.\nEntities: Asthma")
        first = make_client(server, tmp_path).complete_many([(MESSAGES, 7)])[0]
        second_client = make_client(server, tmp_path)
        second = second_client.complete_many([(MESSAGES, 7)])[0]
    assert first.text == second.text == "Sentence: Asthma flares.\nEntities: Asthma"
    assert (first.cached, second.cached) == (False, True)
    assert len(server.requests) == 1
    assert second_client.ledger.calls_made == 0 and second_client.ledger.cache_hits == 1
    assert second_client.ledger.total_tokens() == (first.prompt_tokens, first.completion_tokens)


def test_sample_seed_is_part_of_the_key_and_sent_to_the_server(tmp_path):
    with FakeOpenAI() as server:
        make_client(server, tmp_path).complete_many([(MESSAGES, 1), (MESSAGES, 2)])
    assert sorted(r["seed"] for r in server.requests) == [1, 2]
    assert {r["temperature"] for r in server.requests} == {1.0}
    assert {r["top_p"] for r in server.requests} == {1.0}


# --- the identity of the model that answered ------------------------------------------------------

REQUESTS = [(MESSAGES, seed) for seed in range(3)]


def test_two_servers_reporting_different_models_under_one_name_share_no_completion(tmp_path):
    with FakeOpenAI(model="llama-3-8b") as first, FakeOpenAI(model="qwen-2.5-7b") as second:
        make_client(first, tmp_path).complete_many(REQUESTS)
        other = make_client(second, tmp_path)
        answers = other.complete_many(REQUESTS)
    assert len(first.requests) == len(second.requests) == 3
    assert other.ledger.calls_made == 3 and other.ledger.cache_hits == 0 and not any(a.cached for a in answers)
    assert other.model_fingerprint == "served:qwen-2.5-7b"


def test_rerun_against_the_same_server_asks_its_model_once_and_makes_no_completion_call(tmp_path):
    with FakeOpenAI() as server:
        make_client(server, tmp_path).complete_many(REQUESTS)
        models_asked = server.models_requests
        rerun = make_client(server, tmp_path)
        rerun.complete_many(REQUESTS)
    assert len(server.requests) == 3 and models_asked == 1
    assert rerun.ledger.calls_made == 0 and rerun.ledger.cache_hits == 3 and server.models_requests == 2


def test_two_gguf_fingerprints_share_no_completion(tmp_path):
    with FakeOpenAI() as server:
        make_client(server, tmp_path, model_fingerprint="gguf-sha256:" + "a" * 64).complete_many(REQUESTS)
        other = make_client(server, tmp_path, model_fingerprint="gguf-sha256:" + "b" * 64)
        other.complete_many(REQUESTS)
        again = make_client(server, tmp_path, model_fingerprint="gguf-sha256:" + "b" * 64)
        again.complete_many(REQUESTS)
    assert len(server.requests) == 6 and other.ledger.calls_made == 3 and again.ledger.cache_hits == 3
    assert server.models_requests == 2  # reachability, before each first call; the cached rerun asked nothing


def test_given_fingerprint_reruns_from_the_cache_without_the_server(tmp_path):
    with FakeOpenAI() as server:
        make_client(server, tmp_path, model_fingerprint="gguf-sha256:aa").complete_many(REQUESTS)
        base_url = server.base_url
    settings = LLMSettings(base_url=base_url, model="fake-model", max_retries=0, timeout_s=2.0)  # the server is stopped
    offline = LLMClient(replace(settings, model_fingerprint="gguf-sha256:aa"), CompletionCache(tmp_path / "cache.sqlite"))
    assert [a.cached for a in offline.complete_many(REQUESTS)] == [True] * 3
    with pytest.raises(LLMConfigError, match="cannot reach the LLM server"):  # without it, the server must say who answers
        LLMClient(settings, CompletionCache(tmp_path / "cache.sqlite")).complete_many(REQUESTS)


def test_a_cached_record_of_another_model_under_the_same_key_is_a_miss(tmp_path):
    with FakeOpenAI(model="new-model") as server:
        client = make_client(server, tmp_path)
        key = client.key_for(MESSAGES, 0)
        record = {"text": "old", "finish_reason": "stop", "prompt_tokens": 1, "completion_tokens": 1, "model": "x"}
        client.cache.put(key, record | {"model_fingerprint": "served:old-model"})
        assert not client.is_cached(MESSAGES, 0)
        answer = client.complete_many([(MESSAGES, 0)])[0]
    assert not answer.cached and answer.text != "old" and len(server.requests) == 1
    stored = client.cache.get(key, "served:new-model")
    assert stored["model_fingerprint"] == "served:new-model" and stored["model"] == "fake-model"


def test_server_without_models_endpoint_is_cached_under_the_name_with_a_warning(tmp_path, caplog):
    with FakeOpenAI(list_models=False) as server, caplog.at_level(logging.WARNING, logger="clingen_hf.llm.client"):
        client = make_client(server, tmp_path)
        assert client.complete_many([(MESSAGES, 0)])[0].error is None
    assert client.model_fingerprint == "unverified:fake-model"
    assert "no /models endpoint" in caplog.text and "--llm-model-fingerprint" in caplog.text


@pytest.mark.parametrize(
    ("served", "expected"),
    [
        ([{"id": "llama", "root": "meta-llama/Llama-3.1-8B-Instruct"}], "served:llama root:meta-llama/Llama-3.1-8B-Instruct"),
        ([{"id": "gpt-4o"}, {"id": "fake-model"}], "served:fake-model"),
        ([{"id": "local@gguf-sha256:0123456789ab"}], "served:local@gguf-sha256:0123456789ab"),
        ([{"id": "gpt-4o"}, {"id": "gpt-4o-mini"}], "unverified:fake-model"),
    ],
)
def test_fingerprint_from_what_the_server_lists(served, expected, monkeypatch):
    client = LLMClient(LLMSettings(base_url="http://127.0.0.1:9/v1", model="fake-model"), CompletionCache(":memory:"))
    monkeypatch.setattr(client, "_served_models", lambda: served)
    assert client.model_fingerprint == expected


def test_cli_option_names_the_model_and_reaches_the_public_settings():
    import argparse

    from clingen_hf.cli.common import add_llm_arguments, llm_settings_from

    parser = argparse.ArgumentParser()
    add_llm_arguments(parser)
    settings = llm_settings_from(parser.parse_args(["--llm-model", "m", "--llm-model-fingerprint", "gguf-sha256:aa"]))
    assert settings.model_fingerprint == "gguf-sha256:aa" and settings.public_dict()["model_fingerprint"] == "gguf-sha256:aa"
    assert llm_settings_from(parser.parse_args(["--llm-model", "m"])).model_fingerprint is None


def test_rate_limit_and_server_error_are_retried_by_the_client(tmp_path):
    with FakeOpenAI() as server:
        server.script(Reply(status=429, retry_after_s=0.01), Reply(status=500), "ok after retries")
        completion = make_client(server, tmp_path).complete_many([(MESSAGES, 0)])[0]
    assert completion.text == "ok after retries" and completion.error is None
    assert len(server.requests) == 3


def test_exhausted_retries_cost_one_sample_and_are_not_cached(tmp_path):
    with FakeOpenAI() as server:
        server.script(*[Reply(status=500)] * 3)
        client = make_client(server, tmp_path)
        failed = client.complete_many([(MESSAGES, 0)])[0]
        assert failed.error == "llm_InternalServerError"
        assert client.ledger.errors == {"llm_InternalServerError": 1}
        retried = client.complete_many([(MESSAGES, 0)])[0]
    assert retried.error is None and not retried.cached


def test_timeout_and_malformed_body_are_counted(tmp_path):
    with FakeOpenAI() as server:
        server.script(Reply(delay_s=3.0), Reply(raw_body="{not json"))
        settings = LLMSettings(base_url=server.base_url, model="m", max_retries=0, timeout_s=0.5)
        client = LLMClient(settings, CompletionCache(tmp_path / "c.sqlite"))
        results = [client.complete_many([(MESSAGES, seed)])[0] for seed in (0, 1)]
    assert [r.error for r in results] == ["llm_APITimeoutError", "llm_JSONDecodeError"]


@pytest.mark.parametrize("backend", ["aiohttp", "httpx"])
def test_both_transports_name_a_timeout_and_a_lost_server_alike(tmp_path, backend):
    """aiohttp's transport reports a refused or dropped connection as a timeout; the ledger names
    it a connection error, as httpx's does, which is what stops a run whose server is gone."""
    with FakeOpenAI() as server:
        server.script(Reply(delay_s=3.0))
        settings = LLMSettings(base_url=server.base_url, model="m", max_retries=0, timeout_s=0.5, http_backend=backend)
        client = LLMClient(settings, CompletionCache(tmp_path / "c.sqlite"))
        timed_out = client.complete_many([(MESSAGES, 0)])[0]
        server.die()
        hung_up = client.complete_many([(MESSAGES, 1)])[0]
    refused = client.complete_many([(MESSAGES, 2)])[0]  # nothing listens on the port now
    assert timed_out.error == "llm_APITimeoutError"
    assert hung_up.error == refused.error == "llm_APIConnectionError"


def test_unknown_http_backend_is_a_clear_error(tmp_path):
    with FakeOpenAI() as server:
        client = make_client(server, tmp_path, http_backend="requests")
        with pytest.raises(LLMConfigError, match="unknown HTTP backend 'requests'; choose one of aiohttp, httpx"):
            client.complete_many([(MESSAGES, 0)])


def test_concurrency_is_bounded(tmp_path):
    import threading
    import time

    lock, active, peak = threading.Lock(), [0], [0]

    def tracking_responder(request):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.1)
        with lock:
            active[0] -= 1
        return "ok"

    with FakeOpenAI(responder=tracking_responder) as server:
        make_client(server, tmp_path, concurrency=4).complete_many([(MESSAGES, seed) for seed in range(12)])
    assert peak[0] == 4


def test_budget_stops_new_calls_and_keeps_done_ones(tmp_path):
    with FakeOpenAI() as server:
        # every call costs far more than the budget: the first goes through, the rest are skipped
        client = make_client(server, tmp_path, price_input_per_mtok=1e6, price_output_per_mtok=1e6, max_cost_usd=0.01, concurrency=1)

        async def sequential():
            return [await client.complete(MESSAGES, seed) for seed in range(3)]

        results = asyncio.run(sequential())
    assert [r.error for r in results] == [None, "budget_exhausted", "budget_exhausted"]
    assert client.ledger.skipped_for_budget == 2 and len(server.requests) == 1


def test_api_key_comes_from_the_named_variable(monkeypatch):
    monkeypatch.setenv("MY_KEY", "sk-test")
    assert resolve_api_key(LLMSettings(base_url="https://api.example.com/v1", model="m", api_key_env="MY_KEY")) == "sk-test"
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(LLMConfigError, match="OPENAI_API_KEY is not set"):
        resolve_api_key(LLMSettings(base_url="https://api.example.com/v1", model="m"))
    with pytest.raises(LLMConfigError, match="MISSING_VAR is not set"):
        resolve_api_key(LLMSettings(base_url="http://127.0.0.1:1/v1", model="m", api_key_env="MISSING_VAR"))
    assert resolve_api_key(LLMSettings(base_url="http://127.0.0.1:1/v1", model="m"))


def test_key_never_reaches_cache_or_public_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY_VAR", "sk-very-secret")
    with FakeOpenAI() as server:
        settings = LLMSettings(base_url=server.base_url, model="m", api_key_env="SECRET_KEY_VAR")
        LLMClient(settings, CompletionCache(tmp_path / "c.sqlite")).complete_many([(MESSAGES, 0)])
        assert "sk-very-secret" not in str(settings.public_dict())
    assert b"sk-very-secret" not in (tmp_path / "c.sqlite").read_bytes()


def test_unreachable_server_is_a_clear_error(tmp_path):
    settings = LLMSettings(base_url="http://127.0.0.1:9/v1", model="m", max_retries=0, timeout_s=2)
    client = LLMClient(settings, CompletionCache(tmp_path / "c.sqlite"))
    with pytest.raises(LLMConfigError, match="cannot reach the LLM server at http://127.0.0.1:9/v1"):
        client.complete_many([(MESSAGES, 0)])


def test_cost_uses_known_or_given_prices():
    assert LLMSettings(base_url="https://api.openai.com/v1", model="gpt-4o-mini").prices() == (0.15, 0.60)
    assert LLMSettings(base_url="https://x.org/v1", model="mystery").prices() is None
    assert LLMSettings(base_url="http://127.0.0.1:8000/v1", model="mystery").prices() == (0.0, 0.0)
    assert LLMSettings(base_url="https://x.org/v1", model="m", price_input_per_mtok=1.0).prices() == (1.0, 0.0)
