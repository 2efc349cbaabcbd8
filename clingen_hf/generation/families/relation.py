"""Relation extraction (Listing 5 / 11): a sentence about a planned relation between two
entities (a topic pair for ClinGen), written out with the task's entity markers."""

from __future__ import annotations

import datasets

from clingen_hf.generation.families.base import (
    STRING,
    STRINGS,
    TOPIC_PAIR_SEPARATOR,
    Family,
)
from clingen_hf.generation.parsing import parse_relation_completion


class RelationFamily(Family):
    def demonstrations(self, few_shot: datasets.Dataset) -> list[dict]:
        return [{"text": self._readable(row["text"]), "labels": [row["label"]]} for row in few_shot]

    def _readable(self, text: str) -> str:
        """Markers become [DISEASE] / [GENE] so the model writes real names, not `@GENE$`."""
        for marker, word in zip(self.task.markers, self.task.entity_types):
            text = text.replace(marker, f"[{word.upper()}]")
        return text

    def select_demonstrations(self, demos: list[dict], row: dict, step: str) -> list[dict]:
        return [demo for demo in demos if demo["labels"] == row["planned_labels"]] or demos

    def slots(self, row: dict, step: str) -> dict:
        label = row["planned_labels"][0]
        entity0, entity1 = self.task.entity_types
        topic0, topic1 = split_topic_pair(row["topic"]) or ("", "")
        return {"domain": self.task.domain, "class_name": label, "label_desc": self.task.describe(label),
                "entity0": entity0, "entity1": entity1, "topic0": topic0, "topic1": topic1}

    def parse(self, completion: str, row: dict, step: str) -> dict:
        parsed = parse_relation_completion(completion, self.task.entity_types, self.task.markers,
                                           split_topic_pair(row["topic"]))
        return {"text": parsed.text or "", "label": self.task.labels.index(row["planned_labels"][0]),
                "entities": parsed.entities, "drop_reason": parsed.reason}

    def empty_columns(self, step: str = "") -> dict:
        return {"text": "", "label": -1, "entities": []}

    def data_features(self) -> dict:
        return {"text": STRING, "label": self.task.class_label(), "entities": STRINGS}


def split_topic_pair(topic: str | None) -> tuple[str, str] | None:
    if not topic or TOPIC_PAIR_SEPARATOR not in topic:
        return None
    first, second = topic.split(TOPIC_PAIR_SEPARATOR, 1)
    return first.strip(), second.strip()
