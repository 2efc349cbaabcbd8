"""Single-label classification: accuracy, macro-F1 and micro-F1 (numpy only).

Self-contained: evaluate copies this file into its modules cache, so it must not import
clingen_hf. Load it with ``evaluate.load("/abs/path/accuracy.py")``.
"""

import datasets
import evaluate
import numpy as np

_DESCRIPTION = """\
Accuracy, macro-F1 and micro-F1 for single-label classification (e.g. fact verification,
which reports accuracy and macro-F1). Macro-F1 is the unweighted mean of per-class F1 over
the classes that occur in references or predictions (scikit-learn's default label set),
unless `labels` is given. For single-label data micro-F1 equals accuracy; it is reported
for completeness. Division by zero gives 0.0.
"""

_CITATION = ""

_KWARGS_DESCRIPTION = """\
Args:
    predictions: predicted class ids (int).
    references: gold class ids (int).
    labels: optional list of class ids to average macro-F1 over (e.g. all classes of the
        task, so that a class absent from a small evaluation set counts as F1 0).
Returns:
    accuracy, macro_f1, micro_f1 (float).
"""


def _f1(tp, fp, fn):
    denominator = 2 * tp + fp + fn
    return np.divide(2 * tp, denominator, out=np.zeros(np.shape(tp), dtype=float), where=denominator > 0)


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

    def _compute(self, predictions, references, labels=None):
        pred = np.asarray(predictions, dtype=np.int64)
        ref = np.asarray(references, dtype=np.int64)
        if pred.shape != ref.shape:
            raise ValueError(f"{pred.size} predictions, {ref.size} references")
        if labels is None:
            labels = np.union1d(pred, ref)
        labels = np.asarray(labels, dtype=np.int64)

        tp = np.array([np.sum((pred == c) & (ref == c)) for c in labels], dtype=float)
        fp = np.array([np.sum((pred == c) & (ref != c)) for c in labels], dtype=float)
        fn = np.array([np.sum((pred != c) & (ref == c)) for c in labels], dtype=float)
        correct = float(np.sum(pred == ref))
        wrong = float(pred.size) - correct
        return {
            "accuracy": correct / pred.size if pred.size else 0.0,
            "macro_f1": float(_f1(tp, fp, fn).mean()) if labels.size else 0.0,
            # Every error is one false positive and one false negative: micro-F1 == accuracy.
            "micro_f1": float(_f1(correct, wrong, wrong)),
        }
