"""Entity-level NER precision, recall and F1 with seqeval in strict IOB2 mode.

Self-contained: evaluate copies this file into its modules cache, so it must not import
clingen_hf. Load it with ``evaluate.load("/abs/path/seqeval_f1.py")``.
"""

import datasets
import evaluate
from seqeval.metrics.v1 import (
    precision_recall_fscore_support,  # strict mode: seqeval.metrics(mode="strict")
)
from seqeval.scheme import IOB2, Entities

_DESCRIPTION = """\
Entity-level precision, recall and F1 for sequence labelling, computed with seqeval in
strict mode with the IOB2 scheme (like `seqeval.metrics.*(mode="strict", scheme=IOB2)`):
an entity counts only when its type, start and end all match exactly, and an `I-X` tag
that does not continue a `B-X`/`I-X` run is not an entity. Scores are micro-averaged over
all entities, and reported per entity type as well. Token accuracy compares tags one by
one, `O` included. Division by zero gives 0.0 (no warnings, no NaN).
"""

_CITATION = """\
@misc{seqeval,
  title={{seqeval}: A Python framework for sequence labeling evaluation},
  url={https://github.com/chakki-works/seqeval},
  author={Hiroki Nakayama},
  year={2018}
}
"""

_KWARGS_DESCRIPTION = """\
Args:
    predictions: list of sentences, each a list of IOB2 tag strings (`O`, `B-X`, `I-X`).
    references: list of sentences of the same lengths. Drop padded/ignored positions
        (label -100) from both before calling.
Returns:
    precision, recall, f1: micro-averaged over entities (float).
    accuracy: token accuracy (float).
    per_type: {type: {"precision", "recall", "f1", "support"}} for every type that occurs
        in references or predictions; support is the number of reference entities.
Example:
    >>> metric = evaluate.load("/abs/path/seqeval_f1.py")
    >>> metric.compute(predictions=[["B-Disease", "I-Disease", "O"]],
    ...                references=[["B-Disease", "I-Disease", "O"]])["f1"]
    1.0
"""


def _check_tags(sentences, name):
    for sentence in sentences:
        for tag in sentence:
            if tag != "O" and not (tag[:2] in ("B-", "I-") and len(tag) > 2):
                raise ValueError(f"{name}: {tag!r} is not an IOB2 tag (O, B-TYPE, I-TYPE)")


class SeqevalF1(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {
                    "predictions": datasets.Sequence(datasets.Value("string")),
                    "references": datasets.Sequence(datasets.Value("string")),
                }
            ),
            codebase_urls=["https://github.com/chakki-works/seqeval"],
        )

    def _compute(self, predictions, references):
        if len(predictions) != len(references):
            raise ValueError(f"{len(predictions)} predicted sentences, {len(references)} references")
        for i, (pred, ref) in enumerate(zip(predictions, references)):
            if len(pred) != len(ref):
                raise ValueError(f"sentence {i}: {len(pred)} predicted tags, {len(ref)} reference tags")
        _check_tags(predictions, "predictions")
        _check_tags(references, "references")

        options = {"scheme": IOB2, "zero_division": 0}
        types = sorted(Entities(references, IOB2, False).unique_tags | Entities(predictions, IOB2, False).unique_tags)
        per_type = {}
        if types:
            by_type = precision_recall_fscore_support(references, predictions, average=None, **options)
            for name, precision, recall, f1, support in zip(types, *by_type):
                per_type[name] = {"precision": float(precision), "recall": float(recall), "f1": float(f1),
                                  "support": int(support)}
        precision, recall, f1, _ = precision_recall_fscore_support(references, predictions, average="micro", **options)
        n_tokens = sum(len(ref) for ref in references)
        correct = sum(p == r for pred_s, ref_s in zip(predictions, references) for p, r in zip(pred_s, ref_s))
        return {
            "precision": float(precision),
            "recall": float(recall),
            "f1": float(f1),
            "accuracy": correct / n_tokens if n_tokens else 0.0,
            "per_type": per_type,
        }
