"""Text classification (Listing 4 / 10): one text per planned class; HoC plans a share of
rows with two hallmarks, whose text discusses both."""

from __future__ import annotations

import random

import datasets

from clingen_hf.generation.families.base import STRING, Family, label_ids
from clingen_hf.generation.parsing import parse_text_completion


class ClassificationFamily(Family):
    @property
    def multi_label(self) -> bool:
        return self.task.head == "multi"

    def plan_labels(self, n: int, seed: int) -> list[list[str]]:
        planned = super().plan_labels(n, seed)
        if not self.multi_label or self.task.multi_label_rate <= 0:
            return planned
        rng = random.Random(seed + 1)
        for labels in planned:
            if rng.random() < self.task.multi_label_rate:
                labels.append(rng.choice([label for label in self.task.labels if label != labels[0]]))
        return planned

    def demonstrations(self, few_shot: datasets.Dataset) -> list[dict]:
        column = self.task.label_column
        return [{"text": row["text"], "labels": row[column] if self.multi_label else [row[column]]} for row in few_shot]

    def select_demonstrations(self, demos: list[dict], row: dict, step: str) -> list[dict]:
        same_class = [demo for demo in demos if set(demo["labels"]) & set(row["planned_labels"])]
        return same_class or demos

    def slots(self, row: dict, step: str) -> dict:
        return {"domain": self.task.domain, "class_name": " and ".join(row["planned_labels"]), "answer_label": "Text"}

    def parse(self, completion: str, row: dict, step: str) -> dict:
        parsed = parse_text_completion(completion)
        return {"text": parsed.text or "", **self._label_columns(row), "drop_reason": parsed.reason}

    def _label_columns(self, row: dict) -> dict:
        ids = label_ids(self.task, row["planned_labels"])
        return {"labels": ids} if self.multi_label else {"label": ids[0]}

    def empty_columns(self, step: str = "") -> dict:
        return {"text": "", **({"labels": []} if self.multi_label else {"label": -1})}

    def data_features(self) -> dict:
        label = self.task.class_label()
        return {"text": STRING, **({"labels": datasets.Sequence(label)} if self.multi_label else {"label": label})}
