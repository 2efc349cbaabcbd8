"""Per-family generation behaviour (what to plan, prompt slots, parsing, output columns):
`family_for(task)`. See `base.Family` for the interface."""

from __future__ import annotations

from clingen_hf.core.tasks import TaskSpec
from clingen_hf.generation.families.base import TOPIC_PAIR_SEPARATOR, Family
from clingen_hf.generation.families.classification import ClassificationFamily
from clingen_hf.generation.families.ner import AttributeFamily, NERFamily
from clingen_hf.generation.families.pairs import PairFamily
from clingen_hf.generation.families.relation import RelationFamily, split_topic_pair

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
