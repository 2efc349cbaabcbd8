"""`compute_metrics` for the Trainer: logits -> the task's `evaluate` metric module.

Checkpoints are chosen by `selection_score`: the task's main metric, with ties broken by a
secondary metric scaled by 1e-3 (on a validation set of a few sentences, entity F1 is often
tied, typically at 0, early in training; token accuracy still tells the checkpoints apart).
"""

from __future__ import annotations

import numpy as np

from ..metrics import flatten_metrics, load_metric
from ..tasks import TaskSpec

TIE_BREAKER = {"token": "accuracy", "single": "macro_f1", "pair": "macro_f1", "multi": "subset_accuracy"}


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
        main = scores[self.task.main_metric]
        scores["selection_score"] = main + 1e-3 * scores.get(TIE_BREAKER[self.task.head], 0.0)
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
