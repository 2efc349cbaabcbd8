"""`compute_metrics` for the Trainer: logits -> the task's `evaluate` metric module.

Checkpoints are chosen by `selection_score`: the task's main metric, with ties broken by a
secondary metric scaled by 1e-3 (on a validation set of a few sentences, entity F1 is often
tied, typically at 0, early in training). The tie-breaker never rewards a degenerate model:
for token tasks it is the F1 of entity tokens (token accuracy would favour predicting `O`
everywhere), and a checkpoint that predicts no entity at all (token tasks) or one class for
every example (classification with several classes in the references) scores
`DEGENERATE_SCORE`, below every checkpoint that predicts something.
"""

from __future__ import annotations

import numpy as np

from clingen_hf.core.metrics import flatten_metrics, load_metric
from clingen_hf.core.tasks import TaskSpec

TIE_BREAKER = {"token": "entity_token_f1", "single": "macro_f1", "pair": "macro_f1", "multi": "subset_accuracy"}
DEGENERATE_SCORE = -1.0


class MetricComputer:
    def __init__(self, task: TaskSpec):
        self.task = task
        self.metric = load_metric(task.metric)

    def __call__(self, eval_prediction) -> dict[str, float]:
        logits, labels = eval_prediction.predictions, eval_prediction.label_ids
        if isinstance(logits, tuple):
            logits = logits[0]
        predictions, references = self._decode(np.asarray(logits), np.asarray(labels))
        scores = flatten_metrics(self.metric.compute(predictions=predictions, references=references, **metric_options(self.task)))
        if self.task.head == "token":
            scores["entity_token_f1"] = entity_token_f1(predictions, references)
        scores["degenerate"] = float(is_degenerate(self.task, predictions, references))
        main = scores[self.task.main_metric]
        scores["selection_score"] = (DEGENERATE_SCORE if scores["degenerate"]
                                     else main + 1e-3 * scores.get(TIE_BREAKER[self.task.head], 0.0))
        return {key: float(value) for key, value in scores.items() if isinstance(value, (int, float))}

    def _decode(self, logits: np.ndarray, labels: np.ndarray):
        if self.task.head == "token":
            names = self.task.labels
            predicted = logits.argmax(-1)
            predictions, references = [], []
            for row_predictions, row_labels in zip(predicted, labels):
                keep = row_labels != -100  # only the first sub-token of each word carries a label
                predictions.append([names[i] for i in row_predictions[keep]])
                references.append([names[i] for i in row_labels[keep]])
            return predictions, references
        if self.task.head == "multi":
            return (logits > 0).astype(int).tolist(), labels.astype(int).tolist()  # sigmoid(x) > 0.5
        return logits.argmax(-1).tolist(), labels.astype(int).tolist()


def metric_options(task: TaskSpec) -> dict:
    """All classes count in macro-F1 (also those absent from a small evaluation set); relation
    tasks score P/R/F1 without their negative class."""
    if task.head in ("single", "pair"):
        negative = task.extra.get("negative_label")
        options = {"labels": list(range(len(task.labels)))}
        return {**options, "negative_label": task.labels.index(negative)} if negative else options
    return {}


def entity_token_f1(predictions: list[list[str]], references: list[list[str]]) -> float:
    """F1 over the tokens inside entities: a predicted non-`O` token is right when its entity
    type matches the reference's (B/I ignored). 0 for a model that predicts only `O`."""
    predicted = correct = gold = 0
    for row_predictions, row_references in zip(predictions, references):
        for guess, truth in zip(row_predictions, row_references):
            predicted += guess != "O"
            gold += truth != "O"
            correct += guess != "O" and truth != "O" and guess[2:] == truth[2:]
    return 0.0 if not correct else 2 * correct / (predicted + gold)


def is_degenerate(task: TaskSpec, predictions: list, references: list) -> bool:
    """A model that tells nothing apart: no entity predicted (token tasks), or one answer for
    every example where the references have several (classification)."""
    if task.head == "token":
        return not any(tag != "O" for row in predictions for tag in row)
    as_keys = [tuple(p) if isinstance(p, list) else p for p in predictions]
    reference_keys = {tuple(r) if isinstance(r, list) else r for r in references}
    return len(set(as_keys)) == 1 and len(reference_keys) > 1
