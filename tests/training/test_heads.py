"""Every model head through both stages, on tiny tasks registered for the test."""

import json

import datasets
import pytest

from clingen_hf.tasks import TaskSpec
from clingen_hf.training.config import load_config
from clingen_hf.training.trainer import train
from tests.training.conftest import register_task, write_jsonl

LABELS = ("covid", "cancer")


def classification_task(name: str, head: str, metric: str, main: str) -> TaskSpec:
    return TaskSpec(name=name, family="classification", title=name, domain="test", labels=LABELS, kg_entity_types=(),
                    llm_topic_types=(), templates={}, metric=metric, main_metric=main, head=head)


def rows(head: str, count: int) -> list[dict]:
    out = []
    for i in range(count):
        label = i % 2
        text = ("the covid vaccine trial results" if label == 0 else "the cancer study results") + (" good" if i % 3 else " bad")
        if head == "multi":
            out.append({"text": text, "labels": [LABELS[label]] + (["cancer"] if i % 4 == 0 else [])})
        elif head == "pair":
            out.append({"text": text, "text_pair": "a study of covid" if label == 0 else "a study of cancer", "label": LABELS[label]})
        else:
            out.append({"text": text, "label": LABELS[label]})
    return out


@pytest.mark.parametrize(
    "head, metric, main",
    [("single", "accuracy", "macro_f1"), ("multi", "multilabel_f1", "micro_f1"), ("pair", "accuracy", "accuracy")],
)
def test_sequence_heads_train_two_stages(head, metric, main, tiny_model, tmp_path, monkeypatch):
    task = register_task(monkeypatch, classification_task(f"toy-{head}", head, metric, main))
    real = tmp_path / "real"
    real.mkdir()
    write_jsonl(real / "train.jsonl", rows(head, 40))
    write_jsonl(real / "dev.jsonl", rows(head, 12))
    synthetic_dir = tmp_path / "synthetic" / "clingen-kg"
    synthetic_dir.mkdir(parents=True)
    datasets.Dataset.from_list(rows(head, 24)).to_parquet(str(synthetic_dir / "train-00000-of-00001.parquet"))
    (tmp_path / "synthetic" / "README.md").write_text(
        "---\nconfigs:\n- config_name: clingen-kg\n  data_files:\n  - split: train\n    path: clingen-kg/*.parquet\n---\n"
    )
    config = load_config(None, {"task": task.name, "model": tiny_model, "output_dir": str(tmp_path / "run"), "seeds": [0],
                                "epochs": 1, "stage1_epochs": 1, "learning_rate": 1e-3, "batch_size": 8,
                                "real": str(real), "synthetic": f"{tmp_path / 'synthetic'}:clingen-kg"})
    results = train(config)
    assert results["main_metric"] == main
    assert 0.0 <= results["summary"]["dev"][main]["mean"] <= 1.0
    model_config = json.loads((tmp_path / "run" / "model" / "config.json").read_text())
    expected_problem = "multi_label_classification" if head == "multi" else "single_label_classification"
    assert model_config["problem_type"] == expected_problem
    assert model_config["id2label"] == {"0": "covid", "1": "cancer"}
