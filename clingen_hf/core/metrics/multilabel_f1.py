"""Multi-label classification: micro/macro F1, micro precision/recall, subset accuracy.

Numpy only. Self-contained: evaluate copies this file into its modules cache, so it must
not import clingen_hf. Load it with ``evaluate.load("/abs/path/multilabel_f1.py")``.
"""

import datasets
import evaluate
import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

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

        present = np.flatnonzero((pred | ref).any(axis=0))  # labels predicted or true somewhere
        micro_p, micro_r, micro_f1, _ = precision_recall_fscore_support(ref, pred, average="micro", zero_division=0)
        macro_f1 = f1_score(ref, pred, labels=present, average="macro", zero_division=0) if present.size else 0.0
        return {
            "micro_f1": float(micro_f1),
            "macro_f1": float(macro_f1),
            "micro_precision": float(micro_p),
            "micro_recall": float(micro_r),
            "subset_accuracy": float(accuracy_score(ref, pred)) if len(pred) else 0.0,
        }
