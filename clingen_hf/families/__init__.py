"""Per-family generation behaviour (what to plan, prompt slots, parsing, output columns):
`family_for(task)`. See `base.Family` for the interface."""

from __future__ import annotations

from ..tasks import TaskSpec
from .base import TOPIC_PAIR_SEPARATOR, Family
from .classification import ClassificationFamily
from .ner import AttributeFamily, NERFamily
from .pairs import PairFamily
from .relation import RelationFamily, split_topic_pair

FAMILY_CLASSES: dict[str, type[Family]] = {
    "ner": NERFamily,
    "attributes": AttributeFamily,
    "classification": ClassificationFamily,
    "relation": RelationFamily,
    "nli": PairFamily,
    "fact-verification": PairFamily,
    "similarity": PairFamily,
}


def family_for(task: TaskSpec) -> Family:
    return FAMILY_CLASSES[task.family](task)


__all__ = ["FAMILY_CLASSES", "TOPIC_PAIR_SEPARATOR", "Family", "family_for", "split_topic_pair"]
