"""Direct few-shot inference with the LLM (paper Table 2), through the fake server."""

import json

import pytest

from clingen_hf.cli import main
from tests.pipelines.test_run import real_folder


def infer(server, task, real, *extra):
    return main(["infer", "--task", task, "--real", str(real), "--llm-base-url", server.base_url, "--llm-model",
                 "fake-clinical", *extra])


def test_ner_inference_is_scored_with_entity_f1_and_cached(clinical_llm, cache_dir, tmp_path, capsys):
    real = real_folder(tmp_path)  # sentences about the fake LLM's diseases, each tagged
    assert infer(clinical_llm, "ncbi-disease", real, "--output", str(tmp_path / "scores.json")) == 0
    scores = json.loads((tmp_path / "scores.json").read_text())
    assert scores["examples"] == 20 and scores["unparsed"] == 0
    assert scores["scores"]["f1"] == 1.0  # the fake LLM names the one disease each sentence has
    first_calls = len(clinical_llm.requests)
    assert all(r["temperature"] == 0.0 for r in clinical_llm.requests)
    assert infer(clinical_llm, "ncbi-disease", real) == 0
    assert len(clinical_llm.requests) == first_calls  # answered from the cache
    assert "20 from cache" in capsys.readouterr().out


def test_label_inference_counts_answers_without_a_label(clinical_llm, cache_dir, tmp_path, capsys):
    real = tmp_path / "mqp"
    real.mkdir()
    rows = [{"text": f"question {i} {'unclear' if i % 4 == 0 else 'clear'}", "text_pair": f"other {i}",
             "label": ["not_equivalent", "equivalent"][i % 2]} for i in range(24)]
    (real / "train.jsonl").write_text("\n".join(json.dumps(r) for r in rows[:16]) + "\n")
    (real / "dev.jsonl").write_text("\n".join(json.dumps(r) for r in rows[16:]) + "\n")
    assert infer(clinical_llm, "mqp", real, "--k-shot", "2", "--output", str(tmp_path / "s.json")) == 0
    scores = json.loads((tmp_path / "s.json").read_text())
    assert scores["unparsed"] == 2  # rows 16 and 20 say 'unclear'
    # the fake answers 'not_equivalent' (the first label): right on rows 18 and 22; the unclear rows count as misses
    assert scores["scores"]["accuracy"] == 2 / 8
    assert "2 answers naming no label" in capsys.readouterr().out


def test_inference_split_must_exist(cache_dir, tmp_path, capsys):
    real = real_folder(tmp_path)
    assert main(["infer", "--task", "ncbi-disease", "--real", str(real), "--split", "test", "--llm-base-url",
                 "http://127.0.0.1:9", "--llm-model", "m"]) == 2
    assert "--split test" in capsys.readouterr().err


def test_batch_api_inference_scores_as_synchronous_calls_at_half_the_cost(clinical_llm, tmp_path):
    real = real_folder(tmp_path)
    prices = ["--price-input", "1", "--price-output", "2"]
    assert infer(clinical_llm, "ncbi-disease", real, *prices, "--cache-dir", str(tmp_path / "sync"),
                 "--output", str(tmp_path / "sync.json")) == 0
    assert infer(clinical_llm, "ncbi-disease", real, *prices, "--cache-dir", str(tmp_path / "batch"), "--batch-api",
                 "--batch-poll", "0", "--output", str(tmp_path / "batch.json")) == 0
    sync, batch = (json.loads((tmp_path / f"{name}.json").read_text()) for name in ("sync", "batch"))
    assert clinical_llm.batch_api.created == 1
    assert batch["scores"] == sync["scores"] and batch["examples"] == sync["examples"] == 20
    assert batch["cost_usd"] == pytest.approx(sync["cost_usd"] / 2, abs=1e-6) and sync["cost_usd"] > 0
