"""What the generation pipeline needs from a task family, as one small interface.

The builder plans rows (labels, topic, style, seed), then for each generation step renders a
prompt, calls the LLM and parses the answer; a family says which labels to plan, which
template slots and demonstrations a step gets, how to parse its completion into the family's
columns, and what the output features are. Two-step families (sentence pairs) have two steps.
"""

from __future__ import annotations

import random

import datasets

from clingen_hf.core.tasks import TaskSpec

STRING = datasets.Value("string")
STRINGS = datasets.Sequence(datasets.Value("string"))
TOPIC_PAIR_SEPARATOR = " | "


class Family:
    steps: tuple[str, ...] = ("",)

    def __init__(self, task: TaskSpec):
        self.task = task

    # -- plan -------------------------------------------------------------------------------
    def plan_labels(self, n: int, seed: int) -> list[list[str]]:
        """The label(s) each of `n` rows is generated for: classes in turn, in a seeded order."""
        labels = list(self.task.labels)
        order = [labels[i % len(labels)] for i in range(n)]
        random.Random(seed).shuffle(order)
        return [[label] for label in order]

    # -- prompts ----------------------------------------------------------------------------
    def demonstrations(self, few_shot: datasets.Dataset) -> list[dict]:
        """The few-shot rows as template demonstrations, each with its `labels`."""
        raise NotImplementedError

    def demo_texts(self, few_shot: datasets.Dataset) -> list[str]:
        """The few-shot texts shown to the style prompt (Listing 1)."""
        return [demo["text"] for demo in self.demonstrations(few_shot)]

    def slots(self, row: dict, step: str) -> dict:
        """Template slots besides topic, style and demonstrations."""
        return {"domain": self.task.domain}

    def select_demonstrations(self, demos: list[dict], row: dict, step: str) -> list[dict]:
        return demos

    # -- parsing ----------------------------------------------------------------------------
    def parse(self, completion: str, row: dict, step: str) -> dict:
        """The family's columns from a completion, plus `drop_reason` (None when usable)."""
        raise NotImplementedError

    def empty_columns(self, step: str = "") -> dict:
        """The family's columns for a row that failed before it was parsed."""
        raise NotImplementedError

    def text_of(self, row: dict) -> str:
        """The text the duplicate gates compare."""
        return row["text"]

    def seed_text(self, seed_row: dict) -> str:
        return seed_row["text"]

    def as_seed_row(self, row: dict) -> dict:
        """A generated row (label ids) in the seed schema (label names), e.g. as a demonstration."""
        column, names = self.task.label_column, self.task.labels
        value = row[column]
        seed_row = {name: row[name] for name in self.task.columns}
        seed_row[column] = [names[i] for i in value] if isinstance(value, list) else names[value]
        return seed_row

    # -- output -----------------------------------------------------------------------------
    def data_features(self) -> dict:
        raise NotImplementedError

    def provenance_features(self) -> dict:
        return {}


def label_ids(task: TaskSpec, names: list[str]) -> list[int]:
    return [task.labels.index(name) for name in names]
