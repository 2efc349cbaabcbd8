"""Every model head through both stages, on tiny tasks registered for the test; the scores
reported are those of the saved model on the dev split, recomputed here."""

import json

import datasets
import numpy as np
import pytest
import torch
from seqeval.metrics import accuracy_score as token_accuracy
from seqeval.metrics import f1_score as entity_f1
from seqeval.metrics import precision_score as entity_precision
from seqeval.metrics import recall_score as entity_recall
from seqeval.scheme import IOB2
from sklearn import metrics as sk
from transformers import (
    AutoModelForSequenceClassification,
    AutoModelForTokenClassification,
    AutoTokenizer,
)

from clingen_hf.core.tasks import TaskSpec
from clingen_hf.training.config import load_config
from clingen_hf.training.trainer import train
from tests.training.conftest import register_task, write_jsonl

LABELS = ("covid", "cancer")


def classification_task(name: str, head: str, metric: str, main: str) -> TaskSpec:
    return TaskSpec(name=name, family="classification", title=name, domain="test", labels=LABELS, kg_entity_types=(),
                    llm_topic_types=(), templates={}, metric=metric, main_metric=main, head=head)


def score_saved_model(model_dir, task: TaskSpec, rows: list[dict], max_length: int = 256) -> dict[str, float]:
    """The task's metrics of the model saved in `model_dir` on `rows` (label names), computed
    here with seqeval and scikit-learn from the model's own predictions and label names, apart
    from the trainer's evaluation."""
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    auto = AutoModelForTokenClassification if task.head == "token" else AutoModelForSequenceClassification
    model = auto.from_pretrained(str(model_dir)).eval()
    names = model.config.id2label
    if task.head == "token":
        encoded = tokenizer([r["tokens"] for r in rows], is_split_into_words=True, truncation=True, max_length=max_length,
                            padding=True, return_tensors="pt")
        with torch.no_grad():
            predicted = model(**encoded).logits.argmax(-1).tolist()
        predictions, references = [], []
        for index, row in enumerate(rows):
            first = {}  # word -> its first sub-token's tag
            for position, word in enumerate(encoded.word_ids(index)):
                if word is not None and word not in first:
                    first[word] = names[predicted[index][position]]
            predictions.append([first[word] for word in sorted(first)])
            references.append(list(row["ner_tags"][: len(first)]))
        options = {"mode": "strict", "scheme": IOB2, "zero_division": 0}
        return {"precision": entity_precision(references, predictions, **options),
                "recall": entity_recall(references, predictions, **options),
                "f1": entity_f1(references, predictions, **options), "accuracy": token_accuracy(references, predictions)}
    pairs = [r["text_pair"] for r in rows] if task.head == "pair" else None
    encoded = tokenizer([r["text"] for r in rows], pairs, truncation=True, max_length=max_length, padding=True,
                        return_tensors="pt")
    with torch.no_grad():
        logits = model(**encoded).logits
    if task.head == "multi":
        column = {name: i for i, name in names.items()}
        predicted = np.stack([(logits[:, column[label]] > 0).numpy() for label in task.labels], axis=1)  # sigmoid > 0.5
        gold = np.array([[label in r["labels"] for label in task.labels] for r in rows])
        present = (predicted | gold).any(axis=0)
        return {"micro_f1": sk.f1_score(gold, predicted, average="micro", zero_division=0),
                "micro_precision": sk.precision_score(gold, predicted, average="micro", zero_division=0),
                "micro_recall": sk.recall_score(gold, predicted, average="micro", zero_division=0),
                "macro_f1": sk.f1_score(gold[:, present], predicted[:, present], average="macro", zero_division=0),
                "subset_accuracy": sk.accuracy_score(gold, predicted)}
    predicted = [task.labels.index(names[i]) for i in logits.argmax(-1).tolist()]
    gold = [task.labels.index(r["label"]) for r in rows]
    everything = list(range(len(task.labels)))
    scores = {"accuracy": sk.accuracy_score(gold, predicted), "micro_f1": sk.accuracy_score(gold, predicted),
              "macro_f1": sk.f1_score(gold, predicted, labels=everything, average="macro", zero_division=0)}
    negative = task.extra.get("negative_label")
    if negative:  # relations: P/R/F1 over the classes other than "no relation"
        positive = [i for i in everything if task.labels[i] != negative]
        precision, recall, f1, _ = sk.precision_recall_fscore_support(gold, predicted, labels=positive, average="micro",
                                                                      zero_division=0)
        scores.update(precision=precision, recall=recall, f1=f1)
    return scores


def assert_reported_scores_are_the_saved_models(results: dict, model_dir, task: TaskSpec, dev_rows, max_length=256):
    """The dev scores in results.json (one seed) are the saved model's on the dev rows."""
    recomputed = score_saved_model(model_dir, task, dev_rows, max_length)
    reported = results["per_seed"][0]["metrics"]["dev"]
    assert {name: reported[name] for name in recomputed} == pytest.approx(recomputed, abs=1e-6)
    assert {name: results["summary"]["dev"][name]["mean"] for name in recomputed} == pytest.approx(recomputed, abs=1e-6)


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
    dev_rows = rows(head, 15)  # 8 + 7: a split other than the balanced validation set scores differently
    write_jsonl(real / "dev.jsonl", dev_rows)
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
    assert main in results["summary"]["dev"]
    assert_reported_scores_are_the_saved_models(results, tmp_path / "run" / "model", task, dev_rows)
    model_config = json.loads((tmp_path / "run" / "model" / "config.json").read_text())
    expected_problem = "multi_label_classification" if head == "multi" else "single_label_classification"
    assert model_config["problem_type"] == expected_problem
    assert model_config["id2label"] == {"0": "covid", "1": "cancer"}
