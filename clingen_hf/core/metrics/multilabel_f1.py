"""Multi-label classification: micro/macro F1, micro precision/recall, subset accuracy.

Numpy only. Self-contained: evaluate copies this file into its modules cache, so it must
not import clingen_hf. Load it with ``evaluate.load("/abs/path/multilabel_f1.py")``.
"""

import datasets
import evaluate
import numpy as np

_DESCRIPTION = """\
Metrics for multi-label classification where each example is a 0/1 vector over the same
label set. Micro scores pool true/false positives and false negatives over all labels.
Macro-F1 is the unweighted mean of per-label F1 over the labels that occur (value 1) in
the references or the predictions of at least one example; labels that never occur in
either are left out instead of counting as 0 or 1 (scikit-learn's macro average would
count them as 0 with zero_division=0, giving a lower number). Subset accuracy is the
fraction of examples whose whole vector is predicted exactly. Division by zero gives 0.0.
"""

_CITATION = ""

_KWARGS_DESCRIPTION = """\
Args:
    predictions: list of 0/1 vectors, one per example, all of the same length.
    references: list of 0/1 vectors of the same shape.
Returns:
    micro_f1, macro_f1, micro_precision, micro_recall, subset_accuracy (float).
"""


def _divide(numerator, denominator):
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    return np.divide(numerator, denominator, out=np.zeros(numerator.shape), where=denominator > 0)


def _as_matrix(vectors, name):
    lengths = set(len(v) for v in vectors)
    if len(lengths) > 1:
        raise ValueError(f"{name}: vectors of different lengths {sorted(lengths)}")
    matrix = np.asarray(vectors, dtype=np.int64).reshape(len(vectors), -1)
    if not np.isin(matrix, (0, 1)).all():
        raise ValueError(f"{name}: values must be 0 or 1")
    return matrix.astype(bool)


class MultiLabelF1(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {
                    "predictions": datasets.Sequence(datasets.Value("int32")),
                    "references": datasets.Sequence(datasets.Value("int32")),
                }
            ),
        )

    def _compute(self, predictions, references):
        pred = _as_matrix(predictions, "predictions")
        ref = _as_matrix(references, "references")
        if pred.shape != ref.shape:
            raise ValueError(f"predictions have shape {pred.shape}, references {ref.shape}")

        tp = (pred & ref).sum(axis=0)
        fp = (pred & ~ref).sum(axis=0)
        fn = (~pred & ref).sum(axis=0)
        per_label_f1 = _divide(2 * tp, 2 * tp + fp + fn)
        present = (tp + fp + fn) > 0
        return {
            "micro_f1": float(_divide(2 * tp.sum(), 2 * tp.sum() + fp.sum() + fn.sum())),
            "macro_f1": float(per_label_f1[present].mean()) if present.any() else 0.0,
            "micro_precision": float(_divide(tp.sum(), tp.sum() + fp.sum())),
            "micro_recall": float(_divide(tp.sum(), tp.sum() + fn.sum())),
            "subset_accuracy": float((pred == ref).all(axis=1).mean()) if len(pred) else 0.0,
        }
