"""NER and attribute extraction: one sentence, IOB2 tags over one entity type (NER, Listing 2
/ 8) or over the six medication attribute types (CASI, Listing 3 / 9)."""

from __future__ import annotations

import datasets

from clingen_hf.generation.families.base import STRING, STRINGS, Family
from clingen_hf.generation.parsing import (
    detokenize,
    entities_from_tags,
    parse_attribute_completion,
    parse_ner_completion,
)


class NERFamily(Family):
    def plan_labels(self, n: int, seed: int) -> list[list[str]]:
        return [list(self.task.class_names)] * n

    def demonstrations(self, few_shot: datasets.Dataset) -> list[dict]:
        return [{"sentence": detokenize(row["tokens"]), "entities": entities_from_tags(row["tokens"], row["ner_tags"])}
                for row in few_shot]

    def demo_texts(self, few_shot: datasets.Dataset) -> list[str]:
        return [demo["sentence"] for demo in self.demonstrations(few_shot)]

    def parse(self, completion: str, row: dict, step: str) -> dict:
        parsed = parse_ner_completion(completion, self.task.entity_type)
        return self._columns(parsed)

    def _columns(self, parsed) -> dict:
        reason = parsed.reason
        if reason is None and parsed.dropped_entities and not parsed.entities:
            reason = "no_listed_entity_in_sentence"
        usable = reason is None
        ids = {label: index for index, label in enumerate(self.task.labels)}  # ids: casting strings to ClassLabel is slow
        return {
            "tokens": parsed.tokens if usable else [],
            "ner_tags": [ids[tag] for tag in parsed.tags] if usable else [],
            "sentence": parsed.sentence or "",
            "entities": parsed.entities,
            "dropped_entities": parsed.dropped_entities,
            "drop_reason": reason,
        }

    def empty_columns(self, step: str = "") -> dict:
        return {"tokens": [], "ner_tags": [], "sentence": "", "entities": [], "dropped_entities": []}

    def text_of(self, row: dict) -> str:
        return row["sentence"]

    def seed_text(self, seed_row: dict) -> str:
        return detokenize(seed_row["tokens"])

    def data_features(self) -> dict:
        return {"tokens": STRINGS, "ner_tags": datasets.Sequence(self.task.class_label()), "sentence": STRING,
                "entities": STRINGS, "dropped_entities": STRINGS}

    def provenance_features(self) -> dict:
        return {"label": STRING, "span_decisions": STRING}


class AttributeFamily(NERFamily):
    def demonstrations(self, few_shot: datasets.Dataset) -> list[dict]:
        demos = []
        for row in few_shot:
            attributes = {kind: entities_from_tags(row["tokens"], [_only(tag, kind) for tag in row["ner_tags"]])
                          for kind in self.task.entity_types}
            demos.append({"sentence": detokenize(row["tokens"]), "attributes": attributes})
        return demos

    def slots(self, row: dict, step: str) -> dict:
        kinds = self.task.entity_types
        return {"domain": self.task.domain, "attribute_types": kinds,
                "attribute_list": ", ".join(f'"{kind}"' for kind in kinds)}

    def parse(self, completion: str, row: dict, step: str) -> dict:
        parsed = parse_attribute_completion(completion, self.task.entity_types)
        return self._columns(parsed)


def _only(tag: str, kind: str) -> str:
    return tag if tag.endswith(f"-{kind}") else "O"
