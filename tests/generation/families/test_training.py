"""Generated data of every model head trains a tiny model and is scored with the task's
metric: fake LLM -> builder -> dataset folder -> two-stage Trainer run -> results, whose dev
scores are the saved model's, recomputed with seqeval / scikit-learn."""

import json

import pytest

from clingen_hf.cli import main
from clingen_hf.core.tasks import get_task
from clingen_hf.training.config import load_config
from clingen_hf.training.trainer import train
from tests.generation.families.conftest import seed_rows
from tests.training.test_heads import assert_reported_scores_are_the_saved_models


@pytest.mark.parametrize(
    "task_name, expected_metrics",
    [
        ("casi", {"f1", "precision", "recall"}),
        ("gad", {"f1", "precision", "recall", "accuracy"}),
        ("hoc", {"macro_f1", "micro_f1"}),
        ("healthver", {"accuracy", "macro_f1"}),
    ],
)
def test_generated_data_trains_and_is_scored(task_name, expected_metrics, clinical_llm, cache_dir, seeds_file, tiny_model,
                                             tmp_path):
    output = tmp_path / "synthetic"
    assert main(["generate", "--task", task_name, "--method", "zerogen", "--n", "12", "--seeds", str(seeds_file(task_name)),
                 "--llm-base-url", clinical_llm.base_url, "--llm-model", "fake-clinical", "--output", str(output)]) == 0
    real = tmp_path / "real"
    real.mkdir()
    rows = seed_rows(get_task(task_name), per_class=10)
    (real / "train.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    dev_rows = rows[::3]
    (real / "dev.jsonl").write_text("\n".join(json.dumps(r) for r in dev_rows) + "\n")
    config = load_config(None, {"task": task_name, "model": tiny_model, "output_dir": str(tmp_path / "run"), "seeds": [0],
                                "epochs": 1, "stage1_epochs": 1, "learning_rate": 1e-3, "batch_size": 8, "k_shot": 2,
                                "real": str(real), "synthetic": f"{output}:zerogen"})
    results = train(config)
    task = get_task(task_name)
    assert results["main_metric"] == task.main_metric
    scores = results["summary"]["dev"]
    assert expected_metrics <= set(scores)
    assert_reported_scores_are_the_saved_models(results, tmp_path / "run" / "model", task, dev_rows)
