"""The Ray engine on a local 2-CPU Ray instance against the loopback fake server: the same rows
and card as the local engine, and a worker that dies mid-block loses none of what it sent."""

from __future__ import annotations

import json

import datasets
import pytest

from clingen_hf.cli import main
from clingen_hf.llm.cache import CompletionCache
from clingen_hf.llm.client import LLMClient, LLMSettings

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def generate(server, cache, output, *extra) -> int:
    return main(["generate", "--task", "ncbi-disease", "--method", "clingen-kg", "--n", "10", "--seed", "3",
                 "--llm-base-url", server.base_url, "--llm-model", server.model, "--cache-dir", str(cache),
                 "--output", str(output), *extra])


def test_ray_engine_writes_what_the_local_engine_writes(local_ray, clinical_llm, tmp_path, capsys):
    assert generate(clinical_llm, tmp_path / "local-cache", tmp_path / "local") == 0
    assert generate(clinical_llm, tmp_path / "ray-cache", tmp_path / "ray", "--engine", "ray") == 0
    assert "Ray (main step): 10 answered, 0 failed" in capsys.readouterr().out
    local, on_ray = (datasets.load_dataset(str(tmp_path / name), "clingen-kg", split="train") for name in ("local", "ray"))
    assert local.to_list() == on_ray.to_list() and len(local) > 0
    reports = [json.loads((tmp_path / name / "clingen-kg" / "generation_report.json").read_text()) for name in ("local", "ray")]
    assert reports[0]["counts"] == reports[1]["counts"]
    assert reports[0]["usage"]["llm_calls_made"] == reports[1]["usage"]["llm_calls_made"]
    assert reports[1]["llm"]["engine"] == "ray" and "ray_address" not in reports[1]["llm"]


def test_a_worker_killed_mid_block_loses_nothing(local_ray, clinical_llm, tmp_path):
    from clingen_hf.llm.ray_engine import RayCompleter

    settings = LLMSettings(base_url=clinical_llm.base_url, model=clinical_llm.model, concurrency=1, engine="ray")
    llm = LLMClient(settings, CompletionCache.in_dir(tmp_path))
    requests = [([{"role": "user", "content": f"Name disease number {i}."}], i) for i in range(8)]
    counts = RayCompleter(llm, block_size=4, fault_exit_after=2).prefill(requests)
    assert counts["answered"] == 8 and counts["failed"] == 0 and counts["blocks"] == 2
    assert counts["resubmitted"] == 4  # each block's worker died after sending 2 of its 4
    asked = [request["messages"][0]["content"] for request in clinical_llm.requests if "messages" in request]
    # what a dead worker had sent back is never asked again; only the call it had in flight is
    for sent_back in (0, 1, 4, 5):
        assert asked.count(f"Name disease number {sent_back}.") == 1
    assert len(asked) <= 8 + 2
    completions = llm.complete_many(requests)
    assert all(c.text and not c.cached for c in completions) and llm.ledger.calls_made == 8


def test_ray_and_the_batch_api_together_are_refused(clinical_llm, tmp_path, capsys):
    code = generate(clinical_llm, tmp_path / "cache", tmp_path / "out", "--engine", "ray", "--batch-api")
    assert code == 2 and "--batch-api and --engine ray" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
