"""Sentence pairs (NLI, fact verification, similarity), in two chained steps: the first
sentence from a topic and a style (Listing 6 / 12), then the second from the first sentence
and the planned label (Listing 7 / 13). The first step's prompt and completion stay on the
row as provenance."""

from __future__ import annotations

import datasets

from clingen_hf.generation.families.base import STRING, Family
from clingen_hf.generation.parsing import parse_text_completion


class PairFamily(Family):
    steps = ("first", "second")

    def demonstrations(self, few_shot: datasets.Dataset) -> list[dict]:
        return [{"text": row["text"], "text_pair": row["text_pair"], "labels": [row["label"]]} for row in few_shot]

    def select_demonstrations(self, demos: list[dict], row: dict, step: str) -> list[dict]:
        if step == "first":
            return demos
        return [demo for demo in demos if demo["labels"] == row["planned_labels"]] or demos

    def slots(self, row: dict, step: str) -> dict:
        task = self.task
        if step == "first":
            return {"content": task.content, "answer_label": task.content.capitalize()}
        label = row["planned_labels"][0]
        return {"domain": task.domain, "content": task.second_content, "first_content": task.content,
                "first_sentence": row["text"], "class_name": label, "label_desc": task.describe(label)}

    def parse(self, completion: str, row: dict, step: str) -> dict:
        parsed = parse_text_completion(completion)
        if step == "first":
            return {"text": parsed.text or "", "drop_reason": parsed.reason}
        return {"text_pair": parsed.text or "", "label": self.task.labels.index(row["planned_labels"][0]),
                "drop_reason": parsed.reason}

    def empty_columns(self, step: str = "") -> dict:
        return {"text": ""} if step == "first" else {"text_pair": "", "label": -1}

    def text_of(self, row: dict) -> str:
        return f"{row['text']} {row['text_pair']}"

    def seed_text(self, seed_row: dict) -> str:
        return self.text_of(seed_row)

    def data_features(self) -> dict:
        return {"text": STRING, "text_pair": STRING, "label": self.task.class_label()}

    def provenance_features(self) -> dict:
        return {"first_prompt": STRING, "first_completion": STRING}
