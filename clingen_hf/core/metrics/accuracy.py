"""Single-label classification: accuracy, macro-F1 and micro-F1 (numpy only).

Self-contained: evaluate copies this file into its modules cache, so it must not import
clingen_hf. Load it with ``evaluate.load("/abs/path/accuracy.py")``.
"""

import datasets
import evaluate
import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

_DESCRIPTION = """\
Accuracy, macro-F1 and micro-F1 for single-label classification (e.g. fact verification,
which reports accuracy and macro-F1). Macro-F1 is the unweighted mean of per-class F1 over
the classes that occur in references or predictions (scikit-learn's default label set),
unless `labels` is given. For single-label data micro-F1 equals accuracy; it is reported
for completeness. Division by zero gives 0.0.

With `negative_label` (relation extraction: "no relation"), precision, recall and f1 are
micro-averaged over the other classes only, as relation extraction is scored: a correct
"no relation" is no hit, and predicting a wrong relation is a false positive and a false
negative. For a binary task this is the positive class's P/R/F1.
"""

_CITATION = ""

_KWARGS_DESCRIPTION = """\
Args:
    predictions: predicted class ids (int).
    references: gold class ids (int).
    labels: optional list of class ids to average macro-F1 over (e.g. all classes of the
        task, so that a class absent from a small evaluation set counts as F1 0).
    negative_label: optional class id left out of precision / recall / f1.
Returns:
    accuracy, macro_f1, micro_f1 (float); with negative_label also precision, recall, f1.
"""


class SingleLabelAccuracy(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {"predictions": datasets.Value("int32"), "references": datasets.Value("int32")}
            ),
        )

    def _compute(self, predictions, references, labels=None, negative_label=None):
        pred = np.asarray(predictions, dtype=np.int64)
        ref = np.asarray(references, dtype=np.int64)
        if pred.shape != ref.shape:
            raise ValueError(f"{pred.size} predictions, {ref.size} references")
        if labels is None:
            labels = np.union1d(pred, ref)
        labels = np.asarray(labels, dtype=np.int64)

        accuracy = float(accuracy_score(ref, pred)) if pred.size else 0.0
        macro_f1 = f1_score(ref, pred, labels=labels, average="macro", zero_division=0) if labels.size and pred.size else 0.0
        scores = {
            "accuracy": accuracy,
            "macro_f1": float(macro_f1),
            # Every error is one false positive and one false negative: micro-F1 == accuracy.
            "micro_f1": accuracy,
        }
        if negative_label is not None:
            scores.update(_relation_scores(pred, ref, int(negative_label)))
        return scores


def _relation_scores(pred, ref, negative):
    """Micro P/R/F1 over the positive classes: a relation is found when its type is right."""
    positive = np.setdiff1d(np.union1d(pred, ref), [negative])
    if not positive.size:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    precision, recall, f1, _ = precision_recall_fscore_support(ref, pred, labels=positive, average="micro", zero_division=0)
    return {"precision": float(precision), "recall": float(recall), "f1": float(f1)}
