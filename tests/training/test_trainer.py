import json


from clingen_hf.training.config import load_config
from clingen_hf.training.trainer import train


def base_config(tiny_model, tmp_path, **overrides):
    values = {"task": "ncbi-disease", "model": tiny_model, "output_dir": str(tmp_path / "run"), "seeds": [0, 1],
              "epochs": 2, "stage1_epochs": 2, "learning_rate": 5e-3, "batch_size": 8, "max_length": 32}
    values.update(overrides)
    return load_config(None, values)


def test_two_stage_ner_writes_model_results_and_card(tiny_model, ner_data, tmp_path):
    config = base_config(tiny_model, tmp_path, synthetic=ner_data["synthetic"], real=ner_data["real"])
    results = train(config)
    run = tmp_path / "run"
    saved = json.loads((run / "results.json").read_text())
    assert saved["protocol"] == "two-stage" and [r["seed"] for r in saved["per_seed"]] == [0, 1]
    first = saved["per_seed"][0]
    assert first["steps"]["stage1"] == 2 and first["steps"]["stage2"] == 2 * 6  # 2 epochs of 5 few-shot rows / 8, of 48 synthetic / 8
    for split in ("validation", "dev"):
        assert 0.0 <= saved["summary"][split]["f1"]["mean"] <= 1.0
        assert set(saved["summary"][split]["f1"]) == {"mean", "std"}
    assert saved["synthetic"]["config"] == "clingen-kg" and saved["synthetic"]["revision"].startswith("sha256:")
    assert (run / "model" / "config.json").exists() and (run / "model" / "tokenizer.json").exists()
    card = (run / "model" / "README.md").read_text()
    assert "model-index" in card and "clingen-kg" in card and "not for clinical decisions" in card
    assert not (run / "runs").exists()
    assert results["best_seed"] in (0, 1)


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
