"""The task registry's record type: everything the pipeline needs to know about a dataset."""

from __future__ import annotations

from dataclasses import dataclass, field

import datasets

from clingen_hf.core.methods import get_method

# The columns of every seed file, synthetic set and evaluation split, by model head.
HEAD_COLUMNS = {"token": ("tokens", "ner_tags"), "single": ("text", "label"), "multi": ("text", "labels"),
                "pair": ("text", "text_pair", "label")}


@dataclass(frozen=True)
class TaskSpec:
    """One benchmark dataset as a generation and training target.

    `domain` is the `[domain]` word of the paper's prompt templates (App. F);
    `kg_entity_types` are the knowledge-graph entity types whose names become topics;
    `llm_topic_types` are the entity types the LLM is asked to list (paper 4.1.1);
    `metric` names an evaluate module in `clingen_hf/metrics` and `main_metric` its key that
    selects checkpoints (the paper's main metric per dataset, its Table 5).

    Family-specific slots: `label_descriptions` fill `[label_desc]` (relations, pairs);
    `entity_types` are the attribute types (CASI) or the relation's two entity words
    (`[entity0]`, `[entity1]`); `markers` replace those two entities in relation text, as in
    the real data the model is evaluated on; `kg_pair` names their knowledge-graph types and
    `kg_relation` the KG relation that links them (None: the KG has none, pairs come from
    the LLM); `content` / `second_content` are the `[content]` words of the two pair prompts
    (Listings 6 and 7); `multi_label_rate` is the share of multi-label rows to plan;
    `guidelines` are the team's annotation guidelines for generated labels (what the target
    corpus counts as an entity and what it does not), shown in the prompt unless switched off.
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
    label_descriptions: dict[str, str] = field(default_factory=dict)
    entity_types: tuple[str, ...] = ()
    markers: tuple[str, ...] = ()
    kg_pair: tuple[str, str] | None = None
    kg_relation: str | None = None
    content: str = ""
    second_content: str = ""
    multi_label_rate: float = 0.0
    label_source: str = ""
    guidelines: str = ""
    extra: dict = field(default_factory=dict)

    def class_label(self) -> datasets.ClassLabel:
        return datasets.ClassLabel(names=list(self.labels))

    def template_for(self, method: str, step: str = "") -> str:
        """The template a method's prompts use: its prompt family (core/methods.py), per step."""
        kind = get_method(method).prompt
        return self.templates[f"{kind}_{step}" if step else kind]

    @property
    def columns(self) -> tuple[str, ...]:
        """The data columns of the task's head, the label column last."""
        return HEAD_COLUMNS[self.head]

    @property
    def label_column(self) -> str:
        return self.columns[-1]

    @property
    def class_names(self) -> tuple[str, ...]:
        """The classes few-shot sampling draws k examples of: entity types for token tasks."""
        if self.head == "token":
            return tuple(label[2:] for label in self.labels if label.startswith("B-"))
        return self.labels

    def describe(self, label: str) -> str:
        return self.label_descriptions.get(label, label)


class UnknownTaskError(ValueError):
    pass


PAIR_TEMPLATES = {"clingen_first": "pair_first_clingen", "baseline_first": "pair_first_baseline",
                  "clingen_second": "pair_second_clingen", "baseline_second": "pair_second_baseline"}


def sentence_pair_task(name: str, title: str, family: str, domain: str, content: str, second_content: str,
                       label_descriptions: dict[str, str], metric_key: str, **fields) -> TaskSpec:
    """A two-sentence task (NLI, fact verification, similarity): the first sentence from a topic
    and a style (Listing 6), the second from the first and a label (Listing 7)."""
    return TaskSpec(
        name=name,
        family=family,
        title=title,
        domain=domain,
        labels=tuple(label_descriptions),
        label_descriptions=label_descriptions,
        templates=PAIR_TEMPLATES,
        metric="accuracy",
        main_metric=metric_key,
        head="pair",
        content=content,
        second_content=second_content,
        style_task_name=domain.lower(),
        **fields,
    )
