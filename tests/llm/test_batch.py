"""OpenAI Batch API mode against the loopback fake (tests/fake_openai_batches.py): the same rows as
synchronous calls at half the price, resume by batch id, partial failure and expiry."""

from __future__ import annotations

import json

import datasets
import pytest

from clingen_hf.cli import main
from clingen_hf.llm.batch import BatchCompleter
from clingen_hf.llm.cache import CompletionCache
from clingen_hf.llm.client import LLMClient, LLMSettings

PRICES = ["--price-input", "1.0", "--price-output", "2.0"]


def client_for(server, cache_dir, **overrides) -> LLMClient:
    settings = LLMSettings(base_url=server.base_url, model=server.model, batch_api=True, batch_poll_s=0.0,
                           price_input_per_mtok=1.0, price_output_per_mtok=2.0, **overrides)
    return LLMClient(settings, CompletionCache.in_dir(cache_dir))


def requests(count: int) -> list[tuple[list[dict], int]]:
    return [([{"role": "user", "content": f"Name disease number {i}."}], i) for i in range(count)]


def generate(server, cache, output, *extra) -> int:
    return main(["generate", "--task", "ncbi-disease", "--method", "zerogen", "--n", "6", "--llm-base-url", server.base_url,
                 "--llm-model", server.model, "--cache-dir", str(cache), "--output", str(output), *PRICES, *extra])


def test_batch_generation_writes_the_same_rows_at_half_the_price(clinical_llm, tmp_path, capsys):
    assert generate(clinical_llm, tmp_path / "sync-cache", tmp_path / "sync") == 0
    assert generate(clinical_llm, tmp_path / "batch-cache", tmp_path / "batch", "--batch-api", "--batch-poll", "0") == 0
    assert "Batch API (main step): 6 answered, 0 failed" in capsys.readouterr().out
    assert clinical_llm.batch_api.created == 1
    sync, batch = (datasets.load_dataset(str(tmp_path / name), "zerogen", split="train") for name in ("sync", "batch"))
    assert sync.remove_columns("cost_usd").to_list() == batch.remove_columns("cost_usd").to_list() and len(batch) > 0
    assert sum(batch["cost_usd"]) == pytest.approx(sum(sync["cost_usd"]) / 2)
    sync_usage, batch_usage = (json.loads((tmp_path / name / "zerogen" / "generation_report.json").read_text())["usage"]
                               for name in ("sync", "batch"))
    assert batch_usage["cost_usd"] == pytest.approx(sync_usage["cost_usd"] / 2) and batch_usage["cost_usd"] > 0
    assert batch_usage["llm_calls_made"] == sync_usage["llm_calls_made"] == 6
    assert batch_usage["engine_steps"] == [{"engine": "batch-api", "step": "main", "requests": 6, "cached_before": 0,
                                            "answered": 6, "failed": 0}]

    assert generate(clinical_llm, tmp_path / "batch-cache", tmp_path / "again", "--batch-api") == 0  # all cached
    assert clinical_llm.batch_api.created == 1


def test_a_killed_run_resumes_its_batch_instead_of_paying_twice(clinical_llm, tmp_path):
    clinical_llm.batch_api.hold = True

    def interrupt(seconds):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        BatchCompleter(client_for(clinical_llm, tmp_path), sleep=interrupt).prefill(requests(5))
    assert clinical_llm.batch_api.created == 1 and len(list((tmp_path / "batches").glob("*.json"))) == 1

    clinical_llm.batch_api.hold = False
    llm = client_for(clinical_llm, tmp_path)
    counts = BatchCompleter(llm).prefill(requests(5))
    assert counts == {"requests": 5, "cached_before": 0, "answered": 5, "failed": 0}
    assert clinical_llm.batch_api.created == 1
    completions = llm.complete_many(requests(5))
    assert all(c.text and not c.cached for c in completions) and llm.ledger.calls_made == 5


def test_failed_requests_go_to_a_follow_up_batch(clinical_llm, tmp_path):
    failed_once: set[str] = set()

    def fail_first_time(index, custom_id):
        if index % 2 == 0 and custom_id not in failed_once:
            failed_once.add(custom_id)
            return True
        return False

    clinical_llm.batch_api.fail = fail_first_time
    counts = BatchCompleter(client_for(clinical_llm, tmp_path)).prefill(requests(6))
    assert counts["answered"] == 6 and counts["failed"] == 0
    assert clinical_llm.batch_api.created == 2 and len(failed_once) == 3


def test_requests_that_keep_failing_are_reported_and_never_called_synchronously(clinical_llm, tmp_path):
    clinical_llm.batch_api.fail = lambda index, custom_id: index == 0
    llm = client_for(clinical_llm, tmp_path)
    counts = BatchCompleter(llm, max_batches=3).prefill(requests(3))
    assert counts["answered"] == 2 and counts["failed"] == 1 and clinical_llm.batch_api.created == 3
    chat_requests = len(clinical_llm.requests)
    completions = llm.complete_many(requests(3))
    assert [c.error for c in completions] == ["batch_http_500", None, None]
    assert len(clinical_llm.requests) == chat_requests  # no synchronous call for the failed one


def test_an_expired_batch_leaves_its_rest_to_a_follow_up(clinical_llm, tmp_path):
    clinical_llm.batch_api.expire_after = 2
    llm = client_for(clinical_llm, tmp_path)

    class ExpireOnce(BatchCompleter):
        def _create(self, client, pending, label):
            if clinical_llm.batch_api.created:
                clinical_llm.batch_api.expire_after = None
            return super()._create(client, pending, label)

    counts = ExpireOnce(llm).prefill(requests(5))
    assert counts["answered"] == 5 and clinical_llm.batch_api.created == 2


def test_batch_completions_cost_half_in_the_ledger(clinical_llm, tmp_path):
    llm = client_for(clinical_llm, tmp_path)
    BatchCompleter(llm).prefill(requests(2))
    completions = llm.complete_many(requests(2))
    for completion in completions:
        full = (completion.prompt_tokens * 1.0 + completion.completion_tokens * 2.0) / 1_000_000
        assert completion.cost_usd == pytest.approx(full / 2)
    assert llm.ledger.cost_usd == pytest.approx(sum(c.cost_usd for c in completions))
