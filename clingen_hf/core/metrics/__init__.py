"""Offline evaluation metrics for ``evaluate``.

``evaluate.load("seqeval")`` and friends fetch scripts from the Hugging Face Hub, which
these machines cannot reach. Each module in this folder is a self-contained
``evaluate.Metric`` subclass (evaluate copies the file into its modules cache, so the
modules must not import ``clingen_hf``) and loads offline with
``evaluate.load(metric_path(name))``:

- ``seqeval_f1``: entity-level NER precision/recall/F1 (seqeval, strict IOB2).
- ``accuracy``: single-label accuracy, macro-F1 and micro-F1.
- ``multilabel_f1``: multi-label micro/macro F1 and subset accuracy.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

METRICS_DIR = Path(__file__).resolve().parent
METRIC_NAMES = ("seqeval_f1", "accuracy", "multilabel_f1")


def metric_path(name: str) -> str:
    """Absolute path of the metric module ``name``, for ``evaluate.load``."""
    if name not in METRIC_NAMES:
        raise ValueError(f"unknown metric {name!r}; choose one of {', '.join(METRIC_NAMES)}")
    return str(METRICS_DIR / f"{name}.py")


def load_metric(name: str, **kwargs: Any):
    """``evaluate.load(metric_path(name), **kwargs)``; works with ``HF_EVALUATE_OFFLINE=1``."""
    import evaluate

    return evaluate.load(metric_path(name), **kwargs)


def flatten_metrics(result: Mapping[str, Any], sep: str = "_") -> dict[str, Any]:
    """Flatten nested results for ``Trainer`` logs.

    ``{"f1": 0.5, "per_type": {"Disease": {"f1": 1.0}}}`` becomes
    ``{"f1": 0.5, "Disease_f1": 1.0}``: the ``per_type`` level is dropped, other nested
    keys are joined with ``sep``.
    """
    flat: dict[str, Any] = {}
    for key, value in result.items():
        if isinstance(value, Mapping):
            prefix = "" if key == "per_type" else f"{key}{sep}"
            for sub_key, sub_value in flatten_metrics(value, sep).items():
                flat[f"{prefix}{sub_key}"] = sub_value
        else:
            flat[key] = value
    return flat


__all__ = ["METRICS_DIR", "METRIC_NAMES", "flatten_metrics", "load_metric", "metric_path"]
