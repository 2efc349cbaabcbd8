import json
import statistics

import pytest
import torch
from transformers import AutoModelForTokenClassification, AutoTokenizer

from clingen_hf.core.tasks import get_task
from clingen_hf.training.config import load_config
from clingen_hf.training.trainer import train
from tests.training.conftest import ner_rows
from tests.training.test_heads import score_saved_model


def base_config(tiny_model, tmp_path, **overrides):
    values = {"task": "ncbi-disease", "model": tiny_model, "output_dir": str(tmp_path / "run"), "seeds": [0, 1],
              "epochs": 2, "stage1_epochs": 2, "learning_rate": 5e-3, "batch_size": 8, "max_length": 32}
    values.update(overrides)
    return load_config(None, values)


def dev_loss(model_dir, rows, max_length) -> float:
    """Mean cross-entropy of the saved token classifier over the first sub-token of each word."""
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModelForTokenClassification.from_pretrained(str(model_dir)).eval()
    encoded = tokenizer([r["tokens"] for r in rows], is_split_into_words=True, truncation=True, max_length=max_length,
                        padding=True, return_tensors="pt")
    labels = torch.full_like(encoded["input_ids"], -100)
    for index, row in enumerate(rows):
        seen = set()
        for position, word in enumerate(encoded.word_ids(index)):
            if word is not None and word not in seen:
                labels[index, position] = model.config.label2id[row["ner_tags"][word]]
                seen.add(word)
    with torch.no_grad():
        return model(**encoded, labels=labels).loss.item()


def test_two_stage_ner_writes_model_results_and_card(tiny_model, ner_data, tmp_path):
    config = base_config(tiny_model, tmp_path, synthetic=ner_data["synthetic"], real=ner_data["real"])
    results = train(config)
    run = tmp_path / "run"
    saved = json.loads((run / "results.json").read_text())
    assert saved["protocol"] == "two-stage" and [r["seed"] for r in saved["per_seed"]] == [0, 1]
    first = saved["per_seed"][0]
    assert first["steps"]["stage1"] == 2 and first["steps"]["stage2"] == 2 * 6  # 2 epochs of 5 few-shot rows / 8, of 48 synthetic / 8
    for split in ("validation", "dev"):  # mean and sample standard deviation of the seeds' numbers
        assert {"f1", "precision", "recall", "loss"} <= set(saved["summary"][split])
        for name, stats in saved["summary"][split].items():
            values = [seed["metrics"][split][name] for seed in saved["per_seed"]]
            assert stats == pytest.approx({"mean": statistics.fmean(values), "std": statistics.stdev(values)}), name
    assert saved["summary"]["dev"]["loss"]["std"] > 0  # the seeds differ, so n-1 and n would give different numbers
    selection = {seed["seed"]: seed["metrics"]["validation"]["selection_score"] for seed in saved["per_seed"]}
    assert saved["best_seed"] == results["best_seed"] == max(selection, key=selection.get)
    # model/ holds the best seed's model: its loss on the dev split (devel.tsv of ner_data) is that seed's
    losses = {seed["seed"]: seed["metrics"]["dev"]["loss"] for seed in saved["per_seed"]}
    assert losses[0] != pytest.approx(losses[1], rel=1e-3)
    assert dev_loss(run / "model", ner_rows(20, 1), 32) == pytest.approx(losses[saved["best_seed"]], rel=1e-4)
    best = saved["per_seed"][[0, 1].index(saved["best_seed"])]["metrics"]["dev"]
    recomputed = score_saved_model(run / "model", get_task("ncbi-disease"), ner_rows(20, 1), 32)
    assert {name: best[name] for name in recomputed} == pytest.approx(recomputed, abs=1e-6)
    assert saved["synthetic"]["config"] == "clingen-kg" and saved["synthetic"]["revision"].startswith("sha256:")
    assert (run / "model" / "config.json").exists() and (run / "model" / "tokenizer.json").exists()
    card = (run / "model" / "README.md").read_text()
    assert "model-index" in card and "clingen-kg" in card and "not for clinical decisions" in card
    assert not (run / "runs").exists()


def test_two_stage_runs_share_stage_one_and_score_as_if_trained_alone(tiny_model, ner_data, tmp_path):
    shared = tmp_path / "stage1-shared"
    common = {"synthetic": ner_data["synthetic"], "real": ner_data["real"], "seeds": [0]}
    alone = train(base_config(tiny_model, tmp_path / "alone", **common))
    first = train(base_config(tiny_model, tmp_path / "first", stage1_cache_dir=str(shared), **common))
    markers = list(shared.glob("*/stage1.json"))
    assert len(markers) == 1 and json.loads(markers[0].read_text()) == {"stage1": 2}
    second = train(base_config(tiny_model, tmp_path / "second", stage1_cache_dir=str(shared), **common))
    scores = [r["summary"]["dev"]["f1"]["mean"] for r in (alone, first, second)]
    assert scores[0] == scores[1] == scores[2]
    assert second["per_seed"][0]["steps"] == {"stage1": 2, "stage2": 12}
    other_seed = train(base_config(tiny_model, tmp_path / "third", stage1_cache_dir=str(shared), **{**common, "seeds": [1]}))
    assert len(list(shared.glob("*/stage1.json"))) == 2 and other_seed["per_seed"][0]["seed"] == 1
    few_alone = train(base_config(tiny_model, tmp_path / "few-alone", **{**common, "protocol": "supervised-few",
                                                                        "synthetic": None}))
    few_shared = train(base_config(tiny_model, tmp_path / "few-shared", stage1_cache_dir=str(shared),
                                   **{**common, "protocol": "supervised-few", "synthetic": None}))
    assert len(list(shared.glob("*/stage1.json"))) == 2  # supervised-few is stage I alone: it reuses seed 0's
    for metric in ("f1", "precision", "recall", "loss"):
        assert few_shared["summary"]["dev"][metric]["mean"] == pytest.approx(few_alone["summary"]["dev"][metric]["mean"],
                                                                            abs=1e-6)
    assert few_shared["per_seed"][0]["steps"] == {"stage1": 2}
