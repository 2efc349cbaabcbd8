"""The task registry's record type: everything the pipeline needs to know about a dataset."""

from __future__ import annotations

from dataclasses import dataclass, field

import datasets


@dataclass(frozen=True)
class TaskSpec:
    """One benchmark dataset as a generation and training target.

    `domain` is the `[domain]` word of the paper's prompt templates (App. F);
    `kg_entity_types` are the knowledge-graph entity types whose names become topics;
    `llm_topic_types` are the entity types the LLM is asked to list (paper 4.1.1);
    `metric` names an evaluate module in `clingen_hf/metrics` and `main_metric` its key that
    selects checkpoints (the paper's main metric per dataset, its Table 5).
    """

    name: str
    family: str
    title: str
    domain: str
    labels: tuple[str, ...]
    kg_entity_types: tuple[str, ...]
    llm_topic_types: tuple[str, ...]
    templates: dict[str, str]
    metric: str
    main_metric: str = "f1"
    head: str = "token"  # token | single | multi | pair: the model head and loss (paper 4.3)
    entity_type: str | None = None
    style_task_name: str = ""
    extra: dict = field(default_factory=dict)

    def class_label(self) -> datasets.ClassLabel:
        return datasets.ClassLabel(names=list(self.labels))

    def template_for(self, method: str) -> str:
        return self.templates["clingen" if method.startswith("clingen") else "baseline"]


class UnknownTaskError(ValueError):
    pass
